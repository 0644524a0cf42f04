import { describe, expect, it } from 'vitest';
import { MemoryError } from '../errors.js';
import type { AnchorCandidate } from './anchor.js';
import table from './cases.json';
import { extractAnchors, splitSentences } from './extract.js';
import type { ExtractableTurn } from './extract.js';

const user = (content: string): AnchorCandidate[] => extractAnchors({ role: 'user', content });
const described = (c: AnchorCandidate) => `${c.kind} ${c.key}=${c.value}`;
const facts = (found: AnchorCandidate[]) =>
  found
    .filter((c) => c.kind !== 'entity')
    .map(described)
    .sort();

describe('extractAnchors: the table', () => {
  it('has at least 40 cases, negatives among them', () => {
    expect(table.cases.length).toBeGreaterThanOrEqual(40);
    expect(table.cases.filter((c) => c.anchors.length === 0).length).toBeGreaterThanOrEqual(10);
  });

  it.each(table.cases)('$text', ({ text, anchors, entities }) => {
    const found = user(text);
    expect(facts(found)).toEqual([...anchors].sort());
    const keys = found.filter((c) => c.kind === 'entity').map((c) => c.key);
    for (const key of entities ?? []) expect(keys).toContain(key);
    for (const c of found) {
      expect(c.text.length).toBeGreaterThan(0);
      expect(c.confidence).toBeGreaterThan(0);
      expect(c.confidence).toBeLessThanOrEqual(1);
      expect(c.value).toBe(c.value.toLowerCase());
    }
  });
});

describe('extractAnchors: supersession keys', () => {
  const pairs: [string, string, string][] = [
    ['I live in Paris.', 'I moved to Berlin.', 'user.location'],
    ['I love sushi.', "Actually I don't like sushi anymore.", 'user.preference.sushi'],
    ['My name is Ada.', 'Call me Augusta.', 'user.name'],
    ['I work as a nurse.', "I'm a teacher now.", 'user.job'],
    [
      'Always answer in French.',
      'Please reply in Spanish from now on.',
      'user.instruction.language',
    ],
    ['Please keep answers short.', 'Be more detailed.', 'user.instruction.length'],
    [
      "Don't use emojis.",
      'Feel free to use emojis, you can always use emojis.',
      'user.instruction.emojis',
    ],
    [
      "I'm planning to visit Tokyo next Friday.",
      "I'll visit Tokyo next month instead.",
      'user.plan.visit-tokyo',
    ],
    [
      "I'm planning to visit Tokyo next Friday.",
      "I'm not going to visit Tokyo anymore.",
      'user.plan.visit-tokyo',
    ],
    ["I'm allergic to peanuts.", "I'm not allergic to peanuts anymore.", 'user.allergy.peanut'],
    ['My wife is called Sofia.', 'My wife is named Elena.', 'user.wife'],
  ];
  it.each(pairs)('"%s" then "%s" share %s with another value', (first, second, key) => {
    const a = user(first).find((c) => c.key === key);
    const b = user(second).find((c) => c.key === key);
    expect(a, first).toBeDefined();
    expect(b, second).toBeDefined();
    expect(b!.value).not.toBe(a!.value);
  });

  it('restates with the same key and value, whatever the phrasing', () => {
    const pick = (text: string, key: string) => user(text).find((c) => c.key === key)?.value;
    expect(pick('I moved to Berlin.', 'user.location')).toBe(
      pick("I'm living in Berlin now.", 'user.location'),
    );
    expect(pick('My birthday is March 3rd.', 'user.birthday')).toBe(
      pick('My birthday is on the 3rd of March.', 'user.birthday'),
    );
    expect(pick('I love sushi', 'user.preference.sushi')).toBe(
      pick('I really like sushi', 'user.preference.sushi'),
    );
    // Two sisters are two anchors, not a correction of one.
    expect(user('My sister Maria called.')[0]?.key).not.toBe(user('My sister Ana called.')[0]?.key);
  });
});

