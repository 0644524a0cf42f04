import { defineConfig } from 'vitest/config';

// The library build: one ESM file per entry, shaders and the WASM kernels inlined, no
// dependency bundled (apps bring their own copies of idb and transformers.js).
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    minify: false,
    lib: {
      entry: { index: 'src/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^@huggingface\/transformers/, /^idb/, /^compromise/, /^webgpu$/, /^node:/],
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
