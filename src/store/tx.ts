/**
 * Transaction helpers of the IndexedDB store: a body that lands whole or aborts, quota errors
 * mapped to `QUOTA_EXCEEDED`, chunk rows marked gone, a session cleared, and commits described
 * for other tabs.
 */
import type { IDBPTransaction } from 'idb';
import type { Announced } from '../sync/channel.js';
import { isQuotaError, quotaError, sizeOf } from './quota.js';
import type { MemoryDB } from './schema.js';
import type { StoreChange } from './types.js';

/** The object stores of a memory's database. */
export type StoreName =
  'meta' | 'turns' | 'summaries' | 'anchors' | 'vectors' | 'chunks' | 'sessions';
/** A read-write transaction over some of them. */
export type Tx = IDBPTransaction<MemoryDB, StoreName[], 'readwrite'>;

/** A committed change as other tabs hear of it. */
export function announced(change: StoreChange): Announced {
  const id = 'put' in change ? change.put.id : change.delete;
  return { kind: change.kind, id, deleted: !('put' in change) };
}

/**
 * Leaves a request's outcome to the transaction: when one request fails, the others reject
 * with AbortError too, and `tx.done` reports the first cause.
 */
export function settle(request: Promise<unknown>): void {
  request.catch(() => undefined);
}

/** Marks `ids` gone from the chunks that hold them (a chunk left with none is deleted). */
export async function unchunk(tx: Tx, ids: readonly string[]): Promise<void> {
  const chunks = tx.objectStore('chunks');
  for (const id of ids) {
    const key = await chunks.index('ids').getKey(id);
    if (key === undefined) continue;
    const chunk = (await chunks.get(key))!;
    chunk.ids = chunk.ids.map((x) => (x === id ? null : x));
    if (chunk.ids.every((x) => x === null)) await chunks.delete(key);
    else await chunks.put(chunk);
  }
}

/**
 * Runs `body` in `tx` and waits for the commit. Anything thrown aborts the transaction, so
 * nothing of it lands; a full disk becomes `QUOTA_EXCEEDED` with everything earlier intact.
 */
export async function transact(tx: Tx, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // already aborted by the error itself
    }
    await tx.done.catch(() => undefined);
    throw isQuotaError(error) ? quotaError(error) : error;
  }
  try {
    await tx.done;
  } catch (error) {
    throw isQuotaError(error) ? quotaError(error) : error;
  }
}

/**
 * Deletes every record of `session` in `tx` (turns, summaries, anchors, loose vectors, its
 * session record) and marks its chunk rows gone (a chunk left with none is deleted); resolves
 * to the bytes freed, by the same measure as the `bytes` meta record.
 *
 * @example
 * const freed = await clearSession(tx, 'chat-42');
 */
export async function clearSession(tx: Tx, session: string): Promise<number> {
  let freed = 0;
  const drop = (name: StoreName, rows: readonly { id: string | number }[]) => {
    for (const row of rows) {
      freed += sizeOf(row);
      settle(tx.objectStore(name).delete(row.id as never));
    }
  };
  for (const name of ['summaries', 'anchors', 'vectors'] as const)
    drop(name, await tx.objectStore(name).index('session').getAll(session));
  const range = IDBKeyRange.bound([session, -Infinity], [session, Infinity]);
  drop('turns', await tx.objectStore('turns').index('session').getAll(range));
  drop(
    'sessions',
    [await tx.objectStore('sessions').get(session)].filter((r) => !!r),
  );
  let cursor = await tx.objectStore('chunks').openCursor();
  for (; cursor; cursor = await cursor.continue()) {
    const chunk = cursor.value;
    if (!chunk.sessions.includes(session)) continue;
    const before = sizeOf(chunk);
    chunk.ids = chunk.ids.map((id, i) => (chunk.sessions[i] === session ? null : id));
    if (chunk.ids.every((id) => id === null)) {
      freed += before;
      settle(cursor.delete());
    } else {
      freed += before - sizeOf(chunk);
      await cursor.update(chunk);
    }
  }
  return freed;
}
