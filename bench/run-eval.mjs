#!/usr/bin/env node
/**
 * `memkeeper eval` from the sources, whatever dist holds: `npm run bench` measures the tree as
 * it is. Same arguments as the bin: node bench/run-eval.mjs eval <file> [options].
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { module } = await runnerImport(join(root, 'src', 'eval', 'cli.ts'), {
  root,
  configFile: false,
  logLevel: 'warn',
});
// transformers.js and its workers may hold handles open; the eval is done.
process.exit(await module.main(process.argv.slice(2)));
