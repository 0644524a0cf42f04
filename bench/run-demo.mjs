#!/usr/bin/env node
/**
 * Entry of `npm run bench:demo`: loads bench/demo/main.ts through Vite's module runner and runs
 * it. Usage: npm run bench:demo -- [--turns 2000] [--json FILE]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { module } = await runnerImport(join(root, 'bench', 'demo', 'main.ts'), {
  root,
  configFile: false,
  logLevel: 'warn',
});
process.exit(await module.main(process.argv.slice(2), root));
