#!/usr/bin/env node
/**
 * The `memkeeper` command (`npx memkeeper eval <file>`). It runs the TypeScript sources through
 * Vite's module runner, as the benches do, because the engine imports its WGSL with `?raw`: so
 * it works in a fresh clone after `npm ci`, with no build step, and always runs the code as it
 * is in the tree.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'eval', 'cli.ts');
let runnerImport;
try {
  ({ runnerImport } = await import('vite'));
} catch {
  runnerImport = undefined;
}
if (!existsSync(entry) || !runnerImport) {
  console.error(
    'memkeeper eval runs from a checkout of the repository with its dev dependencies ' +
      '(git clone, then npm ci): it needs src/eval and vite.',
  );
  process.exit(2);
}
const { module } = await runnerImport(entry, { root, configFile: false, logLevel: 'warn' });
// transformers.js and its workers may hold handles open; the eval is done.
process.exit(await module.main(process.argv.slice(2)));
