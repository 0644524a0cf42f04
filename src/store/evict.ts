/**
 * Which memories go first when a `maxBytes` budget is exceeded: the weakest unpinned ones by
 * the same score recall weighs with (recency, and for anchors strength × decay), taken as if
 * every item had matched the query equally; the window's turns, pinned anchors and
 * their source turns never go.
 */
import { weigh, type RecallWeights } from '../recall/fuse.js';
import type { SessionState } from '../session-state.js';
import type { Settings } from '../shared.js';
import { retention, type AnchorPolicy } from '../tiers/long-term.js';

/** One memory evicted for space, and the score that made it the weakest. */
export interface Evicted {
  id: string;
  session: string;
  kind: 'turn' | 'summary' | 'anchor';
  score: number;
}

/**
 * The evictable items of `sessions`, weakest first.
 *
 * @example
 * const order = weakest([state], Date.now(), settings.weights, settings.anchors);
 */
export function weakest(
  sessions: readonly SessionState[],
  now: number,
  weights: RecallWeights,
  policy: AnchorPolicy,
): Evicted[] {
  const out: Evicted[] = [];
  const score = (facts: Parameters<typeof weigh>[1]) =>
    weigh({ fused: 1 }, facts, now, weights).final;
  for (const s of sessions) {
    const inWindow = new Set(s.window.turns.map((t) => t.id));
    // Forgetting a turn forgets the anchors learned only from it: a pin protects its sources.
    for (const a of s.long.anchors) if (a.pinned) for (const t of a.sources) inWindow.add(t);
    for (const a of s.long.anchors) {
      if (a.pinned) continue;
      const facts = { at: a.lastSeen, strength: a.strength, decay: retention(a, now, policy) };
      out.push({ id: a.id, session: s.id, kind: 'anchor', score: score(facts) });
    }
    for (const m of s.summaries.values())
      out.push({ id: m.id, session: s.id, kind: 'summary', score: score({ at: m.to }) });
    for (const t of s.turns.values()) {
      if (inWindow.has(t.id)) continue;
      const facts = { at: t.at, stale: s.long.isStale(t.id) };
      out.push({ id: t.id, session: s.id, kind: 'turn', score: score(facts) });
    }
  }
  return out.sort((a, b) => a.score - b.score);
}

/** The sessions eviction chooses from, and the stored bytes it brings down. */
export interface EvictionScope {
  /** Every session: open here, or only stored. */
  sessions: readonly string[];
  /** The state of a session open here now (one opened meanwhile counts), else undefined. */
  open(id: string): Promise<SessionState> | undefined;
  /** A session not open here, read for the moment: its tiers only, no derived work. */
  peek(id: string): Promise<SessionState>;
  /** The stored bytes now. */
  bytes(): number;
}

/**
 * Forgets the weakest memories of every session of `scope` until its bytes are within
 * `limit`; resolves to what went, weakest first. Sessions not open are read for this only and
 * let go after (a memory's bytes are within a budget, so reading them all is bounded too).
 *
 * @example
 * const evicted = await evictWeakest(scope, 5_000_000, settings);
 */
export async function evictWeakest(
  scope: EvictionScope,
  limit: number,
  settings: Pick<Settings, 'now' | 'weights' | 'anchors'>,
): Promise<Evicted[]> {
  const states = new Map<string, SessionState>();
  for (const id of scope.sessions) states.set(id, await (scope.open(id) ?? scope.peek(id)));
  const evicted: Evicted[] = [];
  const order = weakest([...states.values()], settings.now(), settings.weights, settings.anchors);
  for (const item of order) {
    if (scope.bytes() <= limit) break;
    // A session opened meanwhile is forgotten from through its own state, not the one read.
    const state = (await scope.open(item.session)) ?? states.get(item.session)!;
    const known =
      state.turns.has(item.id) || state.summaries.has(item.id) || state.long.get(item.id);
    if (!known) continue; // gone with an earlier eviction (an anchor of a forgotten turn)
    await state.forget(item.id);
    evicted.push(item);
  }
  return evicted;
}
