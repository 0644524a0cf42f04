/**
 * A session's memory as a person would look at it: every turn, the window, the summaries and
 * the anchors with their retention now. Built from copies, so that a UI may keep or change what
 * it got without touching the memory.
 */
import { passageIds, passagesOf } from './passages.js';
import type { SessionState } from './session-state.js';
import type { Shared } from './shared.js';
import type { AnchorRecord, SummaryRecord } from './store/types.js';
import { retention, type AnchorPolicy } from './tiers/long-term.js';
import { publicTurn, type Turn } from './turn-input.js';
import type { VectorIndex } from './vectors/vector-index.js';

/** A long-term anchor as `inspect()` shows it. */
export interface AnchorView {
  id: string;
  kind: AnchorRecord['kind'];
  /** What it is about, e.g. `'user.location'`; a later anchor with this key supersedes it. */
  key: string;
  /** Its normalized value, e.g. `'lisbon'`. */
  value: string;
  /** The sentence recall puts in the prompt, e.g. `'The user lives in Lisbon.'`. */
  text: string;
  /** Ids of the turns it was learned from. */
  sources: string[];
  firstSeen: number;
  lastSeen: number;
  /** 0..1, raised by every restatement. */
  strength: number;
  /** Times recalled; each one slows its decay. */
  recalls: number;
  pinned: boolean;
  /** Removed by the sweep after this time, if set. */
  expiresAt?: number;
  /** The anchor that replaced it, if any (superseded anchors are kept). */
  supersededBy?: string;
  /** The anchor it replaced, if any. */
  supersedes?: string;
  /** 0..1 retention on the forgetting curve now (1 when pinned); recall weighs by it. */
  retention: number;
}

/** A mid-term summary as `inspect()` shows it. */
export interface SummaryView {
  id: string;
  text: string;
  /** Ids of the turns it summarizes, in order. */
  sources: string[];
  /** Times of its first and last turn. */
  from: number;
  to: number;
  tokens: number;
  method: 'extractive' | 'abstractive';
}

/** What `session.inspect()` resolves to. */
export interface SessionView {
  id: string;
  /** Every turn of the conversation, in seq order (public Turn shape, like observe() returns). */
  turns: Turn[];
  /** Ids of the turns in the short-term window now, oldest first. */
  window: string[];
  /** Mid-term summaries, oldest first. */
  summaries: SummaryView[];
  /** Long-term anchors incl. superseded ones, strongest first. */
  anchors: AnchorView[];
  /** Background jobs of this session not done yet. */
  pending: number;
}

/**
 * The view of one anchor at time `now`.
 *
 * @example
 * anchorView(anchor, Date.now(), DEFAULT_ANCHOR_POLICY).retention; // 0.87
 */
export function anchorView(anchor: AnchorRecord, now: number, policy: AnchorPolicy): AnchorView {
  const { id, kind, key, value, text, firstSeen, lastSeen, strength, recalls, pinned } = anchor;
  return {
    id,
    kind,
    key,
    value,
    text,
    sources: [...anchor.sources],
    firstSeen,
    lastSeen,
    strength,
    recalls,
    pinned,
    ...(anchor.expiresAt === undefined ? {} : { expiresAt: anchor.expiresAt }),
    ...(anchor.supersededBy === undefined ? {} : { supersededBy: anchor.supersededBy }),
    ...(anchor.supersedes === undefined ? {} : { supersedes: anchor.supersedes }),
    retention: retention(anchor, now, policy),
  };
}

/**
 * The whole view of a loaded session, at the memory's clock now.
 *
 * @example
 * const view = viewOf(await session.loaded(), shared);
 * view.anchors[0]?.text; // the strongest anchor
 */
export function viewOf(state: SessionState, shared: Shared): SessionView {
  const { now, anchors: policy } = shared.settings;
  const at = now();
  const turns = [...state.turns.values()].sort((a, b) => a.seq - b.seq).map(publicTurn);
  const summaries = [...state.summaries.values()]
    .sort((a, b) => a.from - b.from || a.to - b.to)
    .map(summaryView);
  const anchors = [...state.long.anchors]
    .map((a) => anchorView(a, at, policy))
    .sort((a, b) => b.strength - a.strength || b.lastSeen - a.lastSeen);
  return {
    id: state.id,
    turns,
    window: state.window.turns.map((t) => t.id),
    summaries,
    anchors,
    pending: shared.queue.pending(state.id),
  };
}

function summaryView(summary: SummaryRecord): SummaryView {
  const { id, text, from, to, tokens, method } = summary;
  return { id, text, sources: [...summary.sources], from, to, tokens, method };
}

/**
 * Ids of the session's passages, summaries and anchors that have no vector in `index` (a new
 * embedder, or work not done yet): what re-embedding must fill.
 *
 * @example
 * unindexed(await session.loaded(), index); // ['chat/t0', 'chat/s3-7']
 */
export function unindexed(state: SessionState, index: VectorIndex): string[] {
  const ids = [...state.turns.values()].flatMap((t) => passageIds(t, passagesOf(t.content).length));
  ids.push(...state.summaries.keys(), ...[...state.long.anchors].map((a) => a.id));
  return ids.filter((id) => !index.has(id));
}
