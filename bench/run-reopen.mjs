#!/usr/bin/env node
/**
 * Entry of `npm run bench:reopen`: loads bench/reopen/main.ts through Vite's module runner and
 * runs it. Usage: npm run bench:reopen -- [--items 100000] [--observe 500]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { module } = await runnerImport(join(root, 'bench', 'reopen', 'main.ts'), {
  root,
  configFile: false,
  logLevel: 'warn',
});
process.exit(await module.main(process.argv.slice(2), root));
