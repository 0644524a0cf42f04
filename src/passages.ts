/** How turns are indexed: a whole turn, or passages of about 300 tokens for a long one. */
import type { TurnRecord } from './store/types.js';

/** A passage of a turn as indexed: a whole turn, or one chunk of a long one. */
export interface Passage {
  turn: TurnRecord;
  text: string;
}

/** Characters per passage: long turns are indexed in chunks of about 300 tokens. */
const PASSAGE_CHARS = 1200;

/**
 * The passages of a turn, split at sentence or word boundaries.
 *
 * @example
 * passagesOf('short turn'); // ['short turn']; a 5,000-character turn gives about 5
 */
export function passagesOf(content: string): string[] {
  if (content.length <= PASSAGE_CHARS) return [content];
  const out: string[] = [];
  let start = 0;
  while (start < content.length) {
    let end = Math.min(content.length, start + PASSAGE_CHARS);
    if (end < content.length) {
      const cut = Math.max(content.lastIndexOf('. ', end), content.lastIndexOf(' ', end));
      if (cut > start + PASSAGE_CHARS / 2) end = cut + 1;
    }
    const text = content.slice(start, end).trim();
    if (text) out.push(text);
    start = end;
  }
  return out;
}

/**
 * Passage ids: the turn id itself, or `<turn>.<n>` for chunks of a long turn.
 *
 * @example
 * passageIds(turn, 3); // ['chat/t7.0', 'chat/t7.1', 'chat/t7.2']
 */
export function passageIds(turn: TurnRecord, count: number): string[] {
  return count === 1 ? [turn.id] : Array.from({ length: count }, (_, i) => `${turn.id}.${i}`);
}
