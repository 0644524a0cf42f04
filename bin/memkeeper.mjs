#!/usr/bin/env node
/**
 * The `memkeeper` command (`npx memkeeper eval <file>`). An installed package runs the build,
 * dist/eval.js (plain Node ESM over dist/index.js, the WASM kernels inlined). A checkout with
 * no build yet runs the TypeScript sources through Vite's module runner instead, as the benches
 * do (the engine imports its WGSL with `?raw`); after `npm run build` a checkout runs the build
 * too, so rebuild after changing src/ (or use `node bench/run-eval.mjs`, which always runs the
 * sources).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'eval.js');
const source = join(root, 'src', 'eval', 'cli.ts');

async function load() {
  if (existsSync(built)) return import(pathToFileURL(built).href);
  let runnerImport;
  try {
    ({ runnerImport } = await import('vite'));
  } catch {
    runnerImport = undefined;
  }
  if (!existsSync(source) || !runnerImport) {
    console.error(
      `memkeeper: ${built} is missing. In a checkout of the repository, run npm run build ` +
        '(or npm ci, which brings Vite to run the sources).',
    );
    process.exit(2);
  }
  const { module } = await runnerImport(source, { root, configFile: false, logLevel: 'warn' });
  return module;
}

const { main } = await load();
// transformers.js and its workers may hold handles open; the eval is done.
process.exit(await main(process.argv.slice(2)));
