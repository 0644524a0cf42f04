/**
 * How one row of each storage type is laid out in memory, shared by the TypeScript, WASM and
 * WGSL kernels so that one upload copies host bytes to the GPU as they are.
 */

/** The element type vectors are stored in. */
export type VectorStorage = 'f32' | 'f16' | 'int8';

/** The largest `k` a search accepts. */
export const MAX_K = 256;

/** Queries a kernel call takes at once; larger batches run in groups of this size. */
export const MAX_BATCH = 32;

/**
 * Candidates the int8 scan keeps per query before the exact f32 rescoring. Four times k (at
 * least 40) keeps recall@10 >= 0.99 on real and random embeddings; see the property tests.
 */
export function int8Candidates(k: number): number {
  return Math.min(4 * MAX_K, Math.max(40, 4 * k));
}

/** The most results a kernel call is asked for per query (int8 candidates at `MAX_K`). */
export const MAX_CANDIDATES = int8Candidates(MAX_K);

export interface RowLayout {
  readonly dim: number;
  readonly storage: VectorStorage;
  /** 32-bit words per stored row; a multiple of 4 so every row starts 16-byte aligned. */
  readonly strideWords: number;
  /** f32 elements per padded query row (a multiple of 4; zeros past `dim`). */
  readonly queryStride: number;
}

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/** The row layout for `dim` elements stored as `storage`. */
export function rowLayout(dim: number, storage: VectorStorage): RowLayout {
  const queryStride = roundUp(dim, 4);
  let strideWords: number;
  switch (storage) {
    case 'f32':
      strideWords = queryStride;
      break;
    case 'f16': // two halves per u32, rows padded to whole vec4<u32>
      strideWords = roundUp(dim, 8) / 2;
      break;
    case 'int8': // four bytes per u32, rows padded to whole 16-byte lanes
      strideWords = roundUp(dim, 16) / 4;
      break;
  }
  return { dim, storage, strideWords, queryStride };
}

/**
 * 32-bit words per row as a persistent store keeps it: the stored row for f16 and f32, and for
 * int8 the f32 original (`queryStride` words), from which the codes are derived at load.
 *
 * @example
 * restoreStride(rowLayout(384, 'int8')); // 384
 */
export function restoreStride(row: RowLayout): number {
  return row.storage === 'int8' ? row.queryStride : row.strideWords;
}
