/**
 * Orama as a peer: its vector search (a flat cosine scan over the documents' vectors, the way
 * a chat app would use it in the browser) on the same vectors as every other row. The
 * similarity threshold is set to -1 so that it returns the true top-k, not only hits above
 * its default 0.8; ids are the row numbers, as for the other peers.
 */
import { create, insertMultiple, search, type AnyOrama } from '@orama/orama';
import { row } from '../../test/data.js';

/** A built Orama database over the rows of one data set. */
export interface OramaPeer {
  readonly db: AnyOrama;
  query(vector: Float32Array, k: number): Promise<string[]>;
}

/**
 * Inserts rows 0..n-1 as documents `{ id, embedding }`.
 *
 * @example
 * const peer = await buildOrama(set.data, 384, set.n);
 * await peer.query(queryVector, 10); // ['17', '4', ...]
 */
export async function buildOrama(data: Float32Array, dim: number, n: number): Promise<OramaPeer> {
  const db = create({ schema: { embedding: `vector[${dim}]` } as const });
  const docs = Array.from({ length: n }, (_, i) => ({
    id: String(i),
    embedding: Array.from(row(data, i, dim)),
  }));
  await insertMultiple(db, docs, 5_000);
  return {
    db,
    async query(vector, k) {
      const result = await search(db, {
        mode: 'vector',
        vector: { value: Array.from(vector), property: 'embedding' },
        similarity: -1,
        limit: k,
        includeVectors: false,
      });
      return result.hits.map((hit) => hit.id);
    },
  };
}
