/**
 * `memkeeper/testing`: run a chat app's memory features in CI without a GPU. Chromium launch
 * options for software WebGPU (SwiftShader), a Playwright `test` on a fresh profile per test,
 * and `webgpuInfo()`. A Node entry for test suites; it needs `@playwright/test` (an optional
 * peer dependency) and is never imported by the main `memkeeper` entry.
 *
 * @example
 * import { test, expect, webgpuInfo } from 'memkeeper/testing';
 *
 * test('memory runs on software WebGPU', async ({ page }) => {
 *   await page.goto('/');
 *   expect((await webgpuInfo(page))?.architecture).toBe('swiftshader');
 * });
 */
export { expect } from '@playwright/test';
export { CHROMIUM_ARGS, chromiumLaunchOptions, systemChromium } from './chromium.js';
export { test, type MemkeeperFixtures } from './fixture.js';
export { webgpuInfo, type WebGpuInfo } from './webgpu.js';
