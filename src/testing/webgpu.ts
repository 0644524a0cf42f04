import type { Page } from '@playwright/test';

/** What a page's WebGPU adapter says about itself. */
export interface WebGpuInfo {
  vendor: string;
  /** `'swiftshader'` on the software adapter that CI runs on. */
  architecture: string;
  device: string;
  description: string;
  /** True on a software (fallback) adapter: memkeeper then searches with WASM SIMD. */
  isFallbackAdapter: boolean;
}

/**
 * The WebGPU adapter the page gets, or null where it has none (no `navigator.gpu`, or no
 * adapter). Call it after `page.goto()` to the app: WebGPU is exposed only on a secure origin
 * (https, or http on localhost / 127.0.0.1), never on `about:blank`.
 *
 * @example
 * await page.goto('/');
 * const gpu = await webgpuInfo(page);
 * expect(gpu?.architecture).toBe('swiftshader');
 */
export async function webgpuInfo(page: Page): Promise<WebGpuInfo | null> {
  return page.evaluate(async () => {
    if (!('gpu' in navigator) || !navigator.gpu) return null;
    const adapter = await navigator.gpu.requestAdapter().catch(() => null);
    if (!adapter) return null;
    const info = adapter.info;
    // Chromium before 130 put the fallback flag on the adapter, not on its info.
    const legacy = adapter as unknown as { isFallbackAdapter?: boolean };
    return {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter ?? legacy.isFallbackAdapter ?? false,
    };
  });
}
