/**
 * Timing and scoring helpers shared by the Node and Chromium runs of the retrieval bench:
 * medians, time-boxed repeat loops, recall@k against the exact ids, and the bytes a scan of
 * each storage type streams per row (the basis of the bandwidth floor).
 */
import { rowLayout, type VectorStorage } from '../src/vectors/layout.js';
import type { BatchFigures } from './types.js';

/** The median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** How long a timed loop may run: at least `min` repeats, at most `max`, stopping after `ms`. */
export interface Budget {
  readonly min: number;
  readonly max: number;
  readonly ms: number;
}

/**
 * Runs `step(i)` for i = 0, 1, ... within `budget` and returns each step's milliseconds. A
 * time box instead of a fixed count keeps slow rows (plain TS at 1M, SwiftShader) from
 * stretching the run while fast rows still get many samples.
 */
export async function timeSteps(
  budget: Budget,
  step: (i: number) => Promise<void> | void,
): Promise<number[]> {
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < budget.max; i++) {
    if (i >= budget.min && performance.now() - start > budget.ms) break;
    const t = performance.now();
    await step(i);
    times.push(performance.now() - t);
  }
  return times;
}

/** Times one call, returning its result and milliseconds. */
export async function timed<T>(work: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/**
 * The fraction of `truth` (the exact top-k rows of query `q`, `k` per query, flat) found in
 * `found`. Ids in the bench are row numbers as strings or numbers.
 */
export function recallOf(
  found: readonly (string | number)[],
  truth: Int32Array,
  q: number,
  k: number,
): number {
  const want = new Set<number>();
  for (let j = 0; j < k; j++) want.add(truth[q * k + j]!);
  let hits = 0;
  for (const id of found.slice(0, k)) if (want.has(Number(id))) hits++;
  return hits / k;
}

/** The mean of `values` (NaN for none). */
export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/**
 * Bytes a full scan reads per stored row: the row itself plus its u32 session ordinal, and for
 * int8 its f32 scale. The f32 originals of int8 rows are read only for the few rescored
 * candidates, so they do not count.
 */
export function scanBytesPerRow(dim: number, storage: VectorStorage): number {
  const row = rowLayout(dim, storage);
  return row.strideWords * 4 + 4 + (storage === 'int8' ? 4 : 0);
}

/** Rounds up to the 16-byte multiple the SIMD stream reader takes. */
export function streamBytes(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Answers the queries with these indices (into the query set) with each one's ids, in order. */
export type Searcher = (queries: readonly number[]) => Promise<(string | number)[][]>;

/** How one row is timed. */
export interface MeasurePlan {
  /** At most this many batch-1 queries (0, 1, ...) and batches of 32 (from `b32From`). */
  readonly b1: number;
  readonly b32: number;
  readonly b32From: number;
  readonly k: number;
  readonly truth: Int32Array;
  /** Skip batch 32 when its predicted time is above this. */
  readonly batchCapMs: number;
  /**
   * A batch's time predicted from a smaller size's measured batch, scaled by N. Without one,
   * 32 × batch 1 predicts it, which overshoots for kernels that share one pass among 32.
   */
  readonly b32EstimateMs?: number;
}

/** What {@link measureSearch} found; a skipped batch size is null with a note saying why. */
export interface Measured {
  readonly firstMs: number;
  readonly b1: BatchFigures;
  readonly b32: BatchFigures | null;
  readonly notes: string[];
}

const range = (from: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => from + i);

/**
 * Times a searcher: one or two warm-up calls (the first one's time is kept: for a GPU it is
 * the upload), batch-1 queries and batches of 32 within their time boxes, then recall@k of
 * every timed answer against the exact ids (outside the timed region).
 */
export async function measureSearch(search: Searcher, plan: MeasurePlan): Promise<Measured> {
  const notes: string[] = [];
  const first = await timed(() => search([0]));
  if (first.ms < 200) await search([1]);
  const b1Answers: (string | number)[][] = [];
  const b1Times = await timeSteps({ min: 3, max: plan.b1, ms: 2000 }, async (i) => {
    b1Answers.push((await search([i]))[0]!);
  });
  const b1Ms = median(b1Times);
  const b1: BatchFigures = {
    ms: b1Ms,
    msPerQuery: b1Ms,
    runs: b1Times.length,
    recall: mean(b1Answers.map((ids, q) => recallOf(ids, plan.truth, q, plan.k))),
  };
  let b32: BatchFigures | null = null;
  if (plan.b32 < 1) {
    notes.push('batch 32 not run');
  } else if ((plan.b32EstimateMs ?? b1Ms * 32) > plan.batchCapMs) {
    const basis = plan.b32EstimateMs === undefined ? '32 × b1' : 'scaled from a smaller N';
    const seconds = (plan.b32EstimateMs ?? b1Ms * 32) / 1000;
    notes.push(`b32 skipped: ~${seconds.toFixed(0)} s per batch (${basis})`);
  } else {
    const batches: { ids: number[]; answers: (string | number)[][] }[] = [];
    const batchTimes = await timeSteps({ min: 1, max: plan.b32, ms: 3000 }, async (j) => {
      const ids = range(plan.b32From + 32 * j, 32);
      batches.push({ ids, answers: await search(ids) });
    });
    const recalls = batches.flatMap(({ ids, answers }) =>
      answers.map((found, i) => recallOf(found, plan.truth, ids[i]!, plan.k)),
    );
    const ms = median(batchTimes);
    b32 = { ms, msPerQuery: ms / 32, runs: batchTimes.length, recall: mean(recalls) };
  }
  return { firstMs: first.ms, b1, b32, notes };
}
