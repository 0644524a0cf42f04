/**
 * Orama's rows, vector and hybrid search, timed with the same searcher loop and exact ids as
 * the rest. Recall is against the exact vector top-k: for hybrid rows it says how far the text
 * half moves the answer from the vector neighbours, not how good the answer is.
 */
import { row } from '../test/data.js';
import { measureSearch, timed, type Searcher } from './measure.js';
import { queryPlan } from './options.js';
import { buildOrama } from './peers/orama.js';
import { emptyRow, label, name, summary, type SetContext } from './rows.js';
import type { Row } from './types.js';

/** Orama vector and hybrid search, up to the naive peer's cap (its documents hold number[]). */
export async function oramaRows(context: SetContext, truth: Int32Array): Promise<Row[]> {
  const rows: Row[] = [];
  for (const mode of ['vector', 'hybrid'] as const) rows.push(await oramaRow(context, truth, mode));
  return rows;
}

async function oramaRow(
  context: SetContext,
  truth: Int32Array,
  mode: 'vector' | 'hybrid',
): Promise<Row> {
  const { config, harness, set } = context;
  const result = emptyRow(context, 'orama', mode, 'number[]');
  if (set.n > config.naiveMaxN) {
    result.notes.push(`capped at ${label(config.naiveMaxN)} like the naive peer`);
    return result;
  }
  if (mode === 'hybrid') result.notes.push('recall vs the vector top-10 (text moves it)');
  try {
    const before = await harness.heapBytes();
    const build = await timed(() => buildOrama(set.data, set.dim, set.n, mode));
    const after = await harness.heapBytes();
    if (before !== undefined && after !== undefined) {
      result.heldBytesPerVector = (after - before) / set.n;
    }
    const peer = build.value;
    const queries = Array.from({ length: set.queries.length / set.dim }, (_, i) =>
      row(set.queries, i, set.dim),
    );
    const search: Searcher = (ids) =>
      Promise.all(ids.map((i) => peer.query(queries[i]!, config.k)));
    const plan = queryPlan(set.n);
    const measured = await measureSearch(search, {
      b1: plan.b1,
      b32: plan.b32,
      b32From: plan.b1,
      k: config.k,
      truth,
      batchCapMs: config.batchCapMs,
    });
    result.buildMs = build.ms;
    result.b1 = measured.b1;
    result.b32 = measured.b32;
    result.notes.push(...measured.notes);
    harness.progress(`${name(set)} orama ${mode}: ${summary(result)}`);
  } catch (error) {
    result.notes.push(`error: ${error instanceof Error ? error.message : String(error)}`);
  }
  return result;
}
