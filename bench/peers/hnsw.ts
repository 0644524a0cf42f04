/**
 * hnswlib-wasm as an approximate peer: an HNSW graph (M = 16, efConstruction = 200) in
 * cosine space, queried at two `ef` settings. The package loads only in a browser (its
 * emscripten build mounts an IndexedDB file system), so only the Chromium run has these rows.
 */

/** The part of hnswlib-wasm's HierarchicalNSW the bench uses. */
export interface HnswIndex {
  initIndex(maxElements: number, m: number, efConstruction: number, randomSeed: number): void;
  addPoint(point: Float32Array, label: number, replaceDeleted: boolean): void;
  setEfSearch(ef: number): void;
  searchKnn(
    query: Float32Array,
    k: number,
    filter: undefined,
  ): { neighbors: number[]; distances: number[] };
  delete?(): void;
}

/** The part of the loaded module the bench uses. */
export interface HnswLib {
  HierarchicalNSW: new (space: 'cosine' | 'ip' | 'l2', dim: number, autoSave: string) => HnswIndex;
}

export const HNSW_M = 16;
export const HNSW_EF_CONSTRUCTION = 200;
export const HNSW_EF_SEARCH = [64, 256] as const;

/**
 * Builds a graph over rows [0, n) of `data`, labels being row numbers.
 *
 * @example
 * const graph = buildHnsw(await loadHnswlib(), data, 384, 10_000);
 * graph.setEfSearch(64);
 * graph.searchKnn(query, 10, undefined).neighbors;
 */
export function buildHnsw(lib: HnswLib, data: Float32Array, dim: number, n: number): HnswIndex {
  const index = new lib.HierarchicalNSW('cosine', dim, '');
  index.initIndex(n, HNSW_M, HNSW_EF_CONSTRUCTION, 100);
  for (let i = 0; i < n; i++) index.addPoint(data.subarray(i * dim, (i + 1) * dim), i, false);
  return index;
}
