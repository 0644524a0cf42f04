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
