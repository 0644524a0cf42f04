/**
 * WebGPU in Node for the GPU kernel tests: Dawn from the `webgpu` package on the SwiftShader
 * Vulkan driver that Debian's chromium package ships. The harness tracks every buffer it sees
 * created so tests can assert none leak, counts bytes written per buffer, and turns validation
 * errors into test failures. Where no adapter is found the suite is skipped loudly: a warning
 * with the reason and a skipped test that names it (or a failure when
 * MEMKEEPER_REQUIRE_GPU is set, for CI machines that must have one).
 *
 * @example
 * const opened = await openDawn();
 * describeGpu('GpuScan', opened, (dawn) => {
 *   it('scans', async () => { const scan = await GpuScan.create(dawn.device); ... });
 * });
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, describe, it } from 'vitest';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** A Dawn device and what the harness saw it do. */
export interface Dawn {
  readonly device: GPUDevice;
  /** The adapter as a person would name it. */
  readonly adapter: string;
  /** Labels of buffers created and not yet destroyed. */
  liveBuffers(): string[];
  /** Bytes written with `queue.writeBuffer` per buffer label since the last call; resets. */
  takeWrites(): Map<string, number>;
  /** Errors the device reported outside any scope since the last call; resets. */
  takeErrors(): string[];
  /** A second, untracked device for tests that lose one on purpose; the test destroys it. */
  spareDevice(): Promise<GPUDevice>;
  /** Runs `work` inside validation, out-of-memory and internal error scopes; throws on any. */
  scoped<T>(work: () => Promise<T>): Promise<T>;
  destroy(): void;
}

/** The harness, or why there is none. */
export type Opened = { dawn: Dawn; reason?: undefined } | { dawn?: undefined; reason: string };

/** Acquires a Dawn device with the adapter's full binding, buffer and workgroup limits. */
export async function openDawn(): Promise<Opened> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  let entry: GPU;
  try {
    const webgpu = await import('webgpu');
    Object.assign(globalThis, webgpu.globals);
    entry = webgpu.create([]);
  } catch (error) {
    return { reason: `the webgpu package did not load (${String(error)})` };
  }
  const adapter = await entry.requestAdapter().catch(() => null);
  if (!adapter) {
    const icd = process.env.VK_ICD_FILENAMES ?? 'unset';
    return { reason: `Dawn found no GPU adapter (VK_ICD_FILENAMES=${icd})` };
  }
  const info = adapter.info;
  const name = info.description || `${info.vendor} ${info.architecture}`.trim() || 'unknown';
  return { dawn: track(await fullDevice(adapter, 'test device'), name, entry) };
}

/** A device with the adapter's own binding, buffer and workgroup-memory limits. */
function fullDevice(adapter: GPUAdapter, label: string): Promise<GPUDevice> {
  const { limits } = adapter;
  return adapter.requestDevice({
    label,
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    },
  });
}

function track(device: GPUDevice, adapter: string, entry: GPU): Dawn {
  const live = new Map<GPUBuffer, string>();
  let writes = new Map<string, number>();
  let errors: string[] = [];
  device.addEventListener('uncapturederror', (event) => {
    errors.push((event as GPUUncapturedErrorEvent).error.message);
  });
  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = createBuffer(descriptor);
    live.set(buffer, descriptor.label ?? '(unlabelled)');
    const destroy = buffer.destroy.bind(buffer);
    buffer.destroy = () => {
      live.delete(buffer);
      destroy();
    };
    return buffer;
  };
  const queue = device.queue;
  const writeBuffer = queue.writeBuffer.bind(queue);
  queue.writeBuffer = (buffer, offset, data, dataOffset?: number, size?: number) => {
    const unit = ArrayBuffer.isView(data) ? (data as Uint8Array).BYTES_PER_ELEMENT : 1;
    const bytes = size !== undefined ? size * unit : data.byteLength - (dataOffset ?? 0) * unit;
    writes.set(buffer.label, (writes.get(buffer.label) ?? 0) + bytes);
    writeBuffer(buffer, offset, data, dataOffset, size);
  };
  return {
    device,
    adapter,
    liveBuffers: () => [...live.values()],
    async spareDevice() {
      // An adapter hands out one device; a second device needs a second adapter.
      const spare = await entry.requestAdapter();
      if (!spare) throw new Error('the adapter is gone');
      return fullDevice(spare, 'spare test device');
    },
    takeWrites() {
      const taken = writes;
      writes = new Map();
      return taken;
    },
    takeErrors() {
      const taken = errors;
      errors = [];
      return taken;
    },
    async scoped<T>(work: () => Promise<T>): Promise<T> {
      const filters: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];
      for (const filter of filters) device.pushErrorScope(filter);
      const outcome = await work().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      const found: string[] = [];
      for (let i = 0; i < filters.length; i++) {
        const error = await device.popErrorScope();
        if (error) found.push(error.message);
      }
      if (found.length) throw new Error(`WebGPU errors:\n${found.join('\n')}`);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
    destroy() {
      for (const buffer of [...live.keys()]) buffer.destroy();
      device.destroy();
    },
  };
}

/**
 * `describe(name)` over a Dawn device: after each test, no uncaptured WebGPU error and no live
 * buffer (leftovers are destroyed so one leak fails one test). Without an adapter, a warning
 * and a visibly skipped test carry the reason.
 */
export function describeGpu(name: string, opened: Opened, body: (dawn: Dawn) => void): void {
  const { dawn, reason } = opened;
  if (!dawn) {
    console.warn(`WARNING: WebGPU tests "${name}" are SKIPPED: ${reason}`);
    if (process.env.MEMKEEPER_REQUIRE_GPU) {
      describe(name, () => {
        it('has a WebGPU adapter (MEMKEEPER_REQUIRE_GPU is set)', () => {
          throw new Error(reason);
        });
      });
    } else {
      describe.skip(name, () => {
        it(`needs a WebGPU adapter: ${reason}`, () => {});
      });
    }
    return;
  }
  describe(`${name} [${dawn.adapter}]`, () => {
    afterEach(() => {
      const errors = dawn.takeErrors();
      const leaked = dawn.liveBuffers();
      dawn.takeWrites();
      if (errors.length) throw new Error(`uncaptured WebGPU errors:\n${errors.join('\n')}`);
      if (leaked.length) throw new Error(`buffers left alive: ${leaked.join(', ')}`);
    });
    afterAll(() => dawn.destroy());
    body(dawn);
  });
}
