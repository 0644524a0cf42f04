#!/usr/bin/env node
/**
 * Builds the eval command into dist/eval.js (part of `npm run build`, after the library build):
 * the `memkeeper` bin of an installed package runs it in plain Node. The engine is not bundled
 * again: src/eval imports it through src/index.ts, which this build leaves as an import of
 * ./index.js, the library build's own entry (with the WASM kernels inlined). What the eval
 * uses beyond the public API (BM25, turn rendering, token estimates) is small and bundled.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const engine = join(root, 'src', 'index.ts');

await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: false, // the library build's files are already there
    target: 'node20',
    sourcemap: true,
    minify: false,
    lib: { entry: { eval: 'src/eval/cli.ts' }, formats: ['es'] },
    rollupOptions: {
      external: (id) =>
        id === engine ||
        /^node:/.test(id) ||
        /^@huggingface\/transformers/.test(id) ||
        /^(idb|compromise)($|\/)/.test(id),
      output: { paths: { [engine]: './index.js' } },
    },
  },
});
