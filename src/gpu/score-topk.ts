import common from '../../shaders/common.wgsl?raw';
import source from '../../shaders/score-topk.wgsl?raw';
import type { VectorStorage } from '../vectors/layout.js';
import { COMPUTE_STAGE } from './flags.js';
import { foldWorkgroups, SEARCH_PARAMS_BYTES } from './search-params.js';
import { KernelCache } from './kernel-cache.js';

/**
 * Invocations per score-topk workgroup; the WGSL `WORKGROUP_SIZE` override. Small on purpose:
 * selection needs a barrier per sorting stage, and on software adapters (SwiftShader) a barrier
 * costs ~7x more at 256 invocations than at 64; real GPUs run several such groups per core.
 */
export const SCORE_WORKGROUP_SIZE = 64;

/**
 * Rows one workgroup scores and selects from; the WGSL `TILE_ROWS` override. A score and a row
 * per slot in workgroup memory: 2048 × 8 bytes is the 16 KiB every device offers, and it is at
 * least twice `MAX_CANDIDATES`, so a tile always shrinks its rows to k or fewer.
 */
export const SCORE_TILE_ROWS = 2048;

const STORAGE_CODE: Readonly<Record<VectorStorage, number>> = { f32: 0, f16: 1, int8: 2 };

/** The buffers one score-topk dispatch reads and writes. */
export interface ScoreBindings {
  /** One chunk of stored rows, `strideWords` u32 each. */
  readonly vectors: GPUBuffer;
  /** The chunk's session ordinals. */
  readonly sessions: GPUBuffer;
  /** The chunk's int8 row scales (any small buffer for f32 and f16). */
  readonly scales: GPUBuffer;
  /** f32 queries, or packed int8 queries for int8 storage. */
  readonly queries: GPUBuffer;
  /** The int8 query scales (any small buffer for f32 and f16). */
  readonly queryScales: GPUBuffer;
  readonly mask: GPUBuffer;
  /** Where each tile's k best pairs go. */
  readonly candidates: GPUBuffer;
  /** `SearchParams` records, bound at a dynamic offset. */
  readonly params: GPUBuffer;
}

/**
 * Kernels per device and storage, built once and shared by every scan on that device (they
 * hold no per-scan state); a failed build is forgotten so a later call can retry.
 */

/**
 * The score-topk kernel for one storage type: scores tiles of rows against each query, drops
 * rows outside the allowed sessions, and writes each tile's best k (score, row) pairs, sorted.
 *
 * @example
 * const score = await ScoreTopK.create(device, 'f16');
 * const group = score.bind(buffers, 'chunk 0');
 * score.encode(pass, group, 0, queries, tiles, device.limits.maxComputeWorkgroupsPerDimension);
 */
export class ScoreTopK {
  private constructor(
    readonly storage: VectorStorage,
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  // Built once per device (and storage), shared by every user of that device.
  private static readonly cache = new KernelCache((device, storage: VectorStorage) =>
    ScoreTopK.build(device, storage),
  );

  /** The kernel for `storage` on `device`, its layout and pipeline built on the first call. */
  static create(device: GPUDevice, storage: VectorStorage): Promise<ScoreTopK> {
    return ScoreTopK.cache.get(device, storage);
  }

  private static async build(device: GPUDevice, storage: VectorStorage): Promise<ScoreTopK> {
    const read = { type: 'read-only-storage' } as const;
    const entries: GPUBindGroupLayoutEntry[] = [0, 1, 2, 3, 4, 5].map((binding) => ({
      binding,
      visibility: COMPUTE_STAGE,
      buffer: read,
    }));
    entries.push(
      { binding: 6, visibility: COMPUTE_STAGE, buffer: { type: 'storage' } },
      {
        binding: 7,
        visibility: COMPUTE_STAGE,
        buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: SEARCH_PARAMS_BYTES },
      },
    );
    const layout = device.createBindGroupLayout({ label: `score-topk ${storage}`, entries });
    const pipeline = await device.createComputePipelineAsync({
      label: `score-topk ${storage}`,
      layout: device.createPipelineLayout({
        label: `score-topk ${storage}`,
        bindGroupLayouts: [layout],
      }),
      compute: {
        // One module serves the three storage types: they differ only in override constants.
        module: device.createShaderModule({ label: 'score-topk', code: `${common}\n${source}` }),
        entryPoint: 'main',
        constants: {
          WORKGROUP_SIZE: SCORE_WORKGROUP_SIZE,
          TILE_ROWS: SCORE_TILE_ROWS,
          STORAGE: STORAGE_CODE[storage],
        },
      },
    });
    return new ScoreTopK(storage, device, layout, pipeline);
  }

  /** A bind group over `b`, labelled `score-topk <storage> <label>`. */
  bind(b: ScoreBindings, label: string): GPUBindGroup {
    const buffers = [b.vectors, b.sessions, b.scales, b.queries, b.queryScales, b.mask];
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({
      binding,
      resource: { buffer },
    }));
    entries.push(
      { binding: 6, resource: { buffer: b.candidates } },
      { binding: 7, resource: { buffer: b.params, size: SEARCH_PARAMS_BYTES } },
    );
    return this.device.createBindGroup({
      label: `score-topk ${this.storage} ${label}`,
      layout: this.layout,
      entries,
    });
  }

  /**
   * Scores `tiles` tiles for `queries` queries, `tileStep` tiles per workgroup, with the
   * params at byte `paramsOffset` (which must say the same).
   */
  encode(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    paramsOffset: number,
    queries: number,
    tiles: number,
    tileStep: number,
    maxPerDimension: number,
  ): void {
    const [x, y] = foldWorkgroups(queries * Math.ceil(tiles / tileStep), maxPerDimension);
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group, [paramsOffset]);
    pass.dispatchWorkgroups(x, y);
  }
}
