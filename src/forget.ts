/**
 * What forgetting a turn, summary or anchor takes, as one batch: the records that go with it
 * (its vectors, the summaries of a turn, the anchors learned only from it) and the anchors
 * rewritten (a turn's other anchors lose it as a source; the anchor a forgotten one had
 * replaced is current again); and the changes to the session in RAM, applied once the batch
 * is written.
 */
import { passageIds, passagesOf } from './passages.js';
import type { SessionState } from './session-state.js';
import type { StoreChange, TurnRecord } from './store/types.js';

/** A batch to write, and what to apply after it landed. */
export interface Forgetting {
  changes: StoreChange[];
  after: (() => void)[];
}

/**
 * Adds forgetting `id` to `plan`; false when the session holds no such turn, summary or anchor.
 *
 * @example
 * const plan = { changes: [], after: [] };
 * if (forgetting(state, 'chat/t3', plan)) await state.write(plan.changes);
 */
export function forgetting(state: SessionState, id: string, plan: Forgetting): boolean {
  const turn = state.turns.get(id);
  if (turn) forgetTurn(state, turn, plan);
  else if (state.summaries.has(id)) forgetSummary(state, id, plan);
  else if (state.long.get(id)) forgetAnchor(state, id, plan);
  else return false;
  return true;
}

function forgetTurn(state: SessionState, turn: TurnRecord, { changes, after }: Forgetting): void {
  const ids = passageIds(turn, passagesOf(turn.content).length);
  changes.push(
    { kind: 'turn', delete: turn.id },
    ...ids.map((d): StoreChange => ({ kind: 'vector', delete: d })),
  );
  for (const summary of state.summaries.values()) {
    if (summary.sources.includes(turn.id)) forgetSummary(state, summary.id, { changes, after });
  }
  for (const anchor of state.long.fromTurn(turn.id)) {
    const sources = anchor.sources.filter((t) => t !== turn.id);
    if (sources.length === 0) forgetAnchor(state, anchor.id, { changes, after });
    else {
      changes.push({ kind: 'anchor', put: { ...anchor, sources, version: anchor.version + 1 } });
      after.push(() => void ((anchor.sources = sources), anchor.version++));
    }
  }
  after.push(() => {
    state.turns.delete(turn.id);
    for (const d of ids) state.unindex(d);
    state.window.remove(turn.id);
    state.mid.remove(turn.id);
  });
}

function forgetSummary(state: SessionState, id: string, { changes, after }: Forgetting): void {
  changes.push({ kind: 'summary', delete: id }, { kind: 'vector', delete: id });
  after.push(() => {
    state.summaries.delete(id);
    state.unindex(id);
  });
}

function forgetAnchor(state: SessionState, id: string, { changes, after }: Forgetting): void {
  const anchor = state.long.get(id)!;
  changes.push({ kind: 'anchor', delete: id }, { kind: 'vector', delete: id });
  const previous = anchor.supersedes ? state.long.get(anchor.supersedes) : undefined;
  if (previous && !anchor.supersededBy) {
    // The anchor it had replaced is current again.
    const restored = { ...previous, version: previous.version + 1 };
    delete restored.supersededBy;
    changes.push({ kind: 'anchor', put: restored });
  }
  after.push(() => {
    state.long.remove(id);
    state.unindex(id);
  });
}
