import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createMemory, type Memory, type MemoryOptions } from './memory.js';
import { IndexedDbStore } from './store/indexeddb-store.js';
import { InMemoryStore } from './store/memory-store.js';
import type { MemoryStore } from './store/types.js';
import { MINUTE, manualClock, patternExtract } from '../test/memory-helpers.js';

const fresh = () => `manage-${Math.random().toString(36).slice(2)}`;
const index = (memory: Memory) =>
  (memory as unknown as { index: { size: number; has(id: string): boolean } }).index;

/** Three conversations, the middle one most recent; one titled. */
async function fill(memory: Memory, clock: ReturnType<typeof manualClock>) {
  const talk = async (session: string, turns: number) => {
    for (let i = 0; i < turns; i++) {
      clock.advance(MINUTE);
      await memory
        .session(session)
        .observe({ role: 'user', content: `I live in City${i}. Note ${i} on ${session}.` });
    }
  };
  await talk('a', 3);
  await talk('c', 2);
  await talk('b', 4);
  await memory.session('b').setTitle('  Moving house ');
  clock.advance(MINUTE);
  await memory.session('c').observe({ role: 'assistant', content: 'Latest word in c.' });
  await Promise.all(['a', 'b', 'c'].map((s) => memory.session(s).settled()));
}

/** A store of the app's own, without the optional sessionStats: the fallback must serve. */
function customStore(): MemoryStore {
  const inner = new InMemoryStore();
  return {
    write: (changes) => inner.write(changes),
    get: (kind, id) => inner.get(kind, id),
    list: (kind, session) => inner.list(kind, session),
    clear: (session) => inner.clear(session),
    close: () => inner.close(),
  };
}

