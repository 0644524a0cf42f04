/**
 * Durability and space: whether the browser keeps the data under storage pressure
 * (`navigator.storage.persist()`), how much the origin uses and may use, and an approximate
 * size of the values a store writes, so that a `maxBytes` budget can be kept.
 */
import { MemoryError } from '../errors.js';

/** What {@link storageReport} found. */
export interface StorageReport {
  /** `'indexeddb'`, `'memory'` or `'custom'`. */
  storage: string;
  /** The browser's answer to `persist()`; undefined where the API is missing (Node). */
  persisted: boolean | undefined;
  /** `navigator.storage.estimate()` of the whole origin, where available. */
  usage: number | undefined;
  quota: number | undefined;
  /** Approximate bytes of this memory's records (what `maxBytes` counts). */
  bytes: number | undefined;
}

/**
 * Asks the browser to keep this origin's data under storage pressure; resolves to its answer,
 * or undefined where the API is missing. Never throws: a refusal is an answer.
 *
 * @example
 * const persisted = await askPersist(); // true, false or undefined
 */
export async function askPersist(): Promise<boolean | undefined> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage?.persist) return undefined;
  try {
    return (await storage.persisted?.()) || (await storage.persist());
  } catch {
    return false;
  }
}

/** The origin's usage and quota, where the browser says. */
export async function estimate(): Promise<{ usage?: number; quota?: number }> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage?.estimate) return {};
  const { usage, quota } = await storage.estimate();
  return { ...(usage !== undefined ? { usage } : {}), ...(quota !== undefined ? { quota } : {}) };
}

/** Approximate bytes of a stored value: binary data exactly, text and numbers roughly. */
export function sizeOf(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return 8;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + sizeOf(v), 8);
  if (typeof value === 'object') {
    let n = 8;
    for (const [k, v] of Object.entries(value)) n += k.length + sizeOf(v);
    return n;
  }
  return 8;
}

/** True for the browser's quota error, however it arrives. */
export function isQuotaError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: string }).name === 'QuotaExceededError'
  );
}

/** `QUOTA_EXCEEDED`, saying the write was rolled back. */
export function quotaError(cause: unknown): MemoryError {
  return new MemoryError(
    'QUOTA_EXCEEDED',
    'the write was rolled back; everything stored before it is intact',
    { cause },
  );
}
