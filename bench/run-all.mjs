#!/usr/bin/env node
/**
 * Entry of `npm run bench`: runs every benchmark through its own script, each writing its
 * figures into one results folder, then writes one HTML report and one JSON of all figures
 * from them. Each bench runs in a child process of its own, as it does alone, so that one's
 * heap and GPU device cannot slow the next; a bench that fails is reported, not fatal.
 *
 * Usage: npm run bench -- [--quick] [--only retrieval,quality,memory,kv,reopen,eval] [--out DIR]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const out = resolve(option('--out') ?? join(root, 'bench', 'results'));
const only = option('--only')?.split(',');
mkdirSync(out, { recursive: true });
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts ?? {};

/** Each bench: its command, full and --quick; `json` is where it writes its figures. */
const benches = [
  {
    name: 'retrieval',
    argv: ['--expose-gc', 'bench/run-retrieval.mjs', '--json', join(out, 'retrieval.json')],
    quick: ['--sizes', '2000,10000', '--env', 'node'],
    json: 'retrieval.json',
  },
  {
    name: 'quality',
    argv: ['bench/run-quality.mjs', 'quality', '--json', join(out, 'quality.json')],
    quick: ['--sizes', '200,1000'],
    json: 'quality.json',
  },
  {
    name: 'memory',
    argv: [
      '--expose-gc',
      'bench/run-quality.mjs',
      'memory-speed',
      '--json',
      join(out, 'memory.json'),
    ],
    quick: ['--memories', '10000', '--turns', '500'],
    json: 'memory.json',
  },
  {
    name: 'kv',
    argv: ['bench/kv/run.mjs', '--json', join(out, 'kv.json')],
    quick: [],
    json: 'kv.json',
  },
  {
    name: 'reopen',
    npm: 'bench:reopen',
    argv: ['--json', join(out, 'reopen.json')],
    quick: ['--quick'],
    json: 'reopen.json',
  },
  {
    // The eval on the quality bench's scripted dialogue, at several budgets: recall vs tokens.
    name: 'eval',
    prepare: true,
    argv: ['bench/run-eval.mjs', 'eval', join(out, 'eval-dataset.json'), '--quiet'],
    budgets: quick ? '250,500,1000' : '250,500,1000,2000,4000',
    json: 'eval.json',
  },
];

const build = spawnSync('npm', ['run', 'build:wasm'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const { module: report } = await runnerImport(join(root, 'bench', 'report', 'main.ts'), {
  root,
  configFile: false,
  logLevel: 'warn',
});
const runs = [];
for (const bench of benches) {
  if (only && !only.includes(bench.name)) continue;
  if (bench.npm && !scripts[bench.npm]) {
    runs.push({ name: bench.name, status: 'absent', seconds: 0, output: `no ${bench.npm} script` });
    continue;
  }
  if (bench.prepare) report.writeEvalDataset(join(out, 'eval-dataset.json'), quick ? 1000 : 2000);
  const extra = bench.budgets
    ? ['--budgets', bench.budgets, '--json', join(out, bench.json)]
    : quick
      ? bench.quick
      : [];
  const [command, argv] = bench.npm
    ? ['npm', ['run', '--silent', bench.npm, '--', ...bench.argv, ...extra]]
    : [process.execPath, [...bench.argv, ...extra]];
  const jsonFile = bench.json && join(out, bench.json);
  // A file left by an earlier run must not pass for this run's figures.
  if (jsonFile) rmSync(jsonFile, { force: true });
  console.error(`\n== ${bench.name}: ${[command, ...argv].join(' ')}`);
  const started = performance.now();
  // Output is kept for the report (the memory and KV benches print their figures) and echoed.
  const child = spawnSync(command, argv, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = `${child.stdout ?? ''}${child.stderr ?? ''}`;
  process.stderr.write(output);
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(join(out, `${bench.name}.txt`), output);
  runs.push({
    name: bench.name,
    status: child.status === 0 ? 'ok' : `exit ${child.status ?? child.signal}`,
    seconds,
    output,
    json: jsonFile && existsSync(jsonFile) ? jsonFile : undefined,
  });
}
const written = report.writeReport(out, runs, { quick });
console.log(`\nwrote ${written.html}\nwrote ${written.json}`);
for (const r of runs)
  console.log(`${r.name.padEnd(10)} ${r.status.padEnd(8)} ${r.seconds.toFixed(0)} s`);
process.exit(runs.every((r) => r.status === 'ok' || r.status === 'absent') ? 0 : 1);
