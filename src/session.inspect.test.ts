import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { editedValue } from './anchor-edit.js';
import { createMemory, type Memory, type MemoryOptions } from './memory.js';
import type { MemoryStore } from './store/types.js';
import { DAY, MINUTE, manualClock, patternExtract } from '../test/memory-helpers.js';

const base: MemoryOptions = { gpu: 'cpu', extract: patternExtract };
const fresh = () => `inspect-${Math.random().toString(36).slice(2)}`;
const filler = (i: number) => `Turn ${i}: the weather, trains and a soup recipe with leeks.`;
const index = (memory: Memory) =>
  (memory as unknown as { index: { has(id: string): boolean } }).index;

describe('session.inspect()', () => {
  it('shows every turn, the window, summaries oldest first and anchors strongest first', async () => {
    const clock = manualClock();
    const memory = await createMemory({
      ...base,
      storage: 'memory',
      now: clock.now,
      budgets: { windowTokens: 100, summaryEveryTokens: 120 },
    });
    const s = memory.session('chat');
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    await s.observe({ role: 'user', content: 'I like tea.' });
    await s.observe({ role: 'user', content: 'I like tea, really.' });
    for (let i = 0; i < 30; i++) {
      clock.advance(MINUTE);
      await s.observe({ role: i % 2 ? 'assistant' : 'user', content: filler(i) });
    }
    await s.observe({ role: 'user', content: 'I moved to Berlin.' });
    await s.settled();
    clock.advance(3 * DAY);
    const view = await s.inspect();

    expect(view.id).toBe('chat');
    expect(view.turns).toHaveLength(34);
    expect(view.turns.map((t) => t.id)).toEqual(view.turns.map((_, i) => `chat/t${i}`));
    expect(view.turns[0]).toEqual({
      id: 'chat/t0',
      session: 'chat',
      role: 'user',
      content: 'I live in Paris.',
      at: expect.any(Number),
      tokens: expect.any(Number),
    });
    expect(view.window.at(-1)).toBe('chat/t33');
    expect(view.window.length).toBeLessThan(34);
    expect(view.summaries.length).toBeGreaterThan(0);
    for (let i = 1; i < view.summaries.length; i++)
      expect(view.summaries[i]!.from).toBeGreaterThanOrEqual(view.summaries[i - 1]!.from);
    expect(view.summaries[0]).toMatchObject({ method: 'extractive', sources: expect.any(Array) });

    const strengths = view.anchors.map((a) => a.strength);
    expect(strengths).toEqual([...strengths].sort((a, b) => b - a));
    const tea = view.anchors.find((a) => a.key === 'user.likes')!;
    expect(tea.sources).toEqual(['chat/t1', 'chat/t2']); // restated: strengthened
    const paris = view.anchors.find((a) => a.value === 'paris')!;
    const berlin = view.anchors.find((a) => a.value === 'berlin')!;
    expect(paris.supersededBy).toBe(berlin.id); // superseded ones are shown too
    expect(berlin.supersedes).toBe(paris.id);
    // Three days on a seven-day half-life: 2^(-3/7) of it is left.
    expect(tea.retention).toBeCloseTo(2 ** (-(3 * DAY + 30 * MINUTE) / (7 * DAY)), 6);
    expect(view.pending).toBe(0);

    await s.pin(tea.id);
    expect((await s.inspect()).anchors.find((a) => a.id === tea.id)).toMatchObject({
      pinned: true,
      retention: 1,
    });
    memory.destroy();
  });

  it('returns copies: changing them changes nothing in the memory', async () => {
    const memory = await createMemory({ ...base, storage: 'memory' });
    const s = memory.session('chat');
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    await s.settled();
    const view = await s.inspect();
    view.turns[0]!.content = 'changed';
    view.anchors[0]!.text = 'changed';
    view.anchors[0]!.sources.push('nope');
    view.window.length = 0;
    const again = await s.inspect();
    expect(again.turns[0]!.content).toBe('I live in Paris.');
    expect(again.anchors[0]!.text).toBe('The user lives in Paris.');
    expect(again.anchors[0]!.sources).toEqual(['chat/t0']);
    expect(again.window).toEqual(['chat/t0']);
    memory.destroy();
  });

  it('counts the background jobs not done yet', async () => {
    const memory = await createMemory({ ...base, storage: 'memory' });
    const s = memory.session('chat');
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    expect((await s.inspect()).pending).toBeGreaterThan(0);
    await s.settled();
    expect((await s.inspect()).pending).toBe(0);
    memory.destroy();
  });
});

