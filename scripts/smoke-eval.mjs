#!/usr/bin/env node
/**
 * After `npm run build`: runs the `memkeeper` bin as an installed package has it, from a
 * folder holding only package.json, bin/ and dist/ (node_modules linked for idb and compromise),
 * so the command cannot reach src/ or fall back to Vite; checks the hand-checked figures of
 * the tiny dataset (src/eval/run.test.ts works them out) in the JSON it writes, and that a
 * malformed file exits 2 with a message naming the problem.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'memkeeper-eval-'));
const fail = (message) => {
  console.error(`eval smoke: ${message}`);
  process.exit(1);
};
try {
  for (const part of ['package.json', 'bin', 'dist'])
    cpSync(join(root, part), join(dir, part), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const bin = join(dir, 'bin', 'memkeeper.mjs');
  const run = (...args) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  const out = join(dir, 'out.json');
  const data = join(root, 'test', 'fixtures', 'eval', 'tiny.json');
  const ok = run('eval', data, '--budgets', '40,1000', '--json', out, '--quiet');
  if (ok.status !== 0) fail(`exit ${ok.status}\n${ok.stdout}${ok.stderr}`);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  const at = (system, budget) => {
    const b = result.systems
      .find((s) => s.name === system)
      ?.budgets.find((x) => x.budget === budget);
    return b && [b.overall.any, b.overall.all, b.overall.questions].join('/');
  };
  const want = {
    'recent window@40': '0/0/4',
    'BM25 turns@40': '1/0.75/4',
    'recent window@1000': '1/1/4',
    'memkeeper@1000': '1/1/4',
    'embedder only@1000': '1/1/4',
  };
  for (const [key, expected] of Object.entries(want)) {
    const [system, budget] = key.split('@');
    const got = at(system, Number(budget));
    if (got !== expected) fail(`${key}: any/all/questions ${got}, expected ${expected}`);
  }
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"conversations": [{"id": "c", "sessions": 3}]}');
  const rejected = run('eval', bad, '--quiet');
  if (rejected.status !== 2 || !/sessions/.test(rejected.stderr))
    fail(`a malformed file: exit ${rejected.status}, "${rejected.stderr.trim()}"`);
  console.log(`eval smoke: ok (bin from dist; ${rejected.stderr.trim()})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
