/**
 * The conversations a memory holds, from the store: every session with turns or a title,
 * including those not opened in this run, newest activity first.
 */
import { statsOf } from './store/memory-store.js';
import type { MemoryStore, SessionStats } from './store/types.js';

/** A stored conversation, as `memory.sessions()` lists it. */
export interface SessionInfo {
  id: string;
  /** Set with `session.setTitle()`. */
  title?: string;
  /** Turns stored. */
  turns: number;
  /** Times of the first and the last turn (by order); when the title was set, without turns. */
  firstAt: number;
  lastAt: number;
}

/**
 * Every stored session, newest activity (last turn) first. Reads turn counts and times with
 * the store's `sessionStats` where it has one (an index walk in IndexedDB), else from all turns.
 *
 * @example
 * for (const s of await listSessions(store)) console.log(s.title ?? s.id, s.turns);
 */
export async function listSessions(store: MemoryStore): Promise<SessionInfo[]> {
  const [stats, records] = await Promise.all([
    store.sessionStats ? store.sessionStats() : store.list('turn').then(statsOf),
    store.list('session'),
  ]);
  const byId = new Map<string, SessionInfo>(
    stats.map((s: SessionStats) => [
      s.session,
      { id: s.session, turns: s.turns, firstAt: s.firstAt, lastAt: s.lastAt },
    ]),
  );
  for (const record of records) {
    const known = byId.get(record.id);
    if (known) known.title = record.title;
    else
      byId.set(record.id, {
        id: record.id,
        title: record.title,
        turns: 0,
        firstAt: record.at,
        lastAt: record.at,
      });
  }
  return [...byId.values()].sort((a, b) => b.lastAt - a.lastAt || (a.id < b.id ? -1 : 1));
}
