/**
 * Sessions at a glance from the turns index alone: one cursor walks the `[session, seq]` index
 * and jumps from each session's first turn to the next session, so that listing conversations
 * reads three records per session, not every turn.
 */
import type { IDBPDatabase } from 'idb';
import type { MemoryDB, StoredRow } from './schema.js';
import type { SessionStats } from './types.js';

/**
 * Turn count and first and last turn times (by `seq`) of every session with turns. Times are
 * read from the clear part of each row, so an encrypted memory needs no decryption here.
 *
 * @example
 * const stats = await turnStats(db); // [{ session: 'chat-42', turns: 12, firstAt, lastAt }]
 */
export async function turnStats(db: IDBPDatabase<MemoryDB>): Promise<SessionStats[]> {
  const index = db.transaction('turns', 'readonly').store.index('session');
  const out: SessionStats[] = [];
  let cursor = await index.openCursor();
  while (cursor) {
    const session = cursor.key[0];
    const range = IDBKeyRange.bound([session, -Infinity], [session, Infinity]);
    const [turns, last] = await Promise.all([index.count(range), index.openCursor(range, 'prev')]);
    out.push({ session, turns, firstAt: timeOf(cursor.value), lastAt: timeOf(last?.value) });
    cursor = await cursor.continue([session, Infinity]);
  }
  return out;
}

function timeOf(row: StoredRow | undefined): number {
  return typeof row?.at === 'number' ? row.at : 0;
}
