/**
 * The peer most in-browser memory libraries ship (LokulMem, EntityDB and their kind): every
 * entry is an object `{ id, vector: number[] }` held in an array (as read back from
 * IndexedDB), and a query maps each entry to its cosine similarity — dot product and both
 * norms recomputed with `reduce` for every comparison — then sorts all of them and keeps the
 * first k. Written the way they write it so the speedup is against what apps use today, not
 * against a tuned loop.
 */

/** A vector as such libraries keep it: `Array.from` of the embedder's output, or the array itself. */
export type NaiveVector = number[] | Float32Array;

/** One stored entry, as such libraries keep it. */
export interface NaiveEntry {
  id: string;
  vector: NaiveVector;
}

/** Cosine as they write it; a Float32Array's `reduce` is Array's, hence the one code path. */
export function cosineSimilarity(va: NaiveVector, vb: NaiveVector): number {
  const a = va as number[];
  const b = vb as number[];
  const dot = a.reduce((sum, x, i) => sum + x * b[i]!, 0);
  const normA = Math.sqrt(a.reduce((sum, x) => sum + x * x, 0));
  const normB = Math.sqrt(b.reduce((sum, x) => sum + x * x, 0));
  return dot / (normA * normB);
}

/**
 * The naive store: push entries, query by scoring and sorting everything.
 *
 * @example
 * const store = new NaiveStore();
 * store.add({ id: 'a', vector: [0.1, 0.2] });
 * store.query([0.1, 0.25], 1)[0]?.id; // 'a'
 */
export class NaiveStore<E extends NaiveEntry = NaiveEntry> {
  readonly entries: E[] = [];

  add(entry: E): void {
    this.entries.push(entry);
  }

  query(vector: NaiveVector, limit: number): (E & { similarity: number })[] {
    return this.entries
      .map((entry) => ({ ...entry, similarity: cosineSimilarity(vector, entry.vector) }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, limit);
  }
}
