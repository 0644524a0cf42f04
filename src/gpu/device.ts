import { MemoryError } from '../errors.js';

/**
 * Where GPU work may run: `'auto'` (navigator.gpu when present), `'cpu'` (never the GPU), a
 * `GPUDevice` the app already has (onnxruntime-web's, so KV work shares it, or Node's Dawn
 * device), or a `GPU` entry point such as Dawn's `create([])` in Node.
 */
export type GpuOption = 'auto' | 'cpu' | GPUDevice | GPU;

/** What the app may show about the adapter in use. */
export interface GpuInfo {
  /** A human name: description, else vendor and architecture. */
  readonly name: string;
  readonly vendor: string;
  readonly architecture: string;
  /** True for software or fallback adapters (SwiftShader): the CPU paths beat them. */
  readonly isFallback: boolean;
}

type Listener = () => void;

/**
 * One acquired GPU device, its adapter's facts and its loss handling. A loss we did not cause
 * (`reason !== 'destroyed'`) drops the device, tells `onLost` listeners (who fall back to the
 * CPU), then reacquires through the entry point, when there is one, and tells `onRestored`.
 *
 * @example
 * const gpu = await acquireGpu('auto');
 * if (gpu) console.log(gpu.info.name, gpu.info.isFallback);
 */
export class GpuContext {
  /** The live device, or undefined while lost. */
  device: GPUDevice | undefined;
  info: GpuInfo;
  /** Settles when a reacquisition after loss has finished (either way). */
  restoring: Promise<void> | undefined;
  private readonly lostListeners = new Set<Listener>();
  private readonly restoredListeners = new Set<Listener>();
  private destroyed = false;

  private constructor(
    device: GPUDevice,
    info: GpuInfo,
    private readonly entry: GPU | undefined,
    private readonly owned: boolean,
  ) {
    this.device = device;
    this.info = info;
    this.watch(device);
  }

  /** Acquires from an entry point, or wraps an app's device (which the app keeps owning). */
  static async create(source: GPU | GPUDevice): Promise<GpuContext> {
    if (isDevice(source))
      return new GpuContext(source, describe(source.adapterInfo), gpuOf(), false);
    const { device, info } = await requestDevice(source);
    return new GpuContext(device, info, source, true);
  }

  /** Calls `listener` when the device is lost; returns an unsubscribe function. */
  onLost(listener: Listener): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Calls `listener` when a lost device has been reacquired. */
  onRestored(listener: Listener): () => void {
    this.restoredListeners.add(listener);
    return () => this.restoredListeners.delete(listener);
  }

  /** Destroys the device if we created it; idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.lostListeners.clear();
    this.restoredListeners.clear();
    if (this.owned) this.device?.destroy();
    this.device = undefined;
  }

  private watch(device: GPUDevice): void {
    void device.lost.then((lost) => {
      if (this.destroyed || this.device !== device) return;
      this.device = undefined;
      for (const listener of [...this.lostListeners]) listener();
      // A device destroyed on purpose (by the app, for an injected one) stays gone: the CPU
      // path carries on. Any other loss we repair.
      if (lost.reason === 'destroyed') return;
      this.restoring = this.reacquire();
    });
  }

  private async reacquire(): Promise<void> {
    if (!this.entry) return;
    try {
      const { device, info } = await requestDevice(this.entry);
      if (this.destroyed) {
        device.destroy();
        return;
      }
      this.device = device;
      this.info = info;
      this.watch(device);
      for (const listener of [...this.restoredListeners]) listener();
    } catch {
      // No adapter any more: stay on the CPU path; nothing was lost, the host copy is whole.
    }
  }
}

/**
 * Resolves `option` to a GPU context, or undefined when the CPU path is wanted or no adapter
 * exists. `'auto'` never throws for a missing GPU; an explicit device or entry point that
 * yields no adapter throws `WEBGPU_UNAVAILABLE`.
 */
export async function acquireGpu(option: GpuOption): Promise<GpuContext | undefined> {
  if (option === 'cpu') return undefined;
  if (option === 'auto') {
    const entry = gpuOf();
    if (!entry) return undefined;
    try {
      return await GpuContext.create(entry);
    } catch {
      return undefined;
    }
  }
  return GpuContext.create(option);
}

function gpuOf(): GPU | undefined {
  return typeof navigator !== 'undefined' && 'gpu' in navigator ? navigator.gpu : undefined;
}

function isDevice(source: GPU | GPUDevice): source is GPUDevice {
  return typeof (source as GPUDevice).createBuffer === 'function';
}

async function requestDevice(entry: GPU): Promise<{ device: GPUDevice; info: GpuInfo }> {
  const adapter = await entry.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new MemoryError('WEBGPU_UNAVAILABLE', 'no GPU adapter was found');
  // The defaults (128 MiB per binding) are far below what 100k+ vectors need; ask for what
  // the adapter really has.
  const { limits } = adapter;
  const device = await adapter.requestDevice({
    label: 'memkeeper',
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
  });
  return { device, info: describe(adapter.info, adapter) };
}

function describe(info: GPUAdapterInfo | undefined, adapter?: GPUAdapter): GpuInfo {
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const description = info?.description ?? '';
  // Older implementations put the flag on the adapter; SwiftShader also names itself.
  const legacy = (adapter as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter;
  const isFallback =
    info?.isFallbackAdapter === true ||
    legacy === true ||
    /swiftshader/i.test(architecture + description);
  const name = description || [vendor, architecture].filter(Boolean).join(' ') || 'unknown GPU';
  return { name, vendor, architecture, isFallback };
}
