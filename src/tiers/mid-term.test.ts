import { describe, expect, it } from 'vitest';
import { hashingEmbedder } from '../embed/hashing.js';
import { splitSentences } from '../extract/extract.js';
import { estimateTokens } from '../recall/tokens.js';
import type { TurnRecord } from '../store/types.js';
import { extractiveSummary } from './mid-term.js';

const turn = (seq: number, role: TurnRecord['role'], content: string): TurnRecord => ({
  id: `s/t${seq}`,
  session: 's',
  seq,
  role,
  content,
  at: Date.UTC(2026, 0, 1, 9, seq),
  tokens: estimateTokens(content),
  pending: [],
});

describe('extractiveSummary', () => {
  it("keeps the user's statement, not the assistant's restatement of it", async () => {
    const embedder = hashingEmbedder({ dim: 256 });
    const turns = [
      turn(0, 'user', 'Hi! My name is Maria and I live in Lisbon.'),
      turn(
        1,
        'assistant',
        "Got it: your name is Maria and you live in Lisbon. I'll remember that.",
      ),
      turn(2, 'user', 'I work as a nurse at a children’s hospital.'),
      turn(
        3,
        'assistant',
        "Got it: you work as a nurse at a children's hospital. I'll remember that.",
      ),
    ];
    const summary = await extractiveSummary(turns, {
      count: estimateTokens,
      embed: (texts) => embedder.embed(texts),
      split: splitSentences,
    });
    expect(summary).toContain('My name is Maria and I live in Lisbon.');
    expect(summary).toContain('I work as a nurse');
    expect(summary).not.toContain('Got it');
  });
});
