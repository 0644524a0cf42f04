import type { Role } from '../store/types.js';
import type { ScoreParts } from './fuse.js';
import type { TokenCounter } from './tokens.js';

/** Which tier an item came from. */
export type Tier = 'short-term' | 'mid-term' | 'long-term';

/** One recalled memory, with why it was chosen. */
export interface RecallItem {
  /** The id to `forget` or `pin` it by. */
  id: string;
  tier: Tier;
  kind: 'anchor' | 'summary' | 'turn';
  /** The line as it appears in the context, with its date and speaker. */
  text: string;
  tokens: number;
  /** Ids of the turns it came from. */
  sources: string[];
  /** When it was said (an anchor: last restated; a summary: its last turn). */
  at: number;
  scores: ScoreParts;
}

/** A candidate for packing; `order` sorts it within its section (stable across turns). */
export interface PackCandidate extends RecallItem {
  order: number;
  pinned?: boolean;
  /** An anchor about the user (fact, preference, intent), packed before entities. */
  profile?: boolean;
}

/** A recent turn, for the window section and for `messages`. */
export interface WindowTurn extends PackCandidate {
  role: Role;
  name?: string;
  content: string;
}

/** How the budget is shared; instance options, with these defaults. */
export interface PackShares {
  /** Most of the budget anchors may take (default 0.25). */
  anchors: number;
  /** Budget kept for the recent window before retrieved items are packed (default 0.3). */
  window: number;
}

export const DEFAULT_SHARES: PackShares = { anchors: 0.25, window: 0.3 };

export const HEADERS = {
  anchors: 'What is known (long-term memory):',
  earlier: 'Earlier in the conversation:',
  recent: 'Recent turns:',
} as const;

/** A packed context. */
export interface Packed {
  text: string;
  messages: { role: Role; content: string; name?: string }[];
  items: RecallItem[];
  tokens: number;
  dropped: number;
}

/**
 * Packs the best candidates into the budget: anchors first, then summaries and earlier
 * turns, then the recent window (newest first), leaving out what does not fit. The context
 * lists each section in a fixed order (anchors pinned first then by age, earlier items by
 * time, the window in order) so that it keeps its prefix from one turn to the next.
 */
export function pack(
  ranked: readonly PackCandidate[],
  window: readonly WindowTurn[],
  budget: number,
  count: TokenCounter,
  shares: PackShares,
): Packed {
  const headerCost = Object.values(HEADERS).reduce((n, h) => n + count(h) + 1, 0);
  const room = budget - headerCost;
  // The newest turns first, up to the window's share; then retrieved items (a turn of the
  // window that did not fit is a candidate like any other); then the window grows into what
  // is left, as long as it stays contiguous.
  const recent = new Set<WindowTurn>();
  let used = extendWindow(window, recent, Math.floor(room * shares.window), 0, new Set());
  const inWindow = new Set([...recent].map((t) => t.id));
  const chosen: PackCandidate[] = [];
  let anchorTokens = 0;
  // Anchors first, in their share (the user's own before entities); then the rest by score.
  const anchors = ranked.filter((c) => c.kind === 'anchor');
  const byProfile = [...anchors.filter((a) => a.profile), ...anchors.filter((a) => !a.profile)];
  for (const item of byProfile) {
    const cost = item.tokens + 1;
    if (item.kind !== 'anchor' || anchorTokens + cost > room * shares.anchors) continue;
    if (used + cost > room) continue;
    chosen.push(item);
    used += cost;
    anchorTokens += cost;
  }
  for (const item of ranked) {
    const cost = item.tokens + 1;
    if (item.kind === 'anchor' || used + cost > room) continue;
    if (item.kind === 'turn' && inWindow.has(item.sources[0] ?? '')) continue;
    chosen.push(item);
    used += cost;
  }
  const retrieved = new Set(chosen.filter((c) => c.kind === 'turn').map((c) => c.sources[0]!));
  extendWindow(window, recent, room, used, retrieved);
  const dropped = ranked.length - chosen.length + window.length - recent.size;
  const ordered = window.filter((t) => recent.has(t));
  return assemble(chosen, ordered, dropped, count);
}

/** Adds window turns newest first while they fit under `limit`; returns the tokens used. */
function extendWindow(
  window: readonly WindowTurn[],
  recent: Set<WindowTurn>,
  limit: number,
  used: number,
  skip: ReadonlySet<string>,
): number {
  for (let i = window.length - 1; i >= 0; i--) {
    const turn = window[i]!;
    if (recent.has(turn) || skip.has(turn.id)) continue;
    if (used + turn.tokens + 1 > limit) break;
    recent.add(turn);
    used += turn.tokens + 1;
  }
  return used;
}

function assemble(
  chosen: readonly PackCandidate[],
  recent: readonly WindowTurn[],
  dropped: number,
  count: TokenCounter,
): Packed {
  const anchors = chosen
    .filter((c) => c.kind === 'anchor')
    .sort((a, b) => Number(b.pinned ?? false) - Number(a.pinned ?? false) || a.order - b.order);
  const earlier = chosen.filter((c) => c.kind !== 'anchor').sort((a, b) => a.order - b.order);
  const sections: string[] = [];
  const memoryText: string[] = [];
  if (anchors.length) memoryText.push([HEADERS.anchors, ...anchors.map((a) => a.text)].join('\n'));
  if (earlier.length) memoryText.push([HEADERS.earlier, ...earlier.map((e) => e.text)].join('\n'));
  sections.push(...memoryText);
  if (recent.length) sections.push([HEADERS.recent, ...recent.map((r) => r.text)].join('\n'));
  const text = sections.join('\n\n');
  const messages: Packed['messages'] = [];
  if (memoryText.length) messages.push({ role: 'system', content: memoryText.join('\n\n') });
  for (const turn of recent) {
    messages.push({
      role: turn.role,
      content: turn.content,
      ...(turn.name === undefined ? {} : { name: turn.name }),
    });
  }
  const items = [...anchors, ...earlier, ...recent].map(toItem);
  return { text, messages, items, tokens: text ? count(text) : 0, dropped };
}

function toItem(c: PackCandidate): RecallItem {
  const { id, tier, kind, text, tokens, sources, at, scores } = c;
  return { id, tier, kind, text, tokens, sources, at, scores };
}
