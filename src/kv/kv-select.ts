import common from '../../shaders/common.wgsl?raw';
import kvCommon from '../../shaders/kv-common.wgsl?raw';
import source from '../../shaders/kv-select.wgsl?raw';
import { COMPUTE_STAGE } from '../gpu/flags.js';
import { foldWorkgroups } from '../gpu/search-params.js';
import { KV_PARAMS_BYTES } from './kv-params.js';
import { KernelCache } from '../gpu/kernel-cache.js';

/**
 * Invocations per kv-select workgroup (one workgroup per row); the WGSL override. It is also
 * the chunk of slots each compaction step scans, whose two counts share one u32 (16 bits
 * each), so it must stay below 65,536.
 */
export const KV_SELECT_WORKGROUP_SIZE = 128;

/**
 * The kv-select kernel: per row of scores, exactly `keep` slots, in slot order (radix select
 * plus an order-keeping compaction); and `count`, what a threshold would keep per row.
 *
 * @example
 * const select = await KvSelect.create(device);
 * select.encode(pass, select.bind(scores, kept, params), 0, layers * kvHeads, maxPerDimension);
 */
export class KvSelect {
  private constructor(
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly selectPipeline: GPUComputePipeline,
    private readonly countPipeline: GPUComputePipeline,
  ) {}

  // Built once per device (and storage), shared by every user of that device.
  private static readonly cache = new KernelCache((device, _: undefined) => KvSelect.build(device));

  /** The kernel on `device`, built on the first call and shared after. */
  static create(device: GPUDevice): Promise<KvSelect> {
    return KvSelect.cache.get(device, undefined);
  }

  private static async build(device: GPUDevice): Promise<KvSelect> {
    const layout = device.createBindGroupLayout({
      label: 'kv-select',
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
    const module = device.createShaderModule({
      label: 'kv-select',
      code: `${common}\n${kvCommon}\n${source}`,
    });
    const pipelineLayout = device.createPipelineLayout({
      label: 'kv-select',
      bindGroupLayouts: [layout],
    });
    const pipeline = (entryPoint: string) =>
      device.createComputePipelineAsync({
        label: `kv-select ${entryPoint}`,
        layout: pipelineLayout,
        compute: { module, entryPoint, constants: { WORKGROUP_SIZE: KV_SELECT_WORKGROUP_SIZE } },
      });
    const [select, count] = await Promise.all([pipeline('main'), pipeline('count')]);
    return new KvSelect(device, layout, select, count);
  }

  /** A bind group over the scores, the output (kept slots or counts) and the params. */
  bind(scores: GPUBuffer, out: GPUBuffer, params: GPUBuffer, label = 'all layers'): GPUBindGroup {
    return this.device.createBindGroup({
      label: `kv-select ${label}`,
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: scores } },
        { binding: 1, resource: { buffer: out } },
        { binding: 2, resource: { buffer: params, size: KV_PARAMS_BYTES } },
      ],
    });
  }

  /** Selects (or, with `count`, counts) for `rows` rows with the record at `paramsOffset`. */
  encode(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    paramsOffset: number,
    rows: number,
    maxPerDimension: number,
    count = false,
  ): void {
    const [x, y] = foldWorkgroups(rows, maxPerDimension);
    pass.setPipeline(count ? this.countPipeline : this.selectPipeline);
    pass.setBindGroup(0, group, [paramsOffset]);
    pass.dispatchWorkgroups(x, y);
  }
}
