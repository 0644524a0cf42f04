#!/usr/bin/env node
/**
 * The package as a user gets it: `npm pack`, install the tarball into an empty folder outside
 * the repository (npm fetches its dependencies from the registry), then `npx memkeeper eval`
 * on the tiny LoCoMo fixture there, and check that memkeeper ran on the WASM kernels.
 * Run after `npm run build`: node scripts/smoke-pack.mjs
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'memkeeper-pack-'));
const sh = (command, args, cwd = dir) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
try {
  const tarball = sh('npm', ['pack', '--silent', '--pack-destination', dir], root).trim();
  writeFileSync(join(dir, 'package.json'), '{"name":"pack-check","private":true,"type":"module"}');
  sh('npm', ['install', '--no-audit', '--no-fund', join(dir, tarball)]);
  copyFileSync(
    join(root, 'test', 'fixtures', 'eval', 'tiny-locomo.json'),
    join(dir, 'locomo.json'),
  );
  const table = sh('npx', ['memkeeper', 'eval', 'locomo.json', '--json', 'out.json', '--quiet']);
  const result = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
  if (result.dataset.scored !== 4 || result.systems.length !== 4)
    throw new Error(`unexpected result: ${JSON.stringify(result.dataset)}`);
  writeFileSync(
    join(dir, 'backend.mjs'),
    "import { createMemory } from 'memkeeper';\n" +
      "const m = await createMemory({ gpu: 'cpu' });\nconsole.log(m.backend.name);\nm.destroy();\n",
  );
  const backend = sh(process.execPath, ['backend.mjs']).trim();
  if (backend !== 'wasm') throw new Error(`the installed package runs on ${backend}, not wasm`);
  console.log(table.split('\n').slice(0, 6).join('\n'));
  console.log(`pack smoke: ok (${tarball} installed in ${dir}; npx memkeeper eval ran; wasm)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
