import { describe, expect, it } from 'vitest';
import { hashingEmbedder } from './embed/hashing.js';
import { MemoryError } from './errors.js';
import { createMemory, type MemoryOptions } from './memory.js';
import { DAY, MINUTE, manualClock, patternExtract } from '../test/memory-helpers.js';

function open(options: MemoryOptions = {}) {
  const clock = manualClock();
  const memory = createMemory({ gpu: 'cpu', extract: patternExtract, now: clock.now, ...options });
  return { clock, memory };
}

const filler = (i: number) =>
  `Turn ${i}: we talked about the weather, trains and a soup recipe with leeks.`;

describe('observe and recall', () => {
  it('stores a turn, then recalls an old fact past the window with date, speaker and sources', async () => {
    const { clock, memory: pending } = open({ budgets: { windowTokens: 200 } });
    const memory = await pending;
    const s = memory.session('chat-1');
    const first = await s.observe({
      role: 'user',
      content: 'My sister Ana has a cat called Pixel.',
      name: 'Maria',
    });
    expect(first).toMatchObject({
      id: 'chat-1/t0',
      session: 'chat-1',
      role: 'user',
      name: 'Maria',
    });
    for (let i = 0; i < 60; i++) {
      clock.advance(MINUTE);
      await s.observe({ role: i % 2 ? 'assistant' : 'user', content: filler(i) });
    }
    await s.settled();
    const recall = await s.recall('What is the name of the cat?', { budgetTokens: 400 });
    const hit = recall.items.find((i) => i.sources.includes(first.id));
    expect(hit).toMatchObject({ tier: 'mid-term', kind: 'turn' });
    expect(hit!.scores.fused).toBeGreaterThan(0);
    expect(recall.text).toContain(
      '[2025-01-06 09:00] Maria (user): My sister Ana has a cat called Pixel.',
    );
    expect(recall.explain.tokens).toBeLessThanOrEqual(400);
    expect(recall.items.at(-1)).toMatchObject({ tier: 'short-term' });
    expect(recall.messages.at(-1)).toMatchObject({ role: 'assistant', content: filler(59) });
    memory.destroy();
  });

  it('turns leaving the window become summaries that keep their sources', async () => {
    const memory = await (
      await open({ budgets: { windowTokens: 100, summaryEveryTokens: 120 } })
    ).memory;
    const s = memory.session('chat-1');
    for (let i = 0; i < 30; i++)
      await s.observe({ role: 'user', content: `${filler(i)} It cost ${i * 10} euros.` });
    await s.settled();
    const recall = await s.recall('soup recipe with leeks euros', { budgetTokens: 1500, k: 64 });
    const summary = recall.items.find((i) => i.kind === 'summary');
    expect(summary?.tier).toBe('mid-term');
    expect(summary!.sources.length).toBeGreaterThan(1);
    expect(summary!.text).toMatch(/^Summary of 2025-01-06 09:00 to/);
    expect(summary!.text).toMatch(/leeks|euros/);
    memory.destroy();
  });

  it('uses the app summarizer when given, and falls back to extractive when it throws', async () => {
    const seen: number[] = [];
    const options = (summarize: MemoryOptions['summarize']) => ({
      budgets: { windowTokens: 60, summaryEveryTokens: 60 },
      summarize,
    });
    const a = await (
      await open(options((turns) => (seen.push(turns.length), 'They discussed soup.')))
    ).memory;
    const b = await (await open(options(() => Promise.reject(new Error('model offline'))))).memory;
    for (const memory of [a, b]) {
      const s = memory.session('x');
      for (let i = 0; i < 12; i++) await s.observe({ role: 'user', content: filler(i) });
      await s.settled();
    }
    expect(seen.length).toBeGreaterThan(0);
    const [ra, rb] = await Promise.all([
      a.session('x').recall('soup'),
      b.session('x').recall('soup'),
    ]);
    expect(ra.text).toContain('They discussed soup.');
    expect(rb.items.some((i) => i.kind === 'summary' && i.text.includes('leeks'))).toBe(true);
    a.destroy();
    b.destroy();
  });

  it('restating strengthens an anchor; a contradiction supersedes it, kept but not recalled', async () => {
    const { clock, memory: pending } = open({ budgets: { windowTokens: 50 } });
    const memory = await pending;
    const s = memory.session('chat-1');
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    await s.observe({ role: 'user', content: 'As I said, I live in Paris.' });
    await s.settled();
    const before = (await s.recall('where does the user live')).items.find(
      (i) => i.kind === 'anchor',
    );
    expect(before?.text).toContain('Paris');
    clock.advance(MINUTE);
    await s.observe({ role: 'user', content: 'Big news: I moved to Berlin.' });
    for (let i = 0; i < 10; i++) await s.observe({ role: 'assistant', content: filler(i) });
    await s.settled();
    const after = await s.recall('where does the user live');
    const anchors = after.items.filter((i) => i.kind === 'anchor');
    expect(anchors.map((a) => a.text).join()).toContain('Berlin');
    expect(anchors.map((a) => a.text).join()).not.toContain('Paris');
    const all = await s.recall('where does the user live', { includeSuperseded: true });
    expect(all.text).toMatch(/Paris\.? \(superseded\)/);
    expect(before!.scores.strength).toBeGreaterThan(0.3 + 0.4 * 0.9);
    memory.destroy();
  });

  it('keeps the prompt prefix stable from one turn to the next', async () => {
    const memory = await (await open({ budgets: { windowTokens: 80 } })).memory;
    const s = memory.session('chat-1');
    await s.observe({ role: 'user', content: 'My name is Maria and I live in Lisbon.' });
    await s.observe({ role: 'user', content: 'I love jazz.' });
    for (let i = 0; i < 20; i++) await s.observe({ role: 'assistant', content: filler(i) });
    await s.settled();
    const one = await s.recall('Tell me about Maria, Lisbon and jazz');
    await s.observe({ role: 'user', content: 'What should I cook tonight?' });
    await s.settled();
    const two = await s.recall('Tell me about Maria, Lisbon and jazz');
    const anchorsOf = (t: string) => t.split('\n\n')[0]!;
    expect(anchorsOf(two.text)).toBe(anchorsOf(one.text));
    expect(anchorsOf(one.text)).toContain('What is known');
    memory.destroy();
  });
});

