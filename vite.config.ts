import { defineConfig } from 'vitest/config';

// The library build: one ESM file per entry, shaders and the WASM kernels inlined, no
// dependency bundled (apps bring their own copies of idb and transformers.js). `testing` is a
// Node entry for apps' Playwright suites: it imports node:* and @playwright/test, never bundled.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    minify: false,
    lib: {
      entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external: [
        /^@huggingface\/transformers/,
        /^@playwright\/test/,
        /^idb/,
        /^compromise/,
        /^webgpu$/,
        /^node:/,
      ],
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests import the generated WASM kernels: (re)build them first, a no-op when current.
    globalSetup: ['scripts/build-wasm.mjs'],
  },
});
