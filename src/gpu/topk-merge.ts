import common from '../../shaders/common.wgsl?raw';
import source from '../../shaders/topk-merge.wgsl?raw';
import { COMPUTE_STAGE } from './flags.js';
import { foldWorkgroups, SEARCH_PARAMS_BYTES } from './search-params.js';
import { KernelCache } from './kernel-cache.js';

/** Invocations per topk-merge workgroup; the WGSL `WORKGROUP_SIZE` override. */
export const MERGE_WORKGROUP_SIZE = 256;

/**
 * Pairs one merged list draws from, about: each input pair searches the group's other lists,
 * so work grows with the fan-in; small k merges many lists in one pass, large k a few.
 */
const MERGE_SPAN = 4096;

/** Lists of `k` pairs merged into one per pass, when `lists` remain. */
export function mergeFanIn(k: number, lists: number): number {
  return Math.max(2, Math.min(lists, Math.floor(MERGE_SPAN / k)));
}

/** The buffers one merge pass reads and writes. */
export interface MergeBindings {
  readonly source: GPUBuffer;
  readonly merged: GPUBuffer;
  /** `SearchParams` records, bound at a dynamic offset. */
  readonly params: GPUBuffer;
}

/**
 * The topk-merge kernel: merges groups of sorted candidate lists into one sorted list of the
 * best k per group; run until one list per query remains.
 *
 * @example
 * const merge = await TopKMerge.create(device);
 * const group = merge.bind({ source: a, merged: b, params }, 'a→b');
 * merge.encode(pass, group, 256, queries * lists * k, device.limits.maxComputeWorkgroupsPerDimension);
 */
export class TopKMerge {
  private constructor(
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  // Built once per device (and storage), shared by every user of that device.
  private static readonly cache = new KernelCache((device, _: undefined) =>
    TopKMerge.build(device),
  );

  /** The kernel on `device`, its layout and pipeline built on the first call. */
  static create(device: GPUDevice): Promise<TopKMerge> {
    return TopKMerge.cache.get(device, undefined);
  }

  private static async build(device: GPUDevice): Promise<TopKMerge> {
    const layout = device.createBindGroupLayout({
      label: 'topk-merge',
      entries: [
        {
          binding: 0,
          visibility: COMPUTE_STAGE,
          buffer: { type: 'read-only-storage' },
        },
        { binding: 1, visibility: COMPUTE_STAGE, buffer: { type: 'storage' } },
        {
          binding: 2,
          visibility: COMPUTE_STAGE,
          buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: SEARCH_PARAMS_BYTES },
        },
      ],
    });
    const pipeline = await device.createComputePipelineAsync({
      label: 'topk-merge',
      layout: device.createPipelineLayout({ label: 'topk-merge', bindGroupLayouts: [layout] }),
      compute: {
        module: device.createShaderModule({ label: 'topk-merge', code: `${common}\n${source}` }),
        entryPoint: 'main',
        constants: { WORKGROUP_SIZE: MERGE_WORKGROUP_SIZE },
      },
    });
    return new TopKMerge(device, layout, pipeline);
  }

  /** A bind group over `b`, labelled `topk-merge <label>`. */
  bind(b: MergeBindings, label: string): GPUBindGroup {
    return this.device.createBindGroup({
      label: `topk-merge ${label}`,
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: b.source } },
        { binding: 1, resource: { buffer: b.merged } },
        { binding: 2, resource: { buffer: b.params, size: SEARCH_PARAMS_BYTES } },
      ],
    });
  }

  /** Merges `pairs` input pairs with the params at byte `paramsOffset`. */
  encode(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    paramsOffset: number,
    pairs: number,
    maxPerDimension: number,
  ): void {
    const [x, y] = foldWorkgroups(Math.ceil(pairs / MERGE_WORKGROUP_SIZE), maxPerDimension);
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group, [paramsOffset]);
    pass.dispatchWorkgroups(x, y);
  }
}