describe('bad input', () => {
  it('refuses empty turns, unknown roles, bad dates and bad session ids before storing anything', async () => {
    const memory = await (await open()).memory;
    const s = memory.session('chat-1');
    const bad = [
      { role: 'user', content: '' },
      { role: 'user', content: '  \n\t ' },
      { role: 'robot', content: 'hi' },
      { role: 'user', content: 42 },
      { role: 'user', content: 'hi', at: 'not a date' },
      null,
    ];
    for (const input of bad) {
      await expect(s.observe(input as never)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    }
    for (const id of ['', ' ', 'a/b', 'x'.repeat(129), 'a b', 7]) {
      expect(() => memory.session(id as never)).toThrow(MemoryError);
    }
    const recall = await s.recall('anything');
    expect(recall.items).toEqual([]);
    expect(recall.explain.reason).toMatch(/nothing is stored/);
    await expect(s.recall('')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(s.recall('x', { budgetTokens: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    memory.destroy();
  });

  it('chunks a 1 MB turn into passages instead of refusing it', async () => {
    const memory = await (await open()).memory;
    const s = memory.session('chat-1');
    const words = Array.from({ length: 220_000 }, (_, i) =>
      i === 150_000 ? 'zanzibar' : `w${i % 997}`,
    );
    const big = await s.observe({ role: 'user', content: words.join(' ') + '.' });
    expect(big.content.length).toBeGreaterThan(1_000_000);
    await s.settled();
    const recall = await s.recall('zanzibar', { budgetTokens: 1000 });
    const hit = recall.items.find((i) => i.text.includes('zanzibar'));
    expect(hit?.sources).toEqual([big.id]);
    expect(recall.explain.tokens).toBeLessThanOrEqual(1000);
    memory.destroy();
  });

  it('returns empty with a reason when the budget is too small for anything', async () => {
    const memory = await (await open()).memory;
    const s = memory.session('chat-1');
    await s.observe({ role: 'user', content: 'I live in Porto.' });
    const recall = await s.recall('where do I live', { budgetTokens: 8 });
    expect(recall).toMatchObject({ text: '', items: [], messages: [] });
    expect(recall.explain.reason).toMatch(/too small/);
    memory.destroy();
  });

  it('throws DESTROYED after destroy() and close(), both idempotent', async () => {
    const memory = await (await open()).memory;
    const s = memory.session('chat-1');
    await s.observe({ role: 'user', content: 'hello' });
    await memory.close();
    await memory.close();
    memory.destroy();
    await expect(s.observe({ role: 'user', content: 'again' })).rejects.toMatchObject({
      code: 'DESTROYED',
    });
    await expect(s.recall('hello')).rejects.toMatchObject({ code: 'DESTROYED' });
    expect(() => memory.session('chat-2')).toThrow(/destroyed/);
  });

  it('an embedder that throws gives EMBED_FAILED; the turns stay and are recalled lexically', async () => {
    const real = hashingEmbedder({ dim: 64 });
    let broken = false;
    const embedder = {
      id: 'flaky',
      dim: 64,
      embed: (texts: readonly string[]) =>
        broken ? Promise.reject(new Error('GPU gone')) : real.embed(texts),
    };
    const memory = await (await open({ embedder })).memory;
    const s = memory.session('chat-1');
    await s.observe({ role: 'user', content: 'The parcel code is QX-1193.' });
    await s.settled();
    broken = true;
    await s.observe({ role: 'user', content: 'The locker number is 4471.' });
    await expect(s.settled()).rejects.toMatchObject({ code: 'EMBED_FAILED' });
    await expect(s.recall('locker number')).rejects.toMatchObject({ code: 'EMBED_FAILED' });
    broken = false;
    await s.settled(); // the failed job was queued again
    const recall = await s.recall('parcel code and locker number');
    expect(recall.text).toContain('QX-1193');
    expect(recall.text).toContain('4471');
    memory.destroy();
  });

  it('an embedder of the wrong dimension gives DIMENSION_MISMATCH and loses nothing', async () => {
    const embedder = {
      id: 'liar',
      dim: 32,
      embed: async (t: readonly string[]) => t.map(() => new Float32Array(16).fill(1)),
    };
    const memory = await (await open({ embedder })).memory;
    const s = memory.session('chat-1');
    await s.observe({ role: 'user', content: 'Remember the number 8812.' });
    await expect(s.settled()).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH' });
    await expect(s.recall('number')).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH' });
    memory.destroy();
  });
});

describe('the built-in extractor', () => {
  it('turns "I moved to Berlin" after "I live in Paris" into a superseded anchor', async () => {
    const clock = manualClock();
    const memory = await createMemory({
      gpu: 'cpu',
      now: clock.now,
      budgets: { windowTokens: 40 },
    });
    const s = memory.session('chat-1');
    await s.observe({ role: 'user', content: 'I live in Paris.', name: 'Maria' });
    await s.observe({ role: 'user', content: 'I moved to Berlin last week.', name: 'Maria' });
    for (let i = 0; i < 6; i++) await s.observe({ role: 'assistant', content: filler(i) });
    await s.settled();
    const recall = await s.recall('Where does Maria live now?');
    const anchors = recall.items.filter((i) => i.kind === 'anchor').map((a) => a.text);
    expect(anchors.join()).toContain('Berlin');
    expect(anchors.filter((a) => a.includes('The user')).join()).not.toContain('Paris');
    memory.destroy();
  });
});

describe('the background queue', () => {
  it('observe() resolves once stored and recall() answers while embedding is still queued', async () => {
    const real = hashingEmbedder({ dim: 64 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const embedder = {
      id: 'gated',
      dim: 64,
      embed: async (texts: readonly string[]) => (await gate, real.embed(texts)),
      embedQuery: (texts: readonly string[]) => real.embed(texts),
    };
    const memory = await (await open({ embedder, budgets: { windowTokens: 30 } })).memory;
    const s = memory.session('chat-1');
    await s.observe({ role: 'user', content: 'The wifi password is tangerine42.' });
    for (let i = 0; i < 5; i++) await s.observe({ role: 'assistant', content: filler(i) });
    const recall = await s.recall('wifi password');
    expect(recall.explain.pending).toBeGreaterThan(0);
    expect(recall.text).toContain('tangerine42');
    release();
    await s.settled();
    expect((await s.recall('wifi password')).explain.candidates.vector).toBeGreaterThan(0);
    memory.destroy();
  });
});

describe('time to live', () => {
  it('sweeps expired anchors, by hand and in the background, never pinned ones', async () => {
    const { clock, memory: pending } = open({ anchors: { ttlMs: { intent: 2 * DAY } } });
    const memory = await pending;
    const s = memory.session('chat-1');
    await s.observe({ role: 'user', content: 'I plan to visit Rome next spring.' });
    await s.observe({ role: 'user', content: 'I plan to learn knitting soon.' });
    await s.settled();
    const anchors = (await s.recall('plans')).items.filter((i) => i.kind === 'anchor');
    expect(anchors).toHaveLength(1); // same key (user.plan): the second supersedes the first
    await s.pin(anchors[0]!.id);
    clock.advance(3 * DAY);
    expect(await s.sweep()).toEqual([expect.stringMatching(/^chat-1\/a/)]);
    const left = (await s.recall('plans', { includeSuperseded: true })).items;
    expect(left.filter((i) => i.kind === 'anchor').map((i) => i.id)).toEqual([anchors[0]!.id]);
    memory.destroy();
  });
});
