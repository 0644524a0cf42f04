import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createMemory } from '../memory.js';
import { patternExtract } from '../../test/memory-helpers.js';
import type { Evicted } from './evict.js';
import { IndexedDbStore } from './indexeddb-store.js';
import type { TurnRecord } from './types.js';

const fresh = () => `quota-${Math.random().toString(36).slice(2)}`;
const turn = (seq: number): TurnRecord => ({
  id: `s/t${seq}`,
  session: 's',
  seq,
  role: 'user',
  content: `turn ${seq}`,
  at: seq,
  tokens: 2,
  pending: [],
});

describe('quota and space', () => {
  it('a full disk rolls the write back as QUOTA_EXCEEDED, everything earlier intact', async () => {
    const store = await IndexedDbStore.open(fresh(), { dim: 4, storage: 'f16' });
    await store.write([{ kind: 'turn', put: turn(0) }]);
    const bytes = store.bytes;
    // The browser's quota error, raised by the second put of the batch (as a full disk would).
    const proto = IDBObjectStore.prototype;
    const put = proto.put;
    let calls = 0;
    proto.put = function (this: IDBObjectStore, ...args: Parameters<typeof put>) {
      if (this.name === 'turns' && ++calls === 2)
        throw new DOMException('the quota is exhausted', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      await expect(
        store.write([
          { kind: 'turn', put: turn(1) },
          { kind: 'turn', put: turn(2) },
        ]),
      ).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    } finally {
      proto.put = put;
    }
    expect((await store.list('turn', 's')).map((t) => t.id)).toEqual(['s/t0']);
    expect(store.bytes).toBe(bytes);
    await store.write([{ kind: 'turn', put: turn(1) }]);
    expect(await store.list('turn', 's')).toHaveLength(2);
    await store.close();
  });

  it('maxBytes evicts the weakest unpinned memories, says which, keeps window and pins', async () => {
    const name = fresh();
    let clock = Date.UTC(2025, 0, 1);
    const memory = await createMemory({
      name,
      gpu: 'cpu',
      extract: patternExtract,
      now: () => clock,
      budgets: { windowTokens: 100 },
    });
    const s = memory.session('chat');
    await s.observe({ role: 'user', content: 'I live in Porto.' });
    await s.settled();
    const home = (await s.recall('where do I live', { budgetTokens: 300 })).items.find(
      (i) => i.kind === 'anchor',
    )!;
    await s.pin(home.id);
    for (let i = 0; i < 50; i++) {
      clock += 3600_000;
      await s.observe({ role: 'user', content: `Note ${i}: the tram ${i} was late again today.` });
    }
    await s.settled();
    const full = (await memory.storageReport()).bytes!;
    expect(full).toBeGreaterThan(0);
    const limit = Math.floor(full * 0.6);
    const evicted = await memory.evict(limit);
    const report = await memory.storageReport();
    expect(report).toMatchObject({ storage: 'indexeddb', persisted: undefined });
    expect(report.bytes!).toBeLessThanOrEqual(limit);
    expect(evicted.length).toBeGreaterThan(0);
    // Weakest first: the scores never go down along the list.
    for (let i = 1; i < evicted.length; i++)
      expect(evicted[i]!.score).toBeGreaterThanOrEqual(evicted[i - 1]!.score);
    expect(evicted.map((e) => e.id)).not.toContain(home.id);
    expect(evicted.map((e) => e.id)).not.toContain('chat/t50');
    const after = await s.recall('where do I live', { budgetTokens: 300 });
    expect(after.items.map((i) => i.id)).toContain(home.id);
    await memory.close();
  });

  it('keeps a maxBytes budget by itself as turns arrive, and reports each eviction', async () => {
    const reports: Evicted[][] = [];
    const memory = await createMemory({
      name: fresh(),
      gpu: 'cpu',
      extract: patternExtract,
      budgets: { windowTokens: 60 },
      maxBytes: 20_000,
      onEvict: (evicted) => reports.push(evicted),
    });
    const s = memory.session('chat');
    for (let i = 0; i < 40; i++)
      await s.observe({ role: 'user', content: `Note ${i}: the tram ${i} was late again today.` });
    await s.settled();
    await new Promise((r) => setTimeout(r, 200)); // the eviction job runs after the writes
    expect(reports.flat().length).toBeGreaterThan(0);
    expect((await memory.storageReport()).bytes!).toBeLessThan(30_000);
    await memory.close();
  });

  it('evicts from every stored session, reading those not open for the moment only', async () => {
    const name = fresh();
    const options = { name, gpu: 'cpu' as const, extract: patternExtract };
    const first = await createMemory({ ...options, budgets: { windowTokens: 60 } });
    const old = first.session('old');
    for (let i = 0; i < 40; i++)
      await old.observe({
        role: 'user',
        content: `Note ${i}: the tram ${i} was late again today.`,
      });
    await old.settled();
    const full = (await first.storageReport()).bytes!;
    await first.close();

    // Reopened with a budget half the size; only a new conversation is opened and written.
    const reports: Evicted[][] = [];
    const maxBytes = Math.floor(full / 2);
    const memory = await createMemory({
      ...options,
      budgets: { windowTokens: 60 },
      maxBytes,
      onEvict: (evicted) => reports.push(evicted),
    });
    await memory.session('new').observe({ role: 'user', content: 'A new conversation starts.' });
    await memory.session('new').settled();
    await vi.waitFor(() => expect(reports.length).toBeGreaterThan(0), { timeout: 5000 });
    const evicted = reports.flat();
    expect(new Set(evicted.map((e) => e.session))).toEqual(new Set(['old']));
    expect((await memory.storageReport()).bytes!).toBeLessThanOrEqual(maxBytes);
    // 'old' was read for the eviction and let go: not open, its window still stored.
    const opened = (memory as unknown as { opened: Map<string, unknown> }).opened;
    expect([...opened.keys()]).toEqual(['new']);
    const left = await memory.sessions();
    expect(left.find((s) => s.id === 'old')!.turns).toBe(
      40 - evicted.filter((e) => e.kind === 'turn').length,
    );
    const recalled = await memory.session('old').recall('tram 39 late', { budgetTokens: 300 });
    expect(recalled.items.map((i) => i.id)).toContain('old/t39');
    await memory.close();
  });
});
