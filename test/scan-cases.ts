/**
 * Stores, queries and the comparison the scan backends are tested with: rows written through
 * `HostStore.write`, queries and masks filled straight into the store's views, and a check of
 * one backend's results against the TypeScript oracle's.
 */
import { expect } from 'vitest';
import { TsScan } from '../src/cpu/scan.js';
import { fromHalf } from '../src/vectors/half.js';
import { HostStore, quantize } from '../src/vectors/host-store.js';
import { rowLayout, type VectorStorage } from '../src/vectors/layout.js';
import { isotropic } from './data.js';

/** Score tolerances against the oracle: absolute for f32 and f16, relative for int8. */
export const TOLERANCE: Readonly<Record<VectorStorage, number>> = {
  f32: 1e-5,
  f16: 2e-3,
  int8: 1e-5,
};

/** `n` unit vectors of length `dim`, seeded. */
export function unitRows(n: number, dim: number, seed: number): Float32Array {
  const data = isotropic(n, dim, seed);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += data[i * dim + d]! ** 2;
    const norm = Math.sqrt(sum);
    for (let d = 0; d < dim; d++) data[i * dim + d]! /= norm;
  }
  return data;
}

/** A store of `n` unit rows; row r belongs to session ordinal `session(r)` (by default 1..3). */
export function filledStore(
  storage: VectorStorage,
  dim: number,
  n: number,
  { seed = 1, capacity = 1024, session = (r: number) => 1 + (r % 3) } = {},
): HostStore {
  const store = new HostStore(rowLayout(dim, storage), capacity);
  writeRows(store, 0, unitRows(n, dim, seed), session);
  return store;
}

/** Writes the rows of `data` from row `first` on, growing the store as needed. */
export function writeRows(
  store: HostStore,
  first: number,
  data: Float32Array,
  session: (row: number) => number = () => 1,
): void {
  const { dim } = store.row;
  const n = data.length / dim;
  let ordinals = 0;
  for (let i = 0; i < n; i++) ordinals = Math.max(ordinals, session(first + i) + 1);
  store.reserve(first + n, ordinals);
  for (let i = 0; i < n; i++) {
    store.write(first + i, data.subarray(i * dim, (i + 1) * dim), session(first + i));
  }
}

/** Fills query slots 0..nq-1 (f32, and int8 with scales) from `data`, `dim` values each. */
export function stageQueries(store: HostStore, data: Float32Array): number {
  const v = store.views;
  const { dim, queryStride, strideWords } = store.row;
  const nq = data.length / dim;
  v.queries.fill(0);
  v.queriesI8.fill(0);
  for (let q = 0; q < nq; q++) {
    const unit = data.subarray(q * dim, (q + 1) * dim);
    v.queries.set(unit, q * queryStride);
    v.queryScales[q] = quantize(unit, dim, v.queriesI8, q * strideWords * 4);
  }
  return nq;
}

/** Allows exactly the session `ordinals` (ordinal 0, removed rows, only if listed). */
export function allowSessions(store: HostStore, ordinals: readonly number[] | 'all'): void {
  const mask = store.views.mask;
  mask.fill(ordinals === 'all' ? 0xffffffff : 0);
  if (ordinals === 'all') mask[0]! &= ~1;
  else for (const s of ordinals) mask[s >>> 5]! |= 1 << (s & 31);
}

/** One backend's answer: rows and scores, `k` per query. */
export interface Answer {
  rows: Int32Array;
  scores: Float32Array;
}

/** Runs `scan` and copies out its results (the store's out views are shared by backends). */
export async function answer(
  scan: { scan(store: HostStore, nq: number, k: number): void | Promise<void> },
  store: HostStore,
  nq: number,
  k: number,
): Promise<Answer> {
  await scan.scan(store, nq, k);
  const v = store.views;
  return { rows: v.outRows.slice(0, nq * k), scores: v.outScores.slice(0, nq * k) };
}

/** The oracle's score of `row` for query `q`, in float64 as TsScan computes it. */
export function oracleScore(store: HostStore, q: number, row: number): number {
  const v = store.views;
  const { dim, storage, strideWords, queryStride } = store.row;
  let dot = 0;
  for (let i = 0; i < dim; i++) {
    if (storage === 'f32') dot += v.queries[q * queryStride + i]! * v.f32[row * strideWords + i]!;
    else if (storage === 'f16') {
      dot += v.queries[q * queryStride + i]! * fromHalf(v.f16[row * strideWords * 2 + i]!);
    } else dot += v.queriesI8[q * strideWords * 4 + i]! * v.i8[row * strideWords * 4 + i]!;
  }
  return storage === 'int8' ? dot * v.queryScales[q]! * v.scales[row]! : dot;
}

/**
 * Expects `got` to equal the oracle's answer for the staged queries: the same padding, scores
 * within tolerance slot by slot, and the same rows, except that two rows whose exact scores
 * lie within tolerance of each other may trade places (float32 against float64 sums). Returns
 * how many slots traded.
 */
export async function expectOracle(
  store: HostStore,
  nq: number,
  k: number,
  got: Answer,
): Promise<number> {
  const want = await answer(new TsScan(), store, nq, k);
  const tol = TOLERANCE[store.row.storage];
  const near = (a: number, b: number) =>
    store.row.storage === 'int8'
      ? Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1e-30)
      : Math.abs(a - b) <= tol;
  let traded = 0;
  for (let q = 0; q < nq; q++) {
    const seen = new Set<number>();
    for (let j = 0; j < k; j++) {
      const i = q * k + j;
      const [gr, wr, gs, ws] = [got.rows[i]!, want.rows[i]!, got.scores[i]!, want.scores[i]!];
      const where = `query ${q} slot ${j}: got row ${gr} (${gs}), want row ${wr} (${ws})`;
      if (wr < 0 || gr < 0) {
        expect([gr, gs], where).toEqual([wr, ws]);
        continue;
      }
      expect(near(gs, ws), where).toBe(true);
      expect(seen.has(gr), `${where}: row repeated`).toBe(false);
      const ordinal = store.views.sessions[gr]!;
      const allowed = ordinal !== 0 && (store.views.mask[ordinal >>> 5]! >>> (ordinal & 31)) & 1;
      expect(allowed, `${where}: session ${ordinal} is not allowed`).toBe(1);
      seen.add(gr);
      if (gr !== wr) {
        traded++;
        expect(near(oracleScore(store, q, gr), ws), `${where}: not a near tie`).toBe(true);
      }
    }
  }
  return traded;
}
