import { describe, expect, it } from 'vitest';
import type { Recall, RecallItem } from '../../src/index.js';
import { continuation, feed, type Conversation } from '../../demo/src/responders/conversation.js';
import type { ReplyRequest } from '../../demo/src/responders/types.js';

const item = (id: string, final: number, tokens: number): RecallItem => ({
  id,
  tier: 'long-term',
  kind: 'anchor',
  text: `[2026-12-04 10:00] fact ${id}`,
  tokens,
  sources: [`s/t${id}`],
  at: 0,
  scores: { fused: final, recency: 0, final },
});

function request(items: RecallItem[]): ReplyRequest {
  const recall = { text: '', messages: [], items, explain: {} } as unknown as Recall;
  return {
    session: 's',
    message: 'hello',
    turnId: 's/t99',
    recall,
    signal: new AbortController().signal,
  };
}

function conversation(): Conversation {
  const fresh = {
    fedItems: new Set<string>(),
    fedTurns: new Set<string>(),
    replies: new Set<string>(),
  };
  return fresh as unknown as Conversation;
}

describe('continuation', () => {
  it('feeds the most relevant memory within its share of the cache, and records only that', () => {
    const c = conversation();
    const r = request([item('a', 0.2, 40), item('b', 0.9, 40), item('c', 0.5, 40)]);
    const next = continuation(c, r, 90);
    expect(next.items.sort()).toEqual(['b', 'c']);
    const system = next.messages[0]!.content;
    expect(system).toContain('fact b');
    expect(system).toContain('fact c');
    expect(system).not.toContain('fact a');
    feed(c, r, false, next.items);
    expect([...c.fedItems].sort()).toEqual(['b', 'c']);
    // The next turn offers what was left out, and nothing already fed.
    const again = continuation(c, r, 90);
    expect(again.items).toEqual(['a']);
  });

  it('without a cap feeds every new item', () => {
    const next = continuation(conversation(), request([item('a', 0.2, 400), item('b', 0.9, 400)]));
    expect(next.items.sort()).toEqual(['a', 'b']);
  });
});
