import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { hashingEmbedder } from './embed/hashing.js';
import { MemoryError } from './errors.js';
import { createMemory, type MemoryOptions } from './memory.js';
import { IndexedDbStore } from './store/indexeddb-store.js';
import { databaseName } from './store/schema.js';
import type { VectorIndex } from './vectors/vector-index.js';
import { MINUTE, manualClock, patternExtract } from '../test/memory-helpers.js';

let serial = 0;
const fresh = () => `memory-persist-${serial++}-${Math.random().toString(36).slice(2)}`;
const clock = manualClock();
const base: MemoryOptions = { gpu: 'cpu', extract: patternExtract, now: clock.now };
const said = (i: number) =>
  i % 7 === 0
    ? `I live in City${i} and I like tea${i}.`
    : `Turn ${i}: notes on trains, soup with leeks, and the ${i}th chapter.`;

const QUERIES = ['Where do I live?', 'soup with leeks', 'chapter 12 trains', 'what do I like'];

async function recallAll(memory: Awaited<ReturnType<typeof createMemory>>, session: string) {
  const s = memory.session(session);
  await s.settled();
  const out = [];
  for (const q of QUERIES) {
    const r = await s.recall(q, { budgetTokens: 300 });
    out.push({ text: r.text, ids: r.items.map((i) => i.id) });
  }
  return out;
}

describe('memory on IndexedDB', () => {
  it('is the default where IndexedDB exists, and reopens with identical recall results', async () => {
    const name = fresh();
    const memory = await createMemory({ ...base, name, budgets: { windowTokens: 120 } });
    const s = memory.session('chat');
    for (let i = 0; i < 40; i++) {
      clock.advance(MINUTE);
      await s.observe({ role: 'user', content: said(i) });
    }
    const before = await recallAll(memory, 'chat');
    await memory.close();
    // Recall reinforces anchors in the background; the second reading must see the same state.
    const reopened = await createMemory({ ...base, name, budgets: { windowTokens: 120 } });
    const after = await recallAll(reopened, 'chat');
    expect(after.map((r) => r.ids)).toEqual(before.map((r) => r.ids));
    expect(after.map((r) => r.text)).toEqual(before.map((r) => r.text));
    await reopened.close();
  });

  it('an int8 memory reopens from its sealed chunks with the same search results', async () => {
    const name = fresh();
    const options = { ...base, name, vectorStorage: 'int8' as const };
    const memory = await createMemory({ ...options, storage: 'indexeddb' });
    const s = memory.session('chat');
    for (let i = 0; i < 60; i++) await s.observe({ role: 'user', content: said(i) });
    const before = await recallAll(memory, 'chat');
    const search = async (m: typeof memory) => {
      const index = (m as unknown as { index: VectorIndex }).index;
      const queries = await m.embedder.embed(QUERIES);
      const hits = await index.search(queries, { k: 128, filter: { session: 'chat' } });
      // Equal vectors (texts that differ only in digits) tie; ties go by row order, which a
      // chunk (rows in id order) does not keep.
      return hits.map((q) => q.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)));
    };
    const hits = await search(memory);
    await memory.close();
    const store = await IndexedDbStore.open(name, { dim: 384, storage: 'int8' });
    await store.flush(); // every vector into a chunk
    await store.close();

    const reopened = await createMemory(options);
    expect(await search(reopened)).toEqual(hits);
    expect(await recallAll(reopened, 'chat')).toEqual(before);
    await reopened.close();
  });

  it('a memory destroyed mid-burst loses no acknowledged turn and resumes each once', async () => {
    const name = fresh();
    const extracted = new Map<string, number>();
    const extract: MemoryOptions['extract'] = (turn) => {
      extracted.set(turn.content, (extracted.get(turn.content) ?? 0) + 1);
      return patternExtract(turn);
    };
    const memory = await createMemory({ ...base, name, extract });
    const s = memory.session('chat');
    const acknowledged: string[] = [];
    const burst = Array.from({ length: 30 }, (_, i) =>
      s.observe({ role: 'user', content: said(i) }).then((t) => acknowledged.push(t.id)),
    );
    await burst[19];
    memory.destroy(); // the page goes: queued work is dropped, pending marks stay
    await Promise.allSettled(burst);
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);

    const reopened = await createMemory({ ...base, name, extract });
    const store = await IndexedDbStore.open(name, { dim: 384, storage: 'f16' });
    await reopened.session('chat').settled();
    const turns = await store.list('turn', 'chat');
    expect(turns.map((t) => t.id)).toEqual(expect.arrayContaining(acknowledged));
    expect(turns.every((t) => t.pending.length === 0)).toBe(true);
    const vectors = new Set((await store.list('vector', 'chat')).map((v) => v.id));
    expect(turns.every((t) => vectors.has(t.id))).toBe(true);
    // Stored work is never done twice: one anchor per fact, however often extraction ran.
    const anchors = await store.list('anchor', 'chat');
    const keys = anchors.filter((a) => !a.supersededBy).map((a) => `${a.key}=${a.value}`);
    expect(new Set(keys).size).toBe(keys.length);
    await store.close();
    await reopened.close();
  });

  it('a damaged vector chunk is dropped at open and rebuilt from the stored text', async () => {
    const name = fresh();
    const store = await IndexedDbStore.open(name, { dim: 384, storage: 'f16' });
    const memory = await createMemory({ ...base, name, storage: store });
    const s = memory.session('chat');
    for (let i = 0; i < 30; i++) await s.observe({ role: 'user', content: said(i) });
    const before = await recallAll(memory, 'chat');
    await store.flush();
    await memory.close();

    const raw = await openDB(databaseName(name));
    const chunks = await raw.getAll('chunks');
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      new Uint8Array(chunk.rows as ArrayBuffer)[64]! ^= 0xff;
      await raw.put('chunks', chunk);
    }
    raw.close();
    const reopened = await createMemory({ ...base, name });
    const after = await recallAll(reopened, 'chat');
    expect(after.map((r) => r.ids)).toEqual(before.map((r) => r.ids));
    await reopened.close();
  });
});

describe('a memory opened with another embedder', () => {
  it('re-embeds from the stored text by default, and refuses with EMBEDDER_MISMATCH on request', async () => {
    const name = fresh();
    const first = await createMemory({ ...base, name, embedder: hashingEmbedder({ dim: 64 }) });
    await first
      .session('chat')
      .observe({ role: 'user', content: 'The passport is in the blue drawer.' });
    await first.session('chat').settled();
    await first.close();

    const refused = await createMemory({
      ...base,
      name,
      embedder: hashingEmbedder({ dim: 32 }),
      reembed: false,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MemoryError);
    expect((refused as MemoryError).code).toBe('EMBEDDER_MISMATCH');

    // Refusing left the database as it was: the first embedder still opens it.
    const again = await createMemory({ ...base, name, embedder: hashingEmbedder({ dim: 64 }) });
    const kept = await again.session('chat').recall('where is the passport', { budgetTokens: 200 });
    expect(kept.text).toContain('blue drawer');
    await again.close();

    const moved = await createMemory({ ...base, name, embedder: hashingEmbedder({ dim: 32 }) });
    const s = moved.session('chat');
    await s.settled();
    const found = await s.recall('where is the passport', { budgetTokens: 200 });
    expect(found.text).toContain('blue drawer');
    await moved.close();
  });
});
