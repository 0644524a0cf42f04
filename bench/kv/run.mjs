#!/usr/bin/env node
/**
 * Entry of `npm run bench:kv`: loads the TypeScript bench through Vite's module runner, which
 * (unlike tsx) handles the `?raw` imports of the WGSL shaders, and runs it.
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
await module.main();
// Dawn may hold handles open; the bench is done.
process.exit(0);
