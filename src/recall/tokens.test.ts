import { readFileSync } from 'node:fs';
import { encode as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { estimateTokens } from './tokens.js';

// English prose and chat: novels' openings, a speech, chat turns, a report, a science text.
const paragraphs = readFileSync(
  new URL('../../test/fixtures/prose-en.txt', import.meta.url),
  'utf8',
)
  .split('\n\n')
  .filter((p) => p.trim().length > 0);

describe('estimateTokens', () => {
  for (const [name, encode] of [
    ['cl100k', cl100k],
    ['o200k', o200k],
  ] as const) {
    it(`is within 15% of ${name} on every paragraph and within 5% overall`, () => {
      let estimated = 0;
      let counted = 0;
      for (const paragraph of paragraphs) {
        const e = estimateTokens(paragraph);
        const c = encode(paragraph).length;
        expect(Math.abs(e / c - 1), paragraph.slice(0, 40)).toBeLessThan(0.15);
        estimated += e;
        counted += c;
      }
      expect(Math.abs(estimated / counted - 1)).toBeLessThan(0.05);
    });
  }

  it('counts nothing in an empty text and grows with the text', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('a b c d')).toBeLessThan(estimateTokens('a b c d e f g h'));
    expect(estimateTokens('東京に住んでいます')).toBeGreaterThanOrEqual(8);
  });
});