describe('session.edit()', () => {
  it('replaces text and value, re-embeds and re-indexes, keeps pin and strength', async () => {
    const memory = await createMemory({ ...base, storage: 'memory' });
    const s = memory.session('chat');
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    for (let i = 0; i < 6; i++) await s.observe({ role: 'user', content: filler(i) });
    await s.settled();
    const [before] = (await s.inspect()).anchors;
    const store = (memory as unknown as { store: MemoryStore }).store;
    const version = (await store.get('anchor', before!.id))!.version;
    await s.pin(before!.id);
    const edited = await s.edit(before!.id, '  The user lives in Porto.  ');
    expect(edited).toMatchObject({
      id: before!.id,
      text: 'The user lives in Porto.',
      value: 'porto',
      key: 'user.location',
      pinned: true,
      strength: before!.strength,
      sources: before!.sources,
      firstSeen: before!.firstSeen,
    });
    const view = await s.inspect();
    expect(view.anchors.find((a) => a.id === before!.id)).toEqual(edited);
    // The stored vector is the new text's; the words found lexically are the new ones.
    const [expected] = await memory.embedder.embed(['The user lives in Porto.']);
    expect(Array.from((await store.get('vector', before!.id))!.vector)).toEqual(
      Array.from(expected!),
    );
    expect((await store.get('anchor', before!.id))?.version).toBe(version + 2);
    const recall = await s.recall('Porto', { budgetTokens: 300 });
    const hit = recall.items.find((i) => i.id === before!.id);
    expect(hit?.text).toContain('The user lives in Porto.');
    expect(hit?.scores.lexical).toBeGreaterThan(0);
    const old = await s.recall('Paris', { budgetTokens: 300 });
    expect(old.items.find((i) => i.id === before!.id)?.scores.lexical).toBeUndefined();
    memory.destroy();
  });

  it('refuses anything but an anchor of the session, and empty text, with BAD_INPUT', async () => {
    const memory = await createMemory({ ...base, storage: 'memory' });
    const s = memory.session('chat');
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    await s.settled();
    const [anchor] = (await s.inspect()).anchors;
    for (const [id, text] of [
      ['chat/t0', 'x'],
      ['other/a0', 'x'],
      ['', 'x'],
      [anchor!.id, ''],
      [anchor!.id, '   '],
      [anchor!.id, 7],
      [anchor!.id, 'x'.repeat(2001)],
    ] as const)
      await expect(s.edit(id, text as string)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect((await s.inspect()).anchors[0]!.text).toBe('The user lives in Paris.');
    memory.destroy();
  });

  it('is stored: the edit survives a reopen, with its new vector', async () => {
    const name = fresh();
    const memory = await createMemory({ ...base, name });
    const s = memory.session('chat');
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    await s.settled();
    const [anchor] = (await s.inspect()).anchors;
    await s.edit(anchor!.id, 'The user lives in Lyon.');
    const recallBefore = await s.recall('Lyon', { budgetTokens: 300 });
    await memory.close();
    const reopened = await createMemory({ ...base, name });
    const again = reopened.session('chat');
    expect((await again.inspect()).anchors[0]).toMatchObject({
      text: 'The user lives in Lyon.',
      value: 'lyon',
    });
    expect(index(reopened).has(anchor!.id)).toBe(true);
    const recallAfter = await again.recall('Lyon', { budgetTokens: 300 });
    const score = (r: typeof recallAfter) => r.items.find((i) => i.id === anchor!.id)?.scores;
    expect(score(recallAfter)?.vector).toBeCloseTo(score(recallBefore)!.vector!, 2);
    await reopened.close();
  });
});

describe('editedValue', () => {
  const fact = { kind: 'fact' as const, value: 'lisbon', text: 'The user lives in Lisbon.' };
  it('follows an edit inside the value, keeps it for an edit beside it', () => {
    expect(editedValue(fact, 'The user lives in Porto.')).toBe('porto');
    expect(editedValue(fact, 'The user lives in Rio de Janeiro.')).toBe('rio de janeiro');
    expect(editedValue(fact, 'The user lives in Lisbon, Portugal.')).toBe('lisbon');
    expect(editedValue(fact, 'The user now lives in Lisbon.')).toBe('lisbon');
    expect(editedValue(fact, 'the user lives in lisbon')).toBe('lisbon');
  });
  it('takes the whole new text as the value when the edit reaches past the value', () => {
    expect(editedValue(fact, 'The user works in Madrid.')).toBe('user works in madrid');
    const likes = {
      kind: 'preference' as const,
      value: 'likes',
      text: 'The user is a fan of jazz.',
    };
    expect(editedValue(likes, 'The user hates jazz.')).toBe('user hates jazz');
  });
  it('keeps the value of an entity (its kind of entity, not in the text)', () => {
    const entity = { kind: 'entity' as const, value: 'person', text: 'Maria, mentioned by Ada.' };
    expect(editedValue(entity, 'Maria is my sister.')).toBe('person');
  });
});
