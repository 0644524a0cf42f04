import common from '../../shaders/common.wgsl?raw';
import kvCommon from '../../shaders/kv-common.wgsl?raw';
import source from '../../shaders/kv-gather.wgsl?raw';
import { COMPUTE_STAGE } from '../gpu/flags.js';
import { foldWorkgroups } from '../gpu/search-params.js';
import { KV_PARAMS_BYTES } from './kv-params.js';
import type { KvStorage } from './kv-score.js';
import { KernelCache } from '../gpu/kernel-cache.js';

/** Invocations per kv-gather workgroup (one per output u32 word); the WGSL override. */
export const KV_GATHER_WORKGROUP_SIZE = 64;

/** The buffers one layer's gather reads and writes. */
export interface GatherBindings {
  readonly keys: GPUBuffer;
  readonly values: GPUBuffer;
  /** Kept slots of every row, `keep` per row. */
  readonly kept: GPUBuffer;
  /** (cos, sin) f32 pairs, `rotaryDim / 2` per row of turns. */
  readonly turns: GPUBuffer;
  readonly outKeys: GPUBuffer;
  readonly outValues: GPUBuffer;
  readonly params: GPUBuffer;
}

/**
 * The kv-gather kernel for one storage: writes a layer's kept values bit for bit and its kept
 * keys re-rotated to their new positions.
 *
 * @example
 * const gather = await KvGather.create(device, 'f16');
 * gather.encode(pass, gather.bind(buffers, 'layer 3'), offset, words, maxPerDimension);
 */
export class KvGather {
  private constructor(
    readonly storage: KvStorage,
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  // Built once per device (and storage), shared by every user of that device.
  private static readonly cache = new KernelCache((device, storage: KvStorage) =>
    KvGather.build(device, storage),
  );

  /** The kernel for `storage` on `device`, built on the first call and shared after. */
  static create(device: GPUDevice, storage: KvStorage): Promise<KvGather> {
    return KvGather.cache.get(device, storage);
  }

  private static async build(device: GPUDevice, storage: KvStorage): Promise<KvGather> {
    const label = `kv-gather ${storage}`;
    const entries: GPUBindGroupLayoutEntry[] = [0, 1, 2, 3].map((binding) => ({
      binding,
      visibility: COMPUTE_STAGE,
      buffer: { type: 'read-only-storage' },
    }));
    entries.push(
      { binding: 4, visibility: COMPUTE_STAGE, buffer: { type: 'storage' } },
      { binding: 5, visibility: COMPUTE_STAGE, buffer: { type: 'storage' } },
      {
        binding: 6,
        visibility: COMPUTE_STAGE,
        buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: KV_PARAMS_BYTES },
      },
    );
    const layout = device.createBindGroupLayout({ label, entries });
    const pipeline = await device.createComputePipelineAsync({
      label,
      layout: device.createPipelineLayout({ label, bindGroupLayouts: [layout] }),
      compute: {
        module: device.createShaderModule({
          label: 'kv-gather',
          code: `${common}\n${kvCommon}\n${source}`,
        }),
        entryPoint: 'main',
        constants: { WORKGROUP_SIZE: KV_GATHER_WORKGROUP_SIZE, STORAGE: storage === 'f16' ? 1 : 0 },
      },
    });
    return new KvGather(storage, device, layout, pipeline);
  }

  /** A bind group over one layer's buffers. */
  bind(b: GatherBindings, label: string): GPUBindGroup {
    const buffers = [b.keys, b.values, b.kept, b.turns, b.outKeys, b.outValues];
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({
      binding,
      resource: { buffer },
    }));
    entries.push({ binding: 6, resource: { buffer: b.params, size: KV_PARAMS_BYTES } });
    return this.device.createBindGroup({
      label: `kv-gather ${this.storage} ${label}`,
      layout: this.layout,
      entries,
    });
  }

  /** Writes `words` output words of one layer with the record at `paramsOffset`. */
  encode(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    paramsOffset: number,
    words: number,
    maxPerDimension: number,
  ): void {
    const [x, y] = foldWorkgroups(Math.ceil(words / KV_GATHER_WORKGROUP_SIZE), maxPerDimension);
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group, [paramsOffset]);
    pass.dispatchWorkgroups(x, y);
  }
}
