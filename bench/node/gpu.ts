/**
 * WebGPU in Node for the bench: Dawn from the `webgpu` package on the SwiftShader Vulkan
 * driver Debian's chromium package ships, acquired through memkeeper's own `acquireGpu` so the
 * device has the limits an app's would.
 */
import { existsSync } from 'node:fs';
// Static: Vite's module runner is closed once the bench is loaded, so no import() later.
import * as webgpu from 'webgpu';
import { acquireGpu, type GpuContext } from '../../src/index.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The Dawn device, or why there is none. */
export async function openNodeGpu(): Promise<{ context?: GpuContext; reason?: string }> {
  // The Vulkan loader reads this when Dawn creates its instance, i.e. at create() below.
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  try {
    Object.assign(globalThis, webgpu.globals);
    const context = await acquireGpu(webgpu.create([]));
    return context?.device ? { context } : { reason: 'Dawn returned no device' };
  } catch (error) {
    return { reason: `no Dawn device: ${error instanceof Error ? error.message : error}` };
  }
}
