/**
 * Turns the environments' rows into the bench's one table, the machine line and the PASS /
 * FAIL lines of the issue's targets. Every ratio was computed within one environment and run;
 * this file only selects and prints.
 */
import type { EnvName } from './options.js';
import { label } from './rows.js';
import type { EnvResult, Row } from './types.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly runtimes: Partial<Record<EnvName, string>>;
  /** 1-minute load averages when each environment started and ended: other work skews timings. */
  readonly load: Partial<Record<EnvName, readonly [number, number]>>;
}

export interface Target {
  readonly env: EnvName;
  readonly data: string;
  readonly target: string;
  readonly status: 'PASS' | 'FAIL' | 'SKIP';
  readonly detail: string;
}

const HEADER = [
  'env',
  'data',
  'N',
  'path',
  'store',
  'build s',
  'reopen s',
  'scan B/v',
  'held B/v',
  'b1 ms',
  'b32 ms',
  'b32 ms/q',
  'recall@10',
  'floor ms',
  'b1/floor',
  'b32q/floor',
  'b1 vs naive',
  'b32 vs naive',
  'runs',
  'notes',
];

/** The combined table: one line per row, columns padded. */
export function formatTable(envs: readonly EnvResult[]): string {
  const lines = envs.flatMap((e) => e.rows).map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const pad = (line: string[]): string =>
    line
      .map((cell, i) =>
        i < 5 || i === line.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [pad(HEADER), pad(widths.map((w) => '-'.repeat(w))), ...lines.map(pad)].join('\n');
}

function cells(r: Row): string[] {
  const path = {
    memkeeper: r.path,
    'naive-js': 'naive-js',
    'naive-idb': 'naive-idb',
    orama: `orama ${r.path}`,
    'hnswlib-wasm': `hnsw ${r.path}`,
  }[r.system];
  const seconds = (value: number | null) =>
    value === null ? '-' : (value / 1000).toFixed(value < 10_000 ? 2 : 1);
  return [
    r.env,
    r.data,
    label(r.n),
    path,
    r.storage,
    seconds(r.buildMs),
    seconds(r.reopenMs),
    r.scanBytesPerVector === null ? '-' : String(r.scanBytesPerVector),
    r.heldBytesPerVector === null ? '-' : r.heldBytesPerVector.toFixed(0),
    ms(r.b1?.ms),
    ms(r.b32?.ms),
    ms(r.b32?.msPerQuery),
    recall(r),
    ms(r.floorMs ?? undefined),
    times(r.floorRatio.b1),
    times(r.floorRatio.b32),
    times(r.vsNaive.b1),
    times(r.vsNaive.b32),
    r.b1 ? `${r.b1.runs}/${r.b32?.runs ?? 0}` : '-',
    r.notes.join('; '),
  ];
}

function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return value.toFixed(value < 1 ? 3 : value < 10 ? 2 : value < 100 ? 1 : 0);
}

