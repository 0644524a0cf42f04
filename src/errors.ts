/**
 * The one error class of memkeeper. Callers branch on `code`, never on the message.
 *
 * @example
 * try { index.search(q, { k: 0 }); }
 * catch (e) { if (e instanceof MemoryError && e.code === 'BAD_INPUT') showHint(e.message); }
 */
const messages = {
  WEBGPU_UNAVAILABLE: 'WebGPU is not available here',
  DEVICE_LOST: 'The GPU device was lost',
  DIMENSION_MISMATCH: 'A vector has the wrong dimension',
  DESTROYED: 'This object was destroyed and can no longer be used',
  QUOTA_EXCEEDED: 'The storage quota is exhausted',
  STALE_VERSION: 'The record changed since it was read',
  BAD_INPUT: 'Bad input',
  EMBEDDER_MISMATCH: 'The stored vectors were written by another embedder',
  DECRYPT_FAILED: 'The data could not be decrypted with this key',
  WASM_UNAVAILABLE: 'WebAssembly SIMD is not available here',
  EMBED_FAILED: 'The embedder failed',
  BACKGROUND_FAILED: 'Background work on observed turns failed (the turns are kept)',
  MODEL_LOAD_FAILED: 'The embedding model could not be loaded',
  UNSUPPORTED_MODEL: "This model's KV cache cannot be pruned",
} as const;

/** Every error code memkeeper throws. */
export type MemoryErrorCode = keyof typeof messages;

/** The one error class: a stable `code`, a message that says what to fix, and the `cause`. */
export class MemoryError extends Error {
  /** A stable machine-readable reason, e.g. `'BAD_INPUT'`. */
  readonly code: MemoryErrorCode;

  constructor(code: MemoryErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${messages[code]}: ${detail}` : messages[code], options);
    this.name = 'MemoryError';
    this.code = code;
  }
}

/** Throws `BAD_INPUT` with `detail` unless `condition` holds. */
export function check(condition: unknown, detail: string): asserts condition {
  if (!condition) throw new MemoryError('BAD_INPUT', detail);
}
