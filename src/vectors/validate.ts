import { MemoryError, check } from '../errors.js';
import { MAX_K } from './layout.js';

/**
 * Checks one vector before anything is written: right length, finite, not all zero.
 * Returns its Euclidean norm.
 */
export function checkVector(vector: ArrayLike<number>, dim: number, what: string): number {
  check(
    vector !== null && typeof vector === 'object' && typeof vector.length === 'number',
    `${what} must be an array of numbers`,
  );
  if (vector.length !== dim) {
    throw new MemoryError(
      'DIMENSION_MISMATCH',
      `${what} has ${vector.length} values, expected ${dim}`,
    );
  }
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    const x = vector[i]!;
    // The message is built only on failure: this loop runs for every element of every insert.
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new MemoryError('BAD_INPUT', `${what}[${i}] is ${String(x)}, not a finite number`);
    }
    sum += x * x;
  }
  const norm = Math.sqrt(sum);
  check(norm > 0 && Number.isFinite(norm), `${what} is all zeros (or too small to normalize)`);
  return norm;
}

/** Checks `k`: an integer from 1 to MAX_K. */
export function checkK(k: unknown): number {
  check(
    typeof k === 'number' && Number.isInteger(k) && k >= 1 && k <= MAX_K,
    `k must be an integer from 1 to ${MAX_K}, got ${String(k)}`,
  );
  return k;
}

/** Checks an id: a non-empty string. */
export function checkId(id: unknown, what = 'id'): string {
  check(
    typeof id === 'string' && id.length > 0,
    `${what} must be a non-empty string, got ${String(id)}`,
  );
  return id;
}
