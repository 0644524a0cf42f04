#!/usr/bin/env node
/**
 * Entry of `npm run bench:kv`: loads the TypeScript bench through Vite's module runner, which
 * (unlike tsx) handles the `?raw` imports of the WGSL shaders, and runs it.
 * Usage: npm run bench:kv -- [--json FILE]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { module } = await runnerImport(join(root, 'bench', 'kv', 'main.ts'), {
  root,
  configFile: false,
  logLevel: 'warn',
});
const code = await module.main(process.argv.slice(2));
// Dawn may hold handles open; the bench is done.
process.exit(code);
