/** Recall's candidates and window items, built from a session's records. */
import type { SessionState } from '../session-state.js';
import type { Shared } from '../shared.js';
import type { TurnRecord } from '../store/types.js';
import { retention } from '../tiers/long-term.js';
import { weigh } from './fuse.js';
import type { PackCandidate, RecallItem, WindowTurn } from './pack.js';
import { formatDate, renderTurn } from './render.js';

/** What recall weighs a candidate by, besides its fused score. */
export type Facts = Parameters<typeof weigh>[1];

/**
 * A candidate for packing, scores zeroed (recall weighs it next).
 *
 * @example
 * const c = item(s.id, 'mid-term', 'summary', s.text, s.sources, s.from, { at: s.to }, shared);
 */
export function item(
  id: string,
  tier: RecallItem['tier'],
  kind: RecallItem['kind'],
  text: string,
  sources: string[],
  order: number,
  facts: Facts,
  shared: Shared,
  pinned = false,
): PackCandidate & { facts: Facts } {
  const tokens = shared.settings.count(text);
  const scores = { fused: 0, recency: 0, final: 0 };
  return {
    id,
    tier,
    kind,
    text,
    tokens,
    sources: [...sources],
    at: facts.at,
    scores,
    order,
    pinned,
    facts,
  };
}

/**
 * A turn of the short-term window as recall packs it (recency-weighted, never dropped first).
 *
 * @example
 * const recent = state.window.turns.map((t) => windowItem(t, now, shared));
 */
export function windowItem(turn: TurnRecord, now: number, shared: Shared): WindowTurn {
  const text = renderTurn(turn, turn.content);
  const scores = weigh({ fused: 0 }, { at: turn.at }, now, shared.settings.weights);
  const tokens = shared.settings.count(text);
  return {
    id: turn.id,
    tier: 'short-term',
    kind: 'turn',
    text,
    tokens,
    sources: [turn.id],
    at: turn.at,
    scores,
    order: turn.seq,
    role: turn.role,
    content: turn.content,
    ...(turn.name ? { name: turn.name } : {}),
  };
}

/**
 * A retrieved id as a candidate for packing: an anchor, a summary or a turn's passage of the
 * session; undefined when it is gone, or superseded (stale) and not asked for.
 *
 * @example
 * const c = candidateOf(state, shared, 'chat/a3', Date.now(), false);
 */
export function candidateOf(
  s: SessionState,
  shared: Shared,
  id: string,
  now: number,
  includeSuperseded: boolean,
) {
  const anchor = s.long.get(id);
  if (anchor) {
    if (anchor.supersededBy && !includeSuperseded) return undefined;
    const mark = anchor.supersededBy ? ' (superseded)' : '';
    const text = `[${formatDate(anchor.lastSeen)}] ${anchor.text}${mark}`;
    const facts = {
      at: anchor.lastSeen,
      strength: anchor.strength,
      decay: retention(anchor, now, shared.settings.anchors),
    };
    const candidate = item(
      id,
      'long-term',
      'anchor',
      text,
      anchor.sources,
      anchor.firstSeen,
      facts,
      shared,
      anchor.pinned,
    );
    candidate.profile = anchor.kind !== 'entity';
    return candidate;
  }
  const summary = s.summaries.get(id);
  if (summary)
    return item(
      id,
      'mid-term',
      'summary',
      summary.text,
      summary.sources,
      summary.from,
      { at: summary.to },
      shared,
    );
  const passage = s.passages.get(id);
  if (!passage) return undefined;
  const { turn } = passage;
  const stale = s.long.isStale(turn.id);
  // A turn whose every fact was corrected since is left out like its anchors (kept, and
  // recalled with includeSuperseded, then scored down by the stale weight).
  if (stale && !includeSuperseded) return undefined;
  const facts = { at: turn.at, stale };
  return item(
    id,
    'mid-term',
    'turn',
    renderTurn(turn, passage.text),
    [turn.id],
    turn.at,
    facts,
    shared,
  );
}
