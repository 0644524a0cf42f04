/**
 * The peers' rows: the naive JS cosine loop and hnswlib-wasm, timed with the same searcher
 * loop and the same exact ids as memkeeper's rows, in the same environment.
 */
import { row } from '../test/data.js';
import { measureSearch, timed, type Measured, type Searcher } from './measure.js';
import { queryPlan } from './options.js';
import { buildHnsw, HNSW_EF_SEARCH, type HnswIndex } from './peers/hnsw.js';
import { NaiveStore } from './peers/naive.js';
import { emptyRow, label, name, summary, type SetContext } from './rows.js';
import type { Row } from './types.js';

/**
 * The naive peer, up to `naiveMaxN` (its number[] rows would need ~10 GB at 1M). Above the
 * cap the row says so, with the memory the capped size measured scaled up.
 */
export async function naiveRows(context: SetContext, truth: Int32Array): Promise<Row[]> {
  const { config, harness, set } = context;
  const result = emptyRow(context, 'naive-js', 'naive', 'number[]');
  if (set.n > config.naiveMaxN) {
    const measured = context.earlier
      .filter((r) => r.system === 'naive-js' && r.data === set.kind && r.heldBytesPerVector)
      .sort((a, b) => b.n - a.n)[0];
    const estimate = measured
      ? `; at ${label(measured.n)} it held ${measured.heldBytesPerVector!.toFixed(0)} B/vector, ` +
        `${((measured.heldBytesPerVector! * set.n) / 1e9).toFixed(1)} GB at this size`
      : '';
    result.notes.push(`capped at ${label(config.naiveMaxN)}${estimate}`);
    return [result];
  }
  const before = await harness.heapBytes();
  const store = new NaiveStore();
  const build = await timed(() => {
    for (let i = 0; i < set.n; i++) {
      store.add({ id: String(i), vector: Array.from(row(set.data, i, set.dim)) });
    }
  });
  const after = await harness.heapBytes();
  if (before !== undefined && after !== undefined) {
    result.heldBytesPerVector = (after - before) / set.n;
  }
  const measured = await measureNaive(context, store, truth);
  result.buildMs = build.ms;
  result.b1 = measured.b1;
  result.b32 = measured.b32;
  result.notes.push(...measured.notes);
  harness.progress(`${name(set)} naive-js: ${summary(result)}`);
  return [result];
}

/**
 * Times the naive loop over `store` with the set's queries as number[]. Every speedup is over
 * the naive-js row, so its batch of 32 (just 32 queries in a row: these libraries have no batch
 * path) is always timed once, however long it takes.
 */
export async function measureNaive(
  { config, set }: SetContext,
  store: NaiveStore,
  truth: Int32Array,
): Promise<Measured> {
  const queries = Array.from({ length: set.queries.length / set.dim }, (_, i) =>
    Array.from(row(set.queries, i, set.dim)),
  );
  const search: Searcher = async (ids) =>
    ids.map((i) => store.query(queries[i]!, config.k).map((hit) => hit.id));
  const plan = queryPlan(set.n);
  return measureSearch(search, {
    b1: plan.b1,
    b32: 1,
    b32From: plan.b1,
    k: config.k,
    truth,
    batchCapMs: Infinity,
  });
}

/** hnswlib-wasm at each ef, built once per data set up to `hnswMaxN`. */
export async function hnswRows(context: SetContext, truth: Int32Array): Promise<Row[]> {
  const { config, harness, set } = context;
  if (!harness.loadHnsw) return [];
  const rows = HNSW_EF_SEARCH.map((ef) => emptyRow(context, 'hnswlib-wasm', `ef=${ef}`, 'graph'));
  if (set.n > config.hnswMaxN) {
    for (const r of rows) r.notes.push(`built only up to ${label(config.hnswMaxN)} (--hnsw-100k)`);
    return rows;
  }
  let index: HnswIndex | undefined;
  try {
    const lib = await harness.loadHnsw();
    harness.progress(`${name(set)} hnswlib-wasm: building (M 16, efConstruction 200)`);
    const build = await timed(() => buildHnsw(lib, set.data, set.dim, set.n));
    index = build.value;
    const queries = Array.from({ length: set.queries.length / set.dim }, (_, i) =>
      row(set.queries, i, set.dim).slice(),
    );
    const graph = index;
    const search: Searcher = async (ids) =>
      ids.map((i) => graph.searchKnn(queries[i]!, config.k, undefined).neighbors);
    const plan = queryPlan(set.n);
    for (const [i, ef] of HNSW_EF_SEARCH.entries()) {
      const r = rows[i]!;
      graph.setEfSearch(ef);
      const measured = await measureSearch(search, {
        b1: plan.b1,
        b32: plan.b32,
        b32From: plan.b1,
        k: config.k,
        truth,
        batchCapMs: config.batchCapMs,
      });
      r.buildMs = build.ms;
      r.b1 = measured.b1;
      r.b32 = measured.b32;
      r.notes.push(...measured.notes);
      harness.progress(`${name(set)} hnswlib-wasm ${r.path}: ${summary(r)}`);
    }
  } catch (error) {
    for (const r of rows) r.notes.push(`error: ${error instanceof Error ? error.message : error}`);
  } finally {
    index?.delete?.(); // embind objects are freed by hand
  }
  return rows;
}