function times(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '-';
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)}x`;
}

/** Recall@10 over every timed query of the row, batch 1 and batch 32 together. */
export function rowRecall(r: Row): number | undefined {
  if (!r.b1) return undefined;
  const b32Queries = (r.b32?.runs ?? 0) * 32;
  const total = r.b1.runs + b32Queries;
  return (r.b1.recall * r.b1.runs + (r.b32?.recall ?? 0) * b32Queries) / total;
}

function recall(r: Row): string {
  const value = rowRecall(r);
  return value === undefined ? '-' : value.toFixed(3);
}

const CPU_PATHS = new Set(['wasm', 'ts']);

/**
 * The targets at N = 100k, batch 1 (and 1M for int8), per environment and data set.
 * A target whose size was not run is SKIP, never PASS.
 */
export function checkTargets(envs: readonly EnvResult[]): Target[] {
  const targets: Target[] = [];
  for (const e of envs) {
    for (const data of [...new Set(e.rows.map((r) => r.data))]) {
      const rows = e.rows.filter((r) => r.data === data && r.system === 'memkeeper' && r.b1);
      const at = (n: number, storage?: string, cpuOnly = true) =>
        rows
          .filter((r) => r.n === n && (!storage || r.storage === storage))
          .filter((r) => !cpuOnly || CPU_PATHS.has(r.path))
          .sort((a, b) => a.b1!.ms - b.b1!.ms);
      const push = (target: string, status: Target['status'], detail: string) =>
        targets.push({ env: e.env, data, target, status, detail });

      const cpu = at(100_000);
      const best = cpu[0];
      const floorTarget = 'best CPU path at 100k, b1, within 1.5x of its bandwidth floor';
      if (!best || best.floorRatio.b1 === null) push(floorTarget, 'SKIP', 'no 100k CPU rows');
      else {
        const perStorage = ['f32', 'f16', 'int8']
          .map((s) => at(100_000, s)[0])
          .filter((r) => r?.floorRatio.b1 != null)
          .map((r) => `${r!.storage} ${r!.path} ${times(r!.floorRatio.b1)}`);
        push(
          floorTarget,
          best.floorRatio.b1 <= 1.5 ? 'PASS' : 'FAIL',
          `${best.storage} ${best.path} ${ms(best.b1!.ms)} ms vs floor ${ms(best.floorMs!)} ms = ` +
            `${times(best.floorRatio.b1)} (each storage's best: ${perStorage.join(', ')})`,
        );
      }

      const int8 = at(100_000, 'int8')[0];
      const naiveTarget = 'int8 + f32 rescoring at 100k, b1: >= 10x naive JS at recall@10 >= 0.99';
      if (!int8 || int8.vsNaive.b1 === null) push(naiveTarget, 'SKIP', 'no 100k int8 or naive row');
      else {
        const ok = int8.vsNaive.b1 >= 10 && int8.b1!.recall >= 0.99;
        push(
          naiveTarget,
          ok ? 'PASS' : 'FAIL',
          `${int8.path} ${ms(int8.b1!.ms)} ms, ${times(int8.vsNaive.b1)} naive, ` +
            `recall@10 ${int8.b1!.recall.toFixed(3)}`,
        );
      }

      const big = at(1_000_000, 'int8', false)[0];
      const bigTarget = 'int8 at 1M, b1: under 40 ms';
      if (!big) push(bigTarget, 'SKIP', 'no 1M int8 row');
      else {
        push(
          bigTarget,
          big.b1!.ms < 40 ? 'PASS' : 'FAIL',
          `${big.path} ${ms(big.b1!.ms)} ms (recall@10 ${big.b1!.recall.toFixed(3)})`,
        );
      }
    }
  }
  return targets;
}

export function formatTargets(targets: readonly Target[]): string {
  return targets
    .map((t) => `${t.status}  [${t.env} ${t.data}] ${t.target}: ${t.detail}`)
    .join('\n');
}

/** The machine line: CPU, memory, runtimes, each environment's GPU adapter and bandwidth. */
export function formatMachine(machine: Machine, envs: readonly EnvResult[]): string {
  const parts = [
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb.toFixed(0)} GB RAM`,
    ...Object.entries(machine.runtimes).map(([env, version]) => `${env}: ${version}`),
  ];
  for (const e of envs) {
    const gpu = e.gpu ? `${e.gpu.name}${e.gpu.isFallback ? ' (fallback adapter)' : ''}` : 'none';
    const widest = [...e.floors].sort((a, b) => b.bytes - a.bytes)[0];
    const bandwidth = widest
      ? `, streamSum ${widest.gbPerS.toFixed(1)} GB/s over ${(widest.bytes / 1e6).toFixed(0)} MB`
      : '';
    const load = machine.load[e.env];
    const busy = load ? `, load ${load[0].toFixed(1)} → ${load[1].toFixed(1)}` : '';
    parts.push(`${e.env} GPU: ${gpu}${bandwidth}${busy}`);
  }
  return `machine: ${parts.join(' | ')}`;
}

export const LEGEND = [
  'build = insert (GPU rows: + first search, i.e. the upload); index creation is createMs in the JSON',
  'reopen = naive-idb: open its IndexedDB and read every record back (fake-indexeddb in Node)',
  'naive-idb = the naive JS loop over records read from IndexedDB; orama hybrid = BM25 over',
  "  each vector's text (its largest components as words) + vector; its recall is vs the vector top 10",
  'scan B/v = bytes a full scan streams per vector; held B/v = host (+ GPU) bytes per vector,',
  '  int8 including its f32 originals for rescoring; naive: measured JS heap growth; HNSW: n/a',
  'b1 = median ms per query at batch 1; b32 = median ms per batch of 32, and per query',
  'recall@10 = against the exact top 10, over every timed query of the row',
  'floor = WASM streamSum over the same bytes of the same store, best of 3 × 5 reads, same run',
  "vs naive = naive JS ms per query / this row's, same env, data and N",
  'runs = timed batch-1 queries / timed batches of 32',
].join('\n');
