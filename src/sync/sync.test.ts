import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createMemory, type Memory, type MemoryOptions } from '../memory.js';
import { IndexedDbStore } from '../store/indexeddb-store.js';
import { patternExtract } from '../../test/memory-helpers.js';

// Two memories on one name in one process stand for two tabs: they share the database and
// talk over BroadcastChannel exactly as tabs do (Node has both; only Web Locks are missing).
const base: MemoryOptions = {
  gpu: 'cpu',
  extract: patternExtract,
  budgets: { windowTokens: 4000 },
};

/** What a tab holds of the session: its turns, summaries, anchors, and which are indexed. */
async function known(memory: Memory) {
  const state = await memory.session('chat').loaded();
  const ids = [
    ...state.turns.keys(),
    ...state.summaries.keys(),
    ...[...state.long.anchors].map((a) => a.id),
  ];
  const indexed = ids.filter((id) =>
    (memory as unknown as { index: { has(id: string): boolean } }).index.has(id),
  );
  return { ids: ids.sort(), indexed: indexed.sort() };
}

describe('two tabs on one memory', () => {
  it('observing into one session at once lose nothing and end identical', async () => {
    const name = `tabs-${Math.random().toString(36).slice(2)}`;
    const [a, b] = await Promise.all([
      createMemory({ ...base, name }),
      createMemory({ ...base, name }),
    ]);
    const writes = [a, b].map(async (memory, tab) => {
      const s = memory.session('chat');
      const ids = [];
      for (let i = 0; i < 20; i++)
        ids.push(
          (await s.observe({ role: 'user', content: `Tab ${tab} note ${i} about the trains.` })).id,
        );
      await s.settled();
      return ids;
    });
    const [fromA, fromB] = await Promise.all(writes);
    const all = [...fromA!, ...fromB!];
    expect(new Set(all).size).toBe(40); // no seq taken twice, no turn overwritten
    const store = await IndexedDbStore.open(name, { dim: 384, storage: 'f16' });
    const stored = await store.list('turn', 'chat');
    expect(stored.map((t) => t.id).sort()).toEqual([...all].sort());
    expect(stored.map((t) => t.seq).sort((x, y) => x - y)).toEqual([...Array(40).keys()]);
    await store.close();
    // Announcements arrive asynchronously: wait (bounded) until both tabs have applied them.
    await vi.waitFor(async () => expect(await known(a)).toEqual(await known(b)), {
      timeout: 5000,
      interval: 50,
    });
    const seenA = await known(a);
    expect(seenA.ids.filter((id) => id.includes('/t'))).toHaveLength(40);
    expect(seenA.indexed).toEqual(seenA.ids);
    await Promise.all([a.close(), b.close()]);
  });

  it('a stale anchor write is refused, re-read and applied on the fresh record', async () => {
    const name = `tabs-${Math.random().toString(36).slice(2)}`;
    const a = await createMemory({ ...base, name });
    const s = a.session('chat');
    await s.observe({ role: 'user', content: 'I live in Porto.' });
    await s.settled();
    const [anchor] = (await s.recall('where do I live', { budgetTokens: 300 })).items.filter(
      (i) => i.kind === 'anchor',
    );
    const b = await createMemory({ ...base, name });
    await b.session('chat').settled();
    await b.session('chat').pin(anchor!.id); // b's write raises the version a has cached
    await a.session('chat').pin(anchor!.id, false); // stale in a: refused, re-read, retried
    const store = await IndexedDbStore.open(name, { dim: 384, storage: 'f16' });
    const stored = await store.get('anchor', anchor!.id);
    expect(stored?.pinned).toBe(false);
    await expect(
      store.write([{ kind: 'anchor', put: { ...stored!, version: stored!.version } }]),
    ).rejects.toMatchObject({ code: 'STALE_VERSION' });
    await store.close();
    await Promise.all([a.close(), b.close()]);
  });
});
