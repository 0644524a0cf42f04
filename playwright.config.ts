import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './src/testing/index.js';

const PORT = Number(process.env.E2E_PORT ?? 5183);
const DEMO_PORT = Number(process.env.E2E_DEMO_PORT ?? 4183);
const vite = 'node node_modules/vite/bin/vite.js';
// The specs' own build of the demo, apart from `npm start`'s build/demo (which may be serving).
// --bypass-lock: Vite 8 allows one build and one preview per project at a time, and a person
// may be running `npm start` beside the tests.
const demo = '--config demo/vite.config.ts --outDir ../build/e2e-demo --bypass-lock';

/**
 * Browser tests run in the system's Chromium on software WebGPU (SwiftShader), against pages
 * served on 127.0.0.1 (navigator.gpu exists only on a secure origin). Two projects:
 * - `pages`: the check pages under e2e/pages, from the Vite dev server on E2E_PORT;
 * - `demo`: the specs under e2e/demo, against the production build of the demo (service
 *   worker included, which the dev server does not have), from `vite preview` on E2E_DEMO_PORT.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 300_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: { launchOptions: chromiumLaunchOptions() },
  projects: [
    {
      name: 'pages',
      testIgnore: 'demo/**',
      use: { baseURL: `http://127.0.0.1:${PORT}` },
    },
    {
      name: 'demo',
      testMatch: 'demo/**/*.spec.ts',
      use: { baseURL: `http://127.0.0.1:${DEMO_PORT}` },
    },
  ],
  webServer: [
    {
      command: `${vite} --config e2e/vite.config.ts --port ${PORT} --strictPort --host 127.0.0.1 --bypass-lock`,
      url: `http://127.0.0.1:${PORT}/e2e/pages/kernels.html`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
    {
      // One production build (a few seconds; the WASM kernels are already built, or built here
      // when stale), then a static server: no rebuild per spec.
      command: `node scripts/build-wasm.mjs && ${vite} build ${demo} --logLevel warn && ${vite} preview ${demo} --port ${DEMO_PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${DEMO_PORT}/`,
      // Never reused: a preview left running serves the build it started with, not this one.
      reuseExistingServer: false,
      timeout: 180_000,
    },
  ],
});
