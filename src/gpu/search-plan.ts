/**
 * A search's shape on the GPU: which chunks are scored in how many tiles, how the candidate
 * lists are merged down to one per query, and the `SearchParams` each dispatch gets.
 */
import { MemoryError } from '../errors.js';
import type { HostStore } from '../vectors/host-store.js';
import type { RowChunk } from './mirror.js';
import { SCORE_TILE_ROWS } from './score-topk.js';
import { NO_PARAMS, type SearchParams } from './search-params.js';
import { mergeFanIn } from './topk-merge.js';

/** Bytes of one (score, row) pair. */
export const PAIR_BYTES = 8;

/** One chunk's part in a search: its first row, rows to score, tiles and first list. */
export interface PlannedChunk {
  readonly first: number;
  readonly rows: number;
  readonly tiles: number;
  readonly tileBase: number;
}

/** One search's shape. */
export interface SearchPlan {
  readonly k: number;
  /** The power of two >= k that tiles are sorted in. */
  readonly segment: number;
  readonly chunks: readonly PlannedChunk[];
  /** Candidate lists per query after scoring, then after each merge pass (ending at 1). */
  readonly lists: readonly number[];
  /** Queries per group, so that one group's candidates fit one binding. */
  readonly groupSize: number;
}

/**
 * Plans a search of `rows` rows held in `chunks` for `nq` queries of `k` results, with no
 * binding over `maxBindingBytes`.
 */
export function planSearch(
  chunks: readonly RowChunk[],
  rows: number,
  nq: number,
  k: number,
  maxBindingBytes: number,
): SearchPlan {
  const planned: PlannedChunk[] = [];
  let tileBase = 0;
  for (const chunk of chunks) {
    if (chunk.first >= rows) break;
    const inChunk = Math.min(chunk.capacity, rows - chunk.first);
    const tiles = Math.ceil(inChunk / SCORE_TILE_ROWS);
    planned.push({ first: chunk.first, rows: inChunk, tiles, tileBase });
    tileBase += tiles;
  }
  const lists = [tileBase];
  for (let last = tileBase; last > 1; last = lists.at(-1)!) {
    lists.push(Math.ceil(last / mergeFanIn(k, last)));
  }
  const groupSize = Math.min(nq, Math.floor(maxBindingBytes / (tileBase * k * PAIR_BYTES)));
  if (groupSize < 1) {
    throw new MemoryError('BAD_INPUT', `${rows} rows × k=${k} exceed one GPU binding`);
  }
  const segment = 2 ** Math.ceil(Math.log2(k));
  return { k, segment, chunks: planned, lists, groupSize };
}

/** The params of scoring `chunk` for queries [queryBase, queryBase + queries). */
export function scoreParams(
  store: HostStore,
  plan: SearchPlan,
  chunk: PlannedChunk,
  queryBase: number,
  queries: number,
  tileStep: number,
): SearchParams {
  const { row } = store;
  const int8 = row.storage === 'int8';
  return {
    ...NO_PARAMS,
    rows: chunk.rows,
    rowBase: chunk.first,
    tileBase: chunk.tileBase,
    tiles: chunk.tiles,
    rowVec4: row.strideWords / 4,
    queryVec4: (int8 ? row.strideWords : row.queryStride) / 4,
    maskWords: store.maskWords,
    queryBase,
    queries,
    lists: plan.lists[0]!,
    k: plan.k,
    segment: plan.segment,
    tileStep,
  };
}

/** The params of merge pass `pass` for `queries` queries. */
export function mergeParams(plan: SearchPlan, pass: number, queries: number): SearchParams {
  const lists = plan.lists[pass]!;
  return {
    ...NO_PARAMS,
    queries,
    lists,
    k: plan.k,
    fanIn: mergeFanIn(plan.k, lists),
    outLists: plan.lists[pass + 1]!,
    total: queries * lists * plan.k,
  };
}
