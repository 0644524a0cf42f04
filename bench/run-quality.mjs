#!/usr/bin/env node
/**
 * Entry of `npm run bench:quality` and `npm run bench:memory`: loads a TypeScript bench through
 * Vite's module runner (the engine imports WGSL with `?raw`) and runs it.
 *
 * Usage: node bench/run-quality.mjs quality|memory-speed [bench args]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [which = 'quality', ...args] = process.argv.slice(2);
const entry = { quality: 'quality/main.ts', 'memory-speed': 'memory-speed/main.ts' }[which];
if (!entry) {
  console.error(`unknown bench ${which}; expected quality or memory-speed`);
  process.exit(2);
}
const { module } = await runnerImport(join(root, 'bench', entry), {
  root,
  configFile: false,
  logLevel: 'warn',
});
process.exit(await module.main(args));
