/**
 * Vector chunks: thousands of rows per IndexedDB record in the vector index's own row layout
 * (normalized, f16 packed two per u32 or f32), with a checksum over the row bytes, so that
 * reopening is a few reads and one copy, and a damaged chunk is caught instead of searched.
 */
import { fromHalf, toHalf } from '../vectors/half.js';
import { rowLayout } from '../vectors/layout.js';
import type { VectorChunk } from './schema.js';

/** Rows per chunk: 2048 rows of 384-d f16 are 1.5 MB, few records yet cheap to rewrite. */
export const CHUNK_ROWS = 2048;

/**
 * The layout chunks use for an index of `storage`: f16 rows, or f32 rows, which for an int8
 * index are its f32 originals (it derives its codes from them at load, as at insert).
 */
export function chunkStorage(storage: string): 'f16' | 'f32' {
  return storage === 'f16' ? 'f16' : 'f32';
}

/**
 * A 32-bit checksum of `words` (FNV-1a over u32 words with a murmur finish): fast enough to
 * check 75 MB at open, and any flipped bit changes it.
 *
 * @example
 * const sum = checksum(new Uint32Array(rows));
 */
export function checksum(words: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * Packs vectors into chunk rows exactly as the index stores them: divided by their norm in
 * f64, then rounded to f16 (or kept f32), rows padded to `strideWords`.
 */
export function packRows(
  vectors: readonly ArrayLike<number>[],
  dim: number,
  storage: 'f16' | 'f32',
): { rows: ArrayBuffer; strideWords: number } {
  const { strideWords } = rowLayout(dim, storage);
  const rows = new ArrayBuffer(vectors.length * strideWords * 4);
  const f32 = new Float32Array(rows);
  const f16 = new Uint16Array(rows);
  vectors.forEach((v, r) => {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += v[d]! * v[d]!;
    const norm = Math.sqrt(sum) || 1;
    if (storage === 'f32') for (let d = 0; d < dim; d++) f32[r * strideWords + d] = v[d]! / norm;
    else for (let d = 0; d < dim; d++) f16[r * strideWords * 2 + d] = toHalf(v[d]! / norm);
  });
  return { rows, strideWords };
}

/** Row `r` of a chunk's clear rows as f32 (unit length, as the index stores it). */
export function unpackRow(chunk: VectorChunk, rows: ArrayBuffer, r: number): Float32Array {
  const out = new Float32Array(chunk.dim);
  if (chunk.storage === 'f32') {
    out.set(new Float32Array(rows, r * chunk.strideWords * 4, chunk.dim));
  } else {
    const half = new Uint16Array(rows, r * chunk.strideWords * 4, chunk.dim);
    for (let d = 0; d < chunk.dim; d++) out[d] = fromHalf(half[d]!);
  }
  return out;
}