describe('memory.sessions()', () => {
  for (const storage of ['memory', 'custom'] as const) {
    it(`lists every conversation with title, turns and times, newest first (${storage})`, async () => {
      const clock = manualClock();
      const memory = await createMemory({
        gpu: 'cpu',
        extract: patternExtract,
        now: clock.now,
        storage: storage === 'custom' ? customStore() : 'memory',
      });
      await fill(memory, clock);
      const start = manualClock().now();
      expect(await memory.sessions()).toEqual([
        { id: 'c', turns: 3, firstAt: start + 4 * MINUTE, lastAt: start + 10 * MINUTE },
        {
          id: 'b',
          title: 'Moving house',
          turns: 4,
          firstAt: start + 6 * MINUTE,
          lastAt: start + 9 * MINUTE,
        },
        { id: 'a', turns: 3, firstAt: start + MINUTE, lastAt: start + 3 * MINUTE },
      ]);
      memory.destroy();
    });
  }

  it('on IndexedDB, lists conversations not opened in this run, from the turns index', async () => {
    const name = fresh();
    const clock = manualClock();
    const options: MemoryOptions = { name, gpu: 'cpu', extract: patternExtract, now: clock.now };
    const memory = await createMemory(options);
    await fill(memory, clock);
    const listed = await memory.sessions();
    await memory.close();
    const reopened = await createMemory(options);
    const store = (reopened as unknown as { store: IndexedDbStore }).store;
    const list = vi.spyOn(store, 'list');
    expect(await reopened.sessions()).toEqual(listed);
    expect(listed.map((s) => [s.id, s.turns])).toEqual([
      ['c', 3],
      ['b', 4],
      ['a', 3],
    ]);
    expect(list.mock.calls.map(([kind]) => kind)).toEqual(['session']); // no turn was read
    await reopened.close();
  });

  it('lists a titled session without turns, and refuses bad titles with BAD_INPUT', async () => {
    const clock = manualClock();
    const memory = await createMemory({ gpu: 'cpu', storage: 'memory', now: clock.now });
    const s = memory.session('draft');
    for (const title of ['', '   ', 7, 'x'.repeat(501)])
      await expect(s.setTitle(title as string)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(await memory.sessions()).toEqual([]);
    await s.setTitle('Draft');
    await s.setTitle('Draft, renamed');
    expect(await memory.sessions()).toEqual([
      { id: 'draft', title: 'Draft, renamed', turns: 0, firstAt: clock.now(), lastAt: clock.now() },
    ]);
    memory.destroy();
  });

  it('keeps titles sealed at rest in an encrypted memory, and exports and imports them', async () => {
    const encryptionKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const name = fresh();
    const memory = await createMemory({ name, gpu: 'cpu', encryptionKey });
    await memory.session('chat').observe({ role: 'user', content: 'Hello there.' });
    await memory.session('chat').setTitle('A secret plan');
    const raw = await IndexedDbStore.open(name, { dim: 384, storage: 'f16', encryptionKey });
    const db = (raw as unknown as { db: { get(s: string, k: string): Promise<unknown> } }).db;
    expect(JSON.stringify(await db.get('sessions', 'chat'))).not.toContain('secret');
    await raw.close();
    const lines: string[] = [];
    for await (const line of memory.export()) lines.push(line);
    expect(lines.some((l) => l.includes('"type":"session"'))).toBe(true);
    await memory.close();
    const target = await createMemory({ name: fresh(), gpu: 'cpu' });
    await target.import(lines);
    expect(await target.sessions()).toEqual([
      expect.objectContaining({ id: 'chat', title: 'A secret plan', turns: 1 }),
    ]);
    await target.close();
  });
});

describe('memory.deleteSession()', () => {
  it('removes every record and vector of the session, and nothing of the others', async () => {
    const name = fresh();
    const clock = manualClock();
    const memory = await createMemory({
      name,
      gpu: 'cpu',
      extract: patternExtract,
      now: clock.now,
    });
    await fill(memory, clock);
    const store = (memory as unknown as { store: IndexedDbStore }).store;
    await store.flush(); // vectors sealed into chunks too
    const bytes = store.bytes;
    const b = memory.session('b');
    const kept = await memory.session('a').recall('where do I live', { budgetTokens: 300 });
    const vectorsBefore = index(memory).size;
    const ofB = (await b.inspect()).turns.length + (await b.inspect()).anchors.length;

    await memory.deleteSession('b');
    for (const kind of ['turn', 'summary', 'anchor', 'vector', 'session'] as const)
      expect(await store.list(kind, 'b')).toEqual([]);
    expect(index(memory).has('b/t0')).toBe(false);
    expect(index(memory).size).toBeLessThanOrEqual(vectorsBefore - ofB);
    expect(store.bytes).toBeLessThan(bytes);
    expect((await memory.sessions()).map((s) => s.id)).toEqual(['c', 'a']);
    await expect(b.observe({ role: 'user', content: 'hi' })).rejects.toMatchObject({
      code: 'DESTROYED',
    });
    await expect(b.inspect()).rejects.toMatchObject({ code: 'DESTROYED' });
    const again = memory.session('b');
    expect(again).not.toBe(b);
    expect(await again.inspect()).toMatchObject({ turns: [], anchors: [], summaries: [] });
    await again.observe({ role: 'user', content: 'A new start.' });
    expect((await again.inspect()).turns.map((t) => t.id)).toEqual(['b/t0']);
    const other = await memory.session('a').recall('where do I live', { budgetTokens: 300 });
    expect(other.text).toBe(kept.text);
    await memory.close();

    const reopened = await createMemory({ name, gpu: 'cpu', extract: patternExtract });
    expect((await reopened.session('b').inspect()).turns.map((t) => t.content)).toEqual([
      'A new start.',
    ]);
    await reopened.close();
  });

  it('drops the background work of the deleted session: nothing of it is written back', async () => {
    const memory = await createMemory({ gpu: 'cpu', storage: 'memory', extract: patternExtract });
    const s = memory.session('busy');
    for (let i = 0; i < 20; i++) await s.observe({ role: 'user', content: `I live in Town${i}.` });
    await memory.deleteSession('busy'); // its embedding and extraction were still queued
    const again = memory.session('busy');
    await again.settled();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const store = (memory as unknown as { store: MemoryStore }).store;
    for (const kind of ['turn', 'anchor', 'vector'] as const)
      expect(await store.list(kind, 'busy')).toEqual([]);
    expect(await memory.sessions()).toEqual([]);
    memory.destroy();
  });

  it('refuses a bad id with BAD_INPUT, and an unknown one is a no-op', async () => {
    const memory = await createMemory({ gpu: 'cpu', storage: 'memory' });
    await expect(memory.deleteSession('no/slash')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(memory.deleteSession('never-seen')).resolves.toBeUndefined();
    memory.destroy();
    await expect(memory.deleteSession('x')).rejects.toMatchObject({ code: 'DESTROYED' });
  });
});
