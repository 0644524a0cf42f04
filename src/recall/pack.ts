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
  const windowTokens = window.reduce((n, t) => n + t.tokens + 1, 0);
  const reserve = Math.min(windowTokens, Math.floor(room * shares.window));
  const chosen: PackCandidate[] = [];
  let used = 0;
  let anchorTokens = 0;
  let dropped = 0;
  for (const item of ranked) {
    const cost = item.tokens + 1;
    const anchorFull = item.kind === 'anchor' && anchorTokens + cost > room * shares.anchors;
    if (anchorFull || used + cost > room - reserve) {
      dropped++;
      continue;
    }
    chosen.push(item);
    used += cost;
    if (item.kind === 'anchor') anchorTokens += cost;
  }
  const recent: WindowTurn[] = [];
  for (let i = window.length - 1; i >= 0; i--) {
    const turn = window[i]!;
    if (used + turn.tokens + 1 > room) break;
    recent.unshift(turn);
    used += turn.tokens + 1;
  }
  dropped += window.length - recent.length;
  return assemble(chosen, recent, dropped, count);
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
