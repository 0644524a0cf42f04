import common from '../../shaders/common.wgsl?raw';
import kvCommon from '../../shaders/kv-common.wgsl?raw';
import source from '../../shaders/kv-score.wgsl?raw';
import { COMPUTE_STAGE } from '../gpu/flags.js';
import { KV_PARAMS_BYTES } from './kv-params.js';
import { KernelCache } from '../gpu/kernel-cache.js';

/** Invocations per kv-score workgroup (one workgroup per KV head); the WGSL override. */
export const KV_SCORE_WORKGROUP_SIZE = 64;

/** The longest head the KV kernels take: KeyDiff keeps a mean key in workgroup memory. */
export const KV_MAX_HEAD_DIM = 256;

/** How a cache stores its elements: f32, or f16 two to a u32 word. */
export type KvStorage = 'f32' | 'f16';

/** `KvParams.policy` of each scoring policy. */
export const KV_SCORE_POLICY = { streaming: 0, knorm: 1, keydiff: 2 } as const;

/**
 * The kv-score kernel for one storage: scores every cached key of a layer, a workgroup per
 * KV head, into one row of the scores buffer per head.
 *
 * @example
 * const score = await KvScore.create(device, 'f32');
 * score.encode(pass, score.bind(keys, scores, params, 'layer 0'), 0, kvHeads);
 */
export class KvScore {
  private constructor(
    readonly storage: KvStorage,
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  // Built once per device (and storage), shared by every user of that device.
  private static readonly cache = new KernelCache((device, storage: KvStorage) =>
    KvScore.build(device, storage),
  );

  /** The kernel for `storage` on `device`, built on the first call and shared after. */
  static create(device: GPUDevice, storage: KvStorage): Promise<KvScore> {
    return KvScore.cache.get(device, storage);
  }

  private static async build(device: GPUDevice, storage: KvStorage): Promise<KvScore> {
    const label = `kv-score ${storage}`;
    const layout = device.createBindGroupLayout({
      label,
      entries: [
        { binding: 0, visibility: COMPUTE_STAGE, buffer: { type: 'read-only-storage' } },
        { binding: 1, visibility: COMPUTE_STAGE, buffer: { type: 'storage' } },
        {
          binding: 2,
          visibility: COMPUTE_STAGE,
          buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: KV_PARAMS_BYTES },
        },
      ],
    });
    const pipeline = await device.createComputePipelineAsync({
      label,
      layout: device.createPipelineLayout({ label, bindGroupLayouts: [layout] }),
      compute: {
        module: device.createShaderModule({
          label: 'kv-score',
          code: `${common}\n${kvCommon}\n${source}`,
        }),
        entryPoint: 'main',
        constants: {
          WORKGROUP_SIZE: KV_SCORE_WORKGROUP_SIZE,
          MAX_HEAD_DIM: KV_MAX_HEAD_DIM,
          STORAGE: storage === 'f16' ? 1 : 0,
        },
      },
    });
    return new KvScore(storage, device, layout, pipeline);
  }

  /** A bind group over one layer's keys, the scores and the params. */
  bind(keys: GPUBuffer, scores: GPUBuffer, params: GPUBuffer, label: string): GPUBindGroup {
    return this.device.createBindGroup({
      label: `kv-score ${this.storage} ${label}`,
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: keys } },
        { binding: 1, resource: { buffer: scores } },
        { binding: 2, resource: { buffer: params, size: KV_PARAMS_BYTES } },
      ],
    });
  }

  /** Scores `heads` rows with the record at `paramsOffset`. */
  encode(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    paramsOffset: number,
    heads: number,
  ): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group, [paramsOffset]);
    pass.dispatchWorkgroups(heads);
  }
}
