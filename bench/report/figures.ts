/**
 * The figures of one `npm run bench` run, read back from what each bench wrote: its JSON where
 * it writes one, its printed lines where it only prints (the memory-speed bench), the text
 * itself where neither has a stable shape yet (KV). Nothing here measures; every figure comes
 * from this run's files.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** What run-all.mjs hands over for each bench. */
export interface BenchRun {
  name: string;
  /** `ok`, `absent` (no such script yet), or `exit N`. */
  status: string;
  seconds: number;
  output: string;
  json?: string;
}

/** A latency line the memory-speed bench prints: its label, p50 and p95 in ms. */
export interface LatencyLine {
  label: string;
  p50: number;
  p95: number;
  n: number;
}

export interface AllFigures {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; memoryGb: number; node: string; load: number[] };
  runs: { name: string; status: string; seconds: number }[];
  retrieval?: RetrievalJson;
  quality?: QualityJson;
  eval?: EvalJson;
  reopen?: unknown;
  memory?: LatencyLine[];
  /** Printed output of benches without JSON (KV). */
  text: Record<string, string>;
}

/** The parts of the retrieval bench's JSON the report reads. */
export interface RetrievalJson {
  machine?: { cpu: string; cores: number; runtimes?: Record<string, string> };
  envs: {
    env: string;
    gpu: { name: string } | null;
    rows: {
      data: string;
      n: number;
      system: string;
      path: string;
      storage: string;
      b1: { msPerQuery: number; recall: number } | null;
      b32: { msPerQuery: number; recall: number } | null;
      vsNaive: { b1: number | null; b32: number | null };
      notes: string[];
    }[];
  }[];
}

export interface QualityJson {
  budget: number;
  scores: {
    system: string;
    turns: number;
    accuracy: number;
    head: number;
    staleOnly: number;
    tokens: number;
    recallMsP50: number;
  }[];
}

export interface EvalJson {
  dataset: { conversations: number; turns: number; questions: number; scored: number };
  systems: {
    name: string;
    observeMs: { p50: number; p95: number };
    budgets: {
      budget: number;
      overall: { any: number; all: number; questions: number };
      categories: Record<string, { any: number; all: number; questions: number }>;
      tokens: number;
      recallMs: { p50: number; p95: number };
    }[];
  }[];
}

/** `observe(), 500 turns, full pipeline: p50 0.05 ms, p95 0.30 ms (n=500)` → a LatencyLine. */
export function latencyLines(text: string): LatencyLine[] {
  const out: LatencyLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^(.*?):\s*p50 ([\d.]+) ms, p95 ([\d.]+) ms \(n=(\d+)\)/.exec(line.trim());
    if (m) out.push({ label: m[1]!, p50: +m[2]!, p95: +m[3]!, n: +m[4]! });
  }
  return out;
}

function readJson<T>(file: string | undefined): T | undefined {
  if (!file) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Collects every bench's figures into one object. */
export function collect(runs: readonly BenchRun[], quick: boolean): AllFigures {
  const byName = new Map(runs.map((r) => [r.name, r]));
  const text: Record<string, string> = {};
  for (const r of runs) if (!r.json && r.status !== 'absent') text[r.name] = r.output;
  const memory = byName.get('memory');
  return {
    date: new Date().toISOString(),
    quick,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown CPU',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 1e9),
      node: process.version,
      load: loadavg().map((l) => +l.toFixed(2)),
    },
    runs: runs.map(({ name, status, seconds }) => ({ name, status, seconds: +seconds.toFixed(1) })),
    retrieval: readJson<RetrievalJson>(byName.get('retrieval')?.json),
    quality: readJson<QualityJson>(byName.get('quality')?.json),
    eval: readJson<EvalJson>(byName.get('eval')?.json),
    reopen: readJson<unknown>(byName.get('reopen')?.json),
    memory: memory ? latencyLines(memory.output) : undefined,
    text,
  };
}
