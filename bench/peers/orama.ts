/**
 * Orama as a peer, on the same vectors as every other row: its vector search (a flat cosine
 * scan over the documents' vectors, the way a chat app would use it in the browser) and its
 * hybrid search (BM25 full-text over each vector's text, see ./texts.ts, fused with the vector
 * scan, Orama's default weights). The similarity threshold is set to -1 so that the vector part
 * returns the true top-k, not only hits above its default 0.8; ids are the row numbers, as for
 * the other peers.
 */
import { create, insertMultiple, search, type AnyOrama } from '@orama/orama';
import { row } from '../../test/data.js';
import { textOf, TEXT_WORDS } from './texts.js';

/** A built Orama database over the rows of one data set. */
export interface OramaPeer {
  readonly db: AnyOrama;
  query(vector: Float32Array, k: number): Promise<string[]>;
}

const INSERT_BATCH = 5_000;

/**
 * Inserts rows 0..n-1 as documents `{ id, embedding }`, or `{ id, text, embedding }` for
 * `hybrid`, whose queries then carry the query vector's text as the term.
 *
 * @example
 * const peer = await buildOrama(set.data, 384, set.n, 'vector');
 * await peer.query(queryVector, 10); // ['17', '4', ...]
 */
export async function buildOrama(
  data: Float32Array,
  dim: number,
  n: number,
  mode: 'vector' | 'hybrid',
): Promise<OramaPeer> {
  const embedding = `vector[${dim}]` as const;
  const vector = { value: [] as number[], property: 'embedding' };
  if (mode === 'vector') {
    const db = create({ schema: { embedding } as const });
    const docs = Array.from({ length: n }, (_, i) => ({
      id: String(i),
      embedding: Array.from(row(data, i, dim)),
    }));
    await insertMultiple(db, docs, INSERT_BATCH);
    return {
      db,
      async query(q, k) {
        const result = await search(db, {
          mode: 'vector',
          vector: { ...vector, value: Array.from(q) },
          similarity: -1,
          limit: k,
          includeVectors: false,
        });
        return result.hits.map((hit) => hit.id);
      },
    };
  }
  const db = create({ schema: { text: 'string', embedding } as const });
  const docs = Array.from({ length: n }, (_, i) => {
    const v = row(data, i, dim);
    return { id: String(i), text: textOf(v, TEXT_WORDS.stored), embedding: Array.from(v) };
  });
  await insertMultiple(db, docs, INSERT_BATCH);
  return {
    db,
    async query(q, k) {
      const result = await search(db, {
        mode: 'hybrid',
        term: textOf(q, TEXT_WORDS.query),
        vector: { ...vector, value: Array.from(q) },
        similarity: -1,
        limit: k,
        includeVectors: false,
      });
      return result.hits.map((hit) => hit.id);
    },
  };
}
