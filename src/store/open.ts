/**
 * Opening a memory's storage: the store the options name (IndexedDB by default where it
 * exists), and the vector index refilled from it, with the sessions that must load at once
 * because their derived work was unfinished or their vectors were damaged.
 */
import { check } from '../errors.js';
import type { MemoryOptions } from '../memory.js';
import type { VectorIndex } from '../vectors/vector-index.js';
import type { VectorStorage } from '../vectors/layout.js';
import { IndexedDbStore, type RestoreReport } from './indexeddb-store.js';
import { InMemoryStore } from './memory-store.js';
import type { MemoryStore } from './types.js';

/**
 * Fills the index from the store; says which sessions must load now to finish their work.
 *
 * @example
 * const { resume } = await loadVectors(store, index, embedder.id);
 */
export async function loadVectors(
  store: MemoryStore,
  index: VectorIndex,
  embedderId: string,
): Promise<RestoreReport & { resume: string[] }> {
  if (store instanceof IndexedDbStore) {
    const report = await store.restoreIndex(index, embedderId);
    const resume = new Set([...report.rebuilt, ...(await store.pendingSessions())]);
    return { ...report, resume: [...resume] };
  }
  const vectors = await store.list('vector');
  // Vectors from another embedder are never mixed in; the sessions re-embed their records.
  const usable = vectors.filter((v) => v.embedder === embedderId);
  if (usable.length)
    index.upsert(usable.map(({ id, vector, session }) => ({ id, vector, session })));
  return { vectors: usable.length, chunks: 0, rebuilt: [], resume: [] };
}

/**
 * The store `options.storage` names, opened.
 *
 * @example
 * const store = await resolveStore({ storage: 'indexeddb' }, 'chat', 384, 'f16');
 */
export async function resolveStore(
  options: MemoryOptions,
  name: string,
  dim: number,
  storage: VectorStorage,
): Promise<MemoryStore> {
  const chosen = options.storage ?? (typeof indexedDB === 'undefined' ? 'memory' : 'indexeddb');
  const key = options.encryptionKey;
  if (chosen === 'indexeddb') {
    check(
      typeof indexedDB !== 'undefined',
      "storage 'indexeddb' needs IndexedDB (in Node: import 'fake-indexeddb/auto')",
    );
    return IndexedDbStore.open(name, { dim, storage, ...(key ? { encryptionKey: key } : {}) });
  }
  check(key === undefined, 'encryptionKey needs persistent storage (IndexedDB)');
  if (chosen === 'memory') return new InMemoryStore();
  check(
    typeof chosen === 'object' && typeof chosen.write === 'function',
    "storage must be 'indexeddb', 'memory' or a MemoryStore",
  );
  return chosen;
}
