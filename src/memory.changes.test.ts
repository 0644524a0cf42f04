import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { ChangeFeed, type MemoryChange } from './changes.js';
import { createMemory, type Memory, type MemoryOptions } from './memory.js';
import type { MemoryStore } from './store/types.js';
import { manualClock, patternExtract } from '../test/memory-helpers.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const base: MemoryOptions = { gpu: 'cpu', extract: patternExtract };

describe('ChangeFeed', () => {
  it('tells one event per session per tick, with the latest source, in order of last change', async () => {
    const feed = new ChangeFeed();
    const seen: MemoryChange[] = [];
    feed.listen((c) => seen.push(c));
    feed.note('a', 'local');
    feed.note('b', 'remote');
    feed.note('a', 'remote');
    expect(seen).toEqual([]);
    await tick();
    expect(seen).toEqual([
      { session: 'b', source: 'remote' },
      { session: 'a', source: 'remote' },
    ]);
    feed.note('a', 'local');
    await tick();
    expect(seen.at(-1)).toEqual({ session: 'a', source: 'local' });
    expect(seen).toHaveLength(3);
  });

  it('goes on past a listener that throws or rejects; unsubscribes once per subscription', async () => {
    const feed = new ChangeFeed();
    const seen: string[] = [];
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    feed.listen(() => {
      throw new Error('boom');
    });
    feed.listen(async () => {
      throw new Error('async boom');
    });
    const record = (c: MemoryChange) => void seen.push(c.session);
    const first = feed.listen(record);
    feed.listen(record);
    feed.note('a', 'local');
    await tick();
    expect(seen).toEqual(['a', 'a']);
    first();
    first();
    feed.note('b', 'local');
    await tick();
    expect(seen).toEqual(['a', 'a', 'b']);
    feed.stop();
    feed.note('c', 'local');
    await tick();
    expect(seen).toEqual(['a', 'a', 'b']);
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
  });
});

describe('memory.onChange()', () => {
  it('fires after observe and after background work, the last one after the last write', async () => {
    const memory = await createMemory({ ...base, storage: 'memory', now: manualClock().now });
    const s = memory.session('chat');
    const views: Awaited<ReturnType<typeof s.inspect>>[] = [];
    const changes: MemoryChange[] = [];
    memory.onChange((change) => {
      changes.push(change);
      void s.inspect().then((view) => views.push(view));
    });
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    await s.settled();
    await tick();
    await tick();
    expect(changes.length).toBeGreaterThanOrEqual(1);
    expect(changes.every((c) => c.session === 'chat' && c.source === 'local')).toBe(true);
    // What the UI rendered last is the memory as it is now: the anchor and its vector are in.
    expect(views.at(-1)).toEqual(await s.inspect());
    expect(views.at(-1)!.anchors).toHaveLength(1);
    expect(views.at(-1)!.pending).toBe(0);
    memory.destroy();
  });

  it('fires for pin, edit, forget, setTitle, deleteSession and import', async () => {
    const memory = await createMemory({ ...base, storage: 'memory' });
    const s = memory.session('chat');
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    await s.settled();
    await tick();
    const changes: MemoryChange[] = [];
    memory.onChange((c) => changes.push(c));
    const [anchor] = (await s.inspect()).anchors;
    const lines: string[] = [];
    for await (const line of memory.export()) lines.push(line.replaceAll('"chat', '"copy'));
    const actions: [string, () => Promise<unknown>][] = [
      ['chat', () => s.pin(anchor!.id)],
      ['chat', () => s.edit(anchor!.id, 'The user lives in Rome.')],
      ['chat', () => s.setTitle('Rome')],
      ['chat', () => s.forget(anchor!.id)],
      ['chat', () => memory.deleteSession('chat')],
      ['copy', () => memory.import(lines)],
    ];
    for (const [session, act] of actions) {
      changes.length = 0;
      await act();
      await tick();
      expect(changes).toEqual([{ session, source: 'local' }]);
    }
    memory.destroy();
  });

  it('survives a throwing listener; unsubscribe stops events; refuses a non-function', async () => {
    const memory = await createMemory({ ...base, storage: 'memory' });
    const seen = vi.fn();
    memory.onChange(() => {
      throw new Error('a broken UI');
    });
    const stop = memory.onChange(seen);
    const s = memory.session('chat');
    await s.observe({ role: 'user', content: 'I live in Paris.' });
    await s.settled();
    await tick();
    expect(seen).toHaveBeenCalled();
    stop();
    seen.mockClear();
    await s.observe({ role: 'user', content: 'I like tea.' });
    await s.settled();
    await tick();
    expect(seen).not.toHaveBeenCalled();
    expect((await s.recall('tea', { budgetTokens: 200 })).items.length).toBeGreaterThan(0);
    expect(() => memory.onChange('no' as never)).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT' }),
    );
    memory.destroy();
    expect(() => memory.onChange(seen)).toThrow(expect.objectContaining({ code: 'DESTROYED' }));
  });

  it('tells the last changes before close() resolves', async () => {
    const memory = await createMemory({ ...base, storage: 'memory' });
    const seen = vi.fn();
    memory.onChange(seen);
    void memory.session('chat').observe({ role: 'user', content: 'I live in Paris.' });
    await memory.close();
    expect(seen).toHaveBeenCalledWith({ session: 'chat', source: 'local' });
  });
});

