/** Shared helpers for the memory engine's tests: a tiny pattern extractor and a clock. */
import type { AnchorCandidate } from '../src/extract/anchor.js';
import type { ExtractTurn } from '../src/session-state.js';

const PATTERNS: {
  re: RegExp;
  key: string;
  kind: AnchorCandidate['kind'];
  text: (v: string) => string;
}[] = [
  {
    re: /\bI (?:live|moved) (?:in|to) ([A-Z]\w+)/,
    key: 'user.location',
    kind: 'fact',
    text: (v) => `The user lives in ${v}.`,
  },
  {
    re: /\bmy name is ([A-Z]\w+)/i,
    key: 'user.name',
    kind: 'fact',
    text: (v) => `The user's name is ${v}.`,
  },
  {
    re: /\bI (?:love|like) (\w+)/,
    key: 'user.likes',
    kind: 'preference',
    text: (v) => `The user likes ${v}.`,
  },
  {
    re: /\bI plan to (\w+ \w+)/,
    key: 'user.plan',
    kind: 'intent',
    text: (v) => `The user plans to ${v}.`,
  },
];

/** A stand-in for the real extractor: a few first-person patterns, nothing else. */
export function patternExtract(turn: ExtractTurn): AnchorCandidate[] {
  if (turn.role !== 'user') return [];
  return PATTERNS.flatMap(({ re, key, kind, text }) => {
    const m = re.exec(turn.content);
    return m ? [{ kind, key, value: m[1]!.toLowerCase(), text: text(m[1]!), confidence: 0.9 }] : [];
  });
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2025, 0, 6, 9, 0)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

export const MINUTE = 60_000;
export const DAY = 24 * 3600_000;
