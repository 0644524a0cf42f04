/** Building blocks of the bench's rows: the shared context of one data set, names, summaries. */
import type { BenchConfig, DataKind } from './options.js';
import type { Floor, Harness, QuerySet, Row } from './types.js';

/** What the row builders of one data set share. */
export interface SetContext {
  readonly config: BenchConfig;
  readonly harness: Harness;
  readonly set: QuerySet;
  /** Rows of this environment's earlier sizes, for notes on rows that were skipped. */
  readonly earlier: readonly Row[];
  /** Floors measured so far in this environment (each index adds its own). */
  readonly floors: Floor[];
  /** Set by the first (f32) index when no earlier environment found it. */
  truth: Int32Array | undefined;
}

/** A row with nothing measured yet. */
export function emptyRow(
  context: SetContext,
  system: Row['system'],
  path: string,
  storage: string,
): Row {
  const { set, harness } = context;
  return {
    env: harness.env,
    data: set.kind,
    n: set.n,
    system,
    path,
    storage,
    createMs: null,
    buildMs: null,
    reopenMs: null,
    scanBytesPerVector: null,
    heldBytesPerVector: null,
    b1: null,
    b32: null,
    floorMs: null,
    floorRatio: { b1: null, b32: null },
    vsNaive: { b1: null, b32: null },
    notes: [],
  };
}

/** `1M`, `100k`, `10k`. */
export function label(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

export function name(set: { kind: DataKind; n: number }): string {
  return `${set.kind} ${label(set.n)}`;
}

/** A one-line summary for progress output. */
export function summary(r: Row): string {
  const b1 = r.b1 ? `b1 ${r.b1.ms.toFixed(2)} ms (${r.b1.runs})` : 'b1 -';
  const b32 = r.b32 ? `b32 ${r.b32.ms.toFixed(1)} ms (${r.b32.runs})` : 'b32 -';
  const recall = r.b1 ? `recall ${r.b1.recall.toFixed(3)}` : '';
  return `${b1}, ${b32}, ${recall}`;
}