describe('changes from another tab', () => {
  // Two memories on one name in one process stand for two tabs (BroadcastChannel is real).
  async function tabs() {
    const name = `changes-${Math.random().toString(36).slice(2)}`;
    const a = await createMemory({ ...base, name });
    const b = await createMemory({ ...base, name });
    const heard: MemoryChange[] = [];
    b.onChange((c) => heard.push(c));
    return { a, b, heard };
  }
  const until = (check: () => unknown) => vi.waitFor(check, { timeout: 5000, interval: 20 });
  const view = (m: Memory, id = 'chat') => m.session(id).inspect();

  it("applies another tab's turns, edits and titles, and tells them as remote", async () => {
    const { a, b, heard } = await tabs();
    await b.session('chat').inspect(); // open in b, so that its copy is kept current
    await a.session('chat').observe({ role: 'user', content: 'I live in Paris.' });
    await a.session('chat').settled();
    await until(async () => expect((await view(b)).anchors).toHaveLength(1));
    expect(heard).toContainEqual({ session: 'chat', source: 'remote' });

    const [anchor] = (await view(a)).anchors;
    heard.length = 0;
    await a.session('chat').edit(anchor!.id, 'The user lives in Nice.');
    await until(async () =>
      expect((await view(b)).anchors[0]!.text).toBe('The user lives in Nice.'),
    );
    await until(() => expect(heard).toContainEqual({ session: 'chat', source: 'remote' }));
    const found = await b.session('chat').recall('Nice', { budgetTokens: 200 });
    expect(found.items.find((i) => i.id === anchor!.id)?.scores).toMatchObject({
      vector: expect.any(Number),
      lexical: expect.any(Number), // b's lexical index has the new words
    });

    heard.length = 0;
    await a.session('other').setTitle('Not opened in b');
    await until(() => expect(heard).toContainEqual({ session: 'other', source: 'remote' }));
    expect((await b.sessions()).find((s) => s.id === 'other')?.title).toBe('Not opened in b');
    await Promise.all([a.close(), b.close()]);
  });

  it('a session deleted in one tab empties in the other, which hears of it', async () => {
    const { a, b, heard } = await tabs();
    for (const content of ['I live in Paris.', 'I like tea.'])
      await a.session('chat').observe({ role: 'user', content });
    await a.session('chat').settled();
    const inB = b.session('chat');
    await until(async () => expect((await inB.inspect()).anchors).toHaveLength(2));
    const emptied: boolean[] = []; // at each event, whether b's copy was empty by then
    b.onChange(() => inB.inspect().then((v) => void emptied.push(v.turns.length === 0)));
    await a.deleteSession('chat');
    await until(async () =>
      expect(await inB.inspect()).toMatchObject({ turns: [], anchors: [], window: [] }),
    );
    await until(() => expect(emptied.at(-1)).toBe(true));
    expect(heard.at(-1)).toEqual({ session: 'chat', source: 'remote' });
    // Nothing of it is left in the store, even what b's own work wrote after a's clear.
    const store = (b as unknown as { store: MemoryStore }).store;
    for (const kind of ['turn', 'anchor', 'vector'] as const)
      expect(await store.list(kind, 'chat')).toEqual([]);
    expect(await b.sessions()).toEqual([]);
    const index = (b as unknown as { index: { has(id: string): boolean } }).index;
    expect(index.has('chat/t0')).toBe(false);
    expect((await inB.recall('where do I live', { budgetTokens: 200 })).items).toEqual([]);
    // The emptied session goes on: what b writes now is a new conversation.
    await inB.observe({ role: 'user', content: 'Fresh start.' });
    expect((await inB.inspect()).turns.map((t) => t.id)).toEqual(['chat/t0']);
    await Promise.all([a.close(), b.close()]);
  });
});
