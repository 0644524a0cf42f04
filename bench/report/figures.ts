/**
 * The figures of one `npm run bench` run, read back from the JSON each bench wrote (the printed
 * output of a bench that wrote none is kept as text). Nothing here measures; every figure comes
 * from this run's files.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { ReopenFigures } from '../reopen/figures.js';

/** What run-all.mjs hands over for each bench. */
export interface BenchRun {
  name: string;
  /** `ok`, `absent` (no such script yet), or `exit N`. */
  status: string;
  seconds: number;
  output: string;
  json?: string;
}

/** p50 / p95 in ms over n calls. */
export interface Quantiles {
  p50: number;
  p95: number;
  n: number;
}

/** What the memory-speed bench writes (bench/memory-speed/main.ts). */
export interface MemoryJson {
  turns: number;
  memories: number;
  observe: Quantiles;
  drainMs: number;
  seedSeconds: number;
  recall: Quantiles;
  busy: Quantiles & { pending: number };
  backend: { name: string; reason: string };
  targets: { line: string; pass: boolean }[];
}

/** What the KV bench writes (bench/kv/main.ts). */
export interface KvJson {
  hostBandwidthGbS: number;
  gpu: string | null;
  shape: { layers: number; kvHeads: number; seq: number; headDim: number };
  timing: {
    keepFraction: number;
    keep: number;
    gpuMs: number;
    tsMs: number;
    bytesMoved: number;
    floorMs: number;
    cacheBytesBefore: number;
    cacheBytesAfter: number;
    scratchBytes: number;
  }[];
  quality: {
    setup: string;
    rows: {
      policy: string;
      compression: number;
      kept: number;
      massKept: number;
      outputError: number;
    }[];
  };
}

export interface AllFigures {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; memoryGb: number; node: string; load: number[] };
  runs: { name: string; status: string; seconds: number }[];
  retrieval?: RetrievalJson;
  quality?: QualityJson;
  eval?: EvalJson;
  reopen?: ReopenFigures;
  memory?: MemoryJson;
  kv?: KvJson;
  /** Printed output of benches that wrote no JSON (failed before writing it, or absent). */
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
      reopenMs?: number | null;
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
    /** The dialogue set (script, chat, heldout); absent in files from before there were sets. */
    dialogue?: string;
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
    reopen: readJson<ReopenFigures>(byName.get('reopen')?.json),
    memory: readJson<MemoryJson>(byName.get('memory')?.json),
    kv: readJson<KvJson>(byName.get('kv')?.json),
    text,
  };
}