describe('extractAnchors: roles and bad input', () => {
  it('gives assistant turns entities only', () => {
    const found = extractAnchors({
      role: 'assistant',
      content: 'I live in Paris and I love sushi. Maria works at Google in Berlin.',
    });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((c) => c.kind === 'entity')).toBe(true);
    expect(found.map((c) => c.key)).toEqual(
      expect.arrayContaining(['entity:maria', 'entity:berlin', 'entity:google']),
    );
    const named = extractAnchors({ role: 'assistant', name: 'Sage', content: 'Lisbon is lovely.' });
    expect(named[0]?.text).toContain('Sage');
  });

  it('finds several anchors in one multi-sentence turn', () => {
    const found = user(
      "Hi! My name is Ada. I live in Lisbon, and I'm allergic to cats. Please keep answers short.",
    );
    expect(found.map((c) => c.key)).toEqual(
      expect.arrayContaining([
        'user.name',
        'user.location',
        'user.allergy.cat',
        'user.instruction.length',
        'entity:lisbon',
      ]),
    );
  });

  it('returns nothing for empty or whitespace turns and rejects what is not a turn', () => {
    expect(user('')).toEqual([]);
    expect(user(' \n\t ')).toEqual([]);
    expect(() =>
      extractAnchors({ role: 'robot', content: 'hi' } as unknown as ExtractableTurn),
    ).toThrow(MemoryError);
    expect(() =>
      extractAnchors({ role: 'user', content: 42 } as unknown as ExtractableTurn),
    ).toThrow(/content/);
    expect(() => extractAnchors(null as unknown as ExtractableTurn)).toThrow(MemoryError);
    expect(() => extractAnchors({ role: 'user', content: 'x' }, { maxChars: 0 })).toThrow(
      MemoryError,
    );
  });

  it('reads only the first maxChars of a 1 MB turn, quickly', () => {
    const filler = 'The weather report said clouds would move east over the hills by noon. ';
    const big = `My name is Ada. ${filler.repeat(Math.ceil(1_000_000 / filler.length))} I live in Oslo.`;
    const t0 = performance.now();
    const found = user(big);
    const ms = performance.now() - t0;
    expect(found.map((c) => c.key)).toContain('user.name');
    expect(found.map((c) => c.key)).not.toContain('user.location');
    console.log(`extract: 1 MB turn (first 20,000 chars read) in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(3000);
  });

  it('extracts a 40-word turn in a few milliseconds', () => {
    const turn =
      "Actually I moved to Berlin last month with my sister Maria, and I'm planning to visit Tokyo next Friday. " +
      "I love sushi but I can't stand cilantro. Please keep answers short and don't use emojis.";
    for (let i = 0; i < 20; i++) user(turn);
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) user(turn);
    const ms = (performance.now() - t0) / 100;
    console.log(`extract: ${turn.split(/\s+/).length}-word turn in ${ms.toFixed(2)} ms`);
    expect(ms).toBeLessThan(20);
  });
});

describe('splitSentences', () => {
  it('splits on sentence ends and line breaks, not on abbreviations or decimals', () => {
    expect(
      splitSentences(
        'Dr. Smith paid $3.50 at 5 p.m. yesterday. He left!\nNew line without stop\n\nNext one?',
      ),
    ).toEqual([
      'Dr. Smith paid $3.50 at 5 p.m. yesterday.',
      'He left!',
      'New line without stop',
      'Next one?',
    ]);
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('   ')).toEqual([]);
    expect(() => splitSentences(7 as unknown as string)).toThrow(MemoryError);
  });

  it('keeps every sentence of a long text, split in pieces', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    expect(text.length).toBeGreaterThan(50_000);
    const sentences = splitSentences(text);
    expect(sentences).toHaveLength(3000);
    expect(sentences[2999]).toBe('Sentence number 2999 is here.');
  });
});
