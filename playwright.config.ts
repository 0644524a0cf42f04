import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './src/testing/chromium.js';

const PORT = Number(process.env.E2E_PORT ?? 5183);

/**
 * Browser tests run in the system's Chromium on software WebGPU (SwiftShader), against pages
 * served by Vite on 127.0.0.1: navigator.gpu exists only on a secure origin.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 300_000,
  fullyParallel: false,
  workers: 1,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: chromiumLaunchOptions(),
  },
  webServer: {
    command: `node node_modules/vite/bin/vite.js --config e2e/vite.config.ts --port ${PORT} --strictPort --host 127.0.0.1 --bypass-lock`,
    url: `http://127.0.0.1:${PORT}/e2e/pages/kernels.html`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
