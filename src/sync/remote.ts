/**
 * What a tab does with another tab's announcement: it reads the named records from the store
 * (the announcement carries ids only) and updates its vector index and the caches of the
 * sessions it has open. Sessions it has not opened read the store when they open.
 */
import type { Embedder } from '../embed/embedder.js';
import { passageIds, passagesOf } from '../passages.js';
import type { SessionState } from '../session-state.js';
import type { MemoryStore } from '../store/types.js';
import type { VectorIndex } from '../vectors/vector-index.js';
import type { Announced } from './channel.js';

/** Session of a record id: ids are `<session>/<local>` and session ids have no `/`. */
export function sessionOfId(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

/**
 * Applies one announced change to this tab's index and to `state` (when the session is open).
 *
 * @example
 * await applyRemote(change, { store, index, embedder }, await session.loaded());
 */
export async function applyRemote(
  change: Announced,
  shared: { store: MemoryStore; index: VectorIndex; embedder: Embedder },
  state: SessionState | undefined,
): Promise<void> {
  const { store, index } = shared;
  const { id, kind, deleted } = change;
  if (kind === 'vector') {
    if (deleted) {
      if (index.has(id)) index.remove(id);
      return;
    }
    const v = await store.get('vector', id);
    if (v && v.embedder === shared.embedder.id) index.upsert(v);
    return;
  }
  if (!state) return;
  if (kind === 'turn') {
    const known = state.turns.get(id);
    if (deleted) {
      if (!known) return;
      state.turns.delete(id);
      for (const p of passageIds(known, passagesOf(known.content).length)) {
        state.passages.delete(p);
        state.lexical.remove(p);
      }
      state.window.remove(id);
      state.mid.remove(id);
      return;
    }
    const turn = await store.get('turn', id);
    if (!turn) return;
    if (known) known.pending = turn.pending;
    else state.take(turn, false, false);
  } else if (kind === 'summary') {
    const summary = deleted ? undefined : await store.get('summary', id);
    if (summary) state.addSummary(summary);
    else if (state.summaries.delete(id)) state.lexical.remove(id);
  } else if (kind === 'anchor') {
    const anchor = deleted ? undefined : await store.get('anchor', id);
    const mine = state.long.get(id);
    if (anchor && mine) {
      const edited = mine.text !== anchor.text;
      Object.assign(mine, anchor);
      if (edited) state.lexical.add(id, anchor.text); // a person's correction (session.edit)
    } else if (anchor) state.addAnchor(anchor);
    else if (mine) {
      state.long.remove(id);
      state.lexical.remove(id);
    }
  }
}
