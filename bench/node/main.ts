/**
 * `npm run bench:retrieval`: prepares the cached vectors, runs the plan in Node (Dawn for the
 * GPU rows), then in headless Chromium, and prints one table with an `env` column, the machine
 * line and the targets' PASS / FAIL lines; `--json FILE` also writes every figure.
 */
// The naive-idb peer's IndexedDB in Node: an in-memory model of the API.
import 'fake-indexeddb/auto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  parseArgs,
  QUERY_ROWS,
  queryPlan,
  USAGE,
  type BenchConfig,
  type DataKind,
} from '../options.js';
import {
  checkTargets,
  formatMachine,
  formatTable,
  formatTargets,
  LEGEND,
  type Machine,
} from '../report.js';
import { runRetrieval } from '../retrieval.js';
import type { EnvResult, Harness } from '../types.js';
import { runChromium } from './chromium.js';
import { ensureStream, readRows, type StreamFile } from './data.js';
import { openNodeGpu } from './gpu.js';

const say = (line: string): void => console.log(line);
const started = performance.now();
/** A progress line, with the seconds since the bench started. */
const tell = (line: string): void =>
  say(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** Runs the bench; resolves to the process exit code. */
export async function main(argv: readonly string[], root: string): Promise<number> {
  if (argv.includes('--help')) return (say(USAGE), 0);
  let config: BenchConfig;
  try {
    config = parseArgs(argv);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 2;
  }
  const largest = Math.max(...config.sizes);
  const streams = new Map<DataKind, StreamFile>();
  for (const kind of config.kinds) {
    const dir = join(root, 'bench', 'results', 'data');
    streams.set(
      kind,
      ensureStream(dir, kind, config.dim, largest, (l) => tell(`data: ${l}`)),
    );
  }
  const truths = new Map<string, Int32Array>();
  const envs: EnvResult[] = [];
  const runtimes: Machine['runtimes'] = {};
  const load: Machine['load'] = {};
  if (config.envs.includes('node')) {
    tell(`node: ${plan(config)}`);
    const before = loadavg()[0]!;
    envs.push(await runNode(config, streams, truths));
    runtimes.node = `Node ${process.version}`;
    load.node = [before, loadavg()[0]!];
  }
  let failed = false;
  if (config.envs.includes('chromium')) {
    tell(`chromium: ${plan(config)}`);
    const progress = (line: string): void => tell(`chromium: ${line}`);
    try {
      const before = loadavg()[0]!;
      const { result, version } = await runChromium({ root, config, streams, truths, progress });
      envs.push(result);
      runtimes.chromium = version;
      load.chromium = [before, loadavg()[0]!];
    } catch (error) {
      // Keep what Node measured: the table below still prints, and the exit code says it.
      failed = true;
      tell(`chromium: FAILED: ${error instanceof Error ? error.message : error}`);
    }
  }
  const machine: Machine = {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memoryGb: totalmem() / 1e9,
    runtimes,
    load,
  };
  const targets = checkTargets(envs);
  const seconds = (performance.now() - started) / 1000;
  say('');
  say(formatMachine(machine, envs));
  say(formatTable(envs));
  say('');
  say(LEGEND);
  for (const e of envs) {
    for (const c of e.truthChecks) {
      const line = `exact top-10 for ${c.data} ${c.n}: ${c.source}; vs exactTopK on ${c.sampled} queries: recall ${c.recall.toFixed(3)}`;
      say(c.recall < 0.99 ? `WARNING ${line}` : line);
    }
    for (const note of e.notes) say(`${e.env}: ${note}`);
    say(`${e.env}: ${e.seconds.toFixed(0)} s`);
  }
  say('');
  say(formatTargets(targets));
  say(`total ${seconds.toFixed(0)} s`);
  if (config.json) {
    const file = resolve(config.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ machine, config, envs, targets, seconds }, null, 2));
    say(`wrote ${file}`);
  }
  return failed ? 1 : 0;
}

function plan(config: BenchConfig): string {
  const sizes = config.sizes.map((n) => {
    const p = queryPlan(n);
    return `${n} (${p.b1} × b1, ${p.b32} × b32)`;
  });
  return `N = ${sizes.join(', ')}; ${config.kinds.join(' + ')}; d = ${config.dim}, k = ${config.k}`;
}

async function runNode(
  config: BenchConfig,
  streams: ReadonlyMap<DataKind, StreamFile>,
  truths: Map<string, Int32Array>,
): Promise<EnvResult> {
  const gpu = config.gpu ? await openNodeGpu() : { reason: '--no-gpu' };
  const info = gpu.context?.info;
  const collect = (globalThis as { gc?: () => void }).gc;
  const harness: Harness = {
    env: 'node',
    gpu: gpu.context?.device,
    gpuInfo: info ? { name: info.name, isFallback: info.isFallback } : null,
    gpuMissing: gpu.reason,
    async loadSet(kind, n, queries) {
      const stream = streams.get(kind)!;
      return {
        kind,
        n,
        dim: config.dim,
        queries: readRows(stream, config.dim, 0, queries),
        data: readRows(stream, config.dim, QUERY_ROWS, n), // stored rows follow the queries
        truth: undefined, // Node runs first: it finds them
      };
    },
    keepTruth: (kind, n, truth) => void truths.set(`${kind}-${n}`, truth),
    loadHnsw: undefined,
    async heapBytes() {
      collect?.();
      return collect ? process.memoryUsage().heapUsed : undefined;
    },
    progress: (line) => tell(`node: ${line}`),
  };
  try {
    return await runRetrieval(config, harness);
  } finally {
    gpu.context?.destroy();
  }
}
