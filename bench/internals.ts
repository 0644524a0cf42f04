/**
 * The one place the bench reaches past memkeeper's public API: the index's host store is
 * private, and the bandwidth floor is timed over the store's own pages (the bytes the scan
 * streams), so that the scan and its floor share memory, page sizes and cache state.
 */
import type { VectorIndex } from '../src/index.js';
import { HostStore } from '../src/vectors/host-store.js';

/** The index's host store, or undefined should the private field ever change shape. */
export function hostStoreOf(index: VectorIndex): HostStore | undefined {
  const store = (index as unknown as { store?: unknown }).store;
  return store instanceof HostStore ? store : undefined;
}
