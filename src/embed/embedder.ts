import { MemoryError, check } from '../errors.js';

/**
 * What turns text into vectors. memkeeper ships two: `hashingEmbedder` (no download) and
 * `transformersEmbedder` (a sentence-embedding model through transformers.js).
 *
 * @example
 * const embedder = hashingEmbedder({ dim: 384 });
 * const [vector] = await embedder.embed(['I live in Lisbon']);
 */
export interface Embedder {
  /**
   * Names the embedder and everything that changes its vectors (model, dtype, dim, version):
   * vectors written under one id are never mixed with another's.
   */
  readonly id: string;
  /** Length of every vector `embed` returns. */
  readonly dim: number;
  /** One vector per text, in order; rejects with `signal.reason` when aborted. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /**
   * Vectors for search queries, which are never stored; optional, `embed` when absent. It may
   * use what the embedder learned since (IDF weights) or a model's query prefix, because only
   * stored vectors must stay comparable. Same `dim`, same space as `embed`.
   */
  embedQuery?(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /**
   * Lets an embedder that learns from the corpus (IDF weights) see texts the memory stored;
   * optional, and it must not change the vectors of texts already embedded under this `id`.
   */
  observe?(texts: readonly string[]): void;
  /** Frees what the embedder holds (a model session); idempotent. */
  dispose?(): Promise<void> | void;
}

/**
 * Progress of a download or a long job, as a discriminated union; `progress` is a fraction in
 * 0..1 and never goes back (byte totals may grow as more files are found).
 */
export type ProgressEvent =
  | { kind: 'download'; file: string; loaded: number; total: number; progress: number }
  | { kind: 'ready'; what: string }
  | { kind: 'reembed'; done: number; total: number; progress: number };

/**
 * Runs an embedder for the memory: documents with `embed`, queries with `embedQuery` where it
 * has one; its failure becomes `EMBED_FAILED`, and a wrong count or length of vectors is
 * refused (`BAD_INPUT`, `DIMENSION_MISMATCH`) before anything is stored.
 *
 * @example
 * const [v] = await embedChecked(embedder, ['I live in Lisbon'], false);
 */
export async function embedChecked(
  e: Embedder,
  texts: readonly string[],
  query: boolean,
): Promise<Float32Array[]> {
  let vectors: Float32Array[];
  try {
    vectors = await (query && e.embedQuery ? e.embedQuery(texts) : e.embed(texts));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new MemoryError('EMBED_FAILED', `${e.id}: ${why}`, { cause: error });
  }
  check(
    Array.isArray(vectors) && vectors.length === texts.length,
    `${e.id} returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${texts.length} texts`,
  );
  vectors.forEach((v, i) => {
    if (v?.length !== e.dim)
      throw new MemoryError(
        'DIMENSION_MISMATCH',
        `${e.id} returned ${v?.length} values for text ${i}, declared dim ${e.dim}`,
      );
  });
  return vectors;
}
