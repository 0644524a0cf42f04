import type { HostStore } from './host-store.js';

/** Where a search runs: WGSL on the GPU, WASM SIMD on the CPU, or plain TypeScript. */
export type BackendName = 'gpu' | 'wasm' | 'ts';

/**
 * One scan kernel family. Before `scan`, the index has written `nq` queries into the store's
 * query regions (f32, and int8 with scales for int8 storage) and the allowed-session bitmask
 * into its mask region. `scan` fills `outRows[q * k + j]` / `outScores[q * k + j]` with each
 * query's best `k` allowed rows, by score descending and, on equal scores, lower row first;
 * slots past the allowed rows get row -1 and score -Infinity. For int8 storage the scores are
 * the int8 estimates (q·v · qScale · vScale), which the index rescores exactly.
 */
export interface ScanBackend {
  readonly name: BackendName;
  scan(store: HostStore, nq: number, k: number): void | Promise<void>;
  /** Frees what the backend holds; idempotent. */
  destroy(): void;
}
