import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createMemory, type Memory, type MemoryOptions } from '../memory.js';
import { IndexedDbStore } from '../store/indexeddb-store.js';
import type { ExtractTurn } from '../session-state.js';
import { patternExtract } from '../../test/memory-helpers.js';

// Two memories on one name in one process stand for two tabs (see sync.test.ts). The derived
// work of a turn (anchors, summaries) is held at a meeting point until both tabs reach it, so
// that they write at the same moment, as two tabs in step would.
const base: MemoryOptions = { gpu: 'cpu', budgets: { windowTokens: 4000 } };
const fresh = () => `derived-${Math.random().toString(36).slice(2)}`;

/** Each key's first two callers wait for each other; later ones pass at once. */
function meetingPoint() {
  const points = new Map<string, { arrived: number; all: Promise<void>; go: () => void }>();
  return (key: string): Promise<void> => {
    let point = points.get(key);
    if (!point) {
      let go = () => {};
      const all = new Promise<void>((resolve) => (go = resolve));
      points.set(key, (point = { arrived: 0, all, go }));
    }
    if (++point.arrived === 2) point.go();
    return point.arrived > 2 ? Promise.resolve() : point.all;
  };
}

/** The session as a tab holds it: anchors with what decides recall, and summaries. */
async function held(memory: Memory) {
  const state = await memory.session('chat').loaded();
  const anchors = [...state.long.anchors]
    .map(({ id, key, strength, sources, version }) => ({ id, key, strength, sources, version }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const summaries = [...state.summaries.values()].map((s) => s.sources).sort();
  return { anchors, summaries };
}

async function stored(name: string) {
  const store = await IndexedDbStore.open(name, { dim: 384, storage: 'f16' });
  const [anchors, summaries, turns] = await Promise.all([
    store.list('anchor', 'chat'),
    store.list('summary', 'chat'),
    store.list('turn', 'chat'),
  ]);
  await store.close();
  return { anchors, summaries, turns };
}

describe('derived work in two tabs at once', () => {
  it('an anchor restated in both tabs is re-read and restated again, not failed', async () => {
    const name = fresh();
    const meet = meetingPoint();
    const extract = async (turn: ExtractTurn) => {
      if (turn.content.includes('still')) await meet('restated');
      return patternExtract(turn);
    };
    const a = await createMemory({ ...base, name, extract });
    await a.session('chat').observe({ role: 'user', content: 'I live in Porto.' });
    await a.session('chat').settled();
    const b = await createMemory({ ...base, name, extract });
    await b.session('chat').settled();
    // Both tabs restate the anchor from the same version: one write lands, the other is
    // refused as stale, re-reads the anchor and restates it on top.
    await Promise.all(
      [a, b].map(async (memory, i) => {
        const s = memory.session('chat');
        await s.observe({ role: 'user', content: `I live in Porto still, from tab ${i}.` });
        await s.settled();
      }),
    );
    const { anchors, turns } = await stored(name);
    expect(anchors).toHaveLength(1);
    expect(anchors[0]!.sources.sort()).toEqual(turns.map((t) => t.id).sort());
    expect(anchors[0]!.version).toBe(3); // created, then restated once by each tab
    expect(turns.every((t) => t.pending.length === 0)).toBe(true);
    await vi.waitFor(async () => expect(await held(a)).toEqual(await held(b)), {
      timeout: 5000,
      interval: 50,
    });
    expect((await held(a)).anchors[0]!.strength).toBeCloseTo(anchors[0]!.strength, 12);
    await Promise.all([a.close(), b.close()]);
  });

  it('two tabs resuming the same turns extract and summarize each of them once', async () => {
    const name = fresh();
    const said = [
      'I live in Porto.',
      'I like tea.',
      'The tram was late again this morning.',
      'I plan to visit Lisbon soon.',
      'Soup with leeks is on the menu tonight.',
      'I like tea, I said.',
      'The museum opens at nine on Sundays.',
      'My name is Maria.',
      'The bakery on the corner sells rye bread.',
      'Rain is expected for the whole weekend.',
    ];
    const budgets = { windowTokens: 20, summaryEveryTokens: 12 };
    const first = await createMemory({ ...base, name, budgets, extract: patternExtract });
    for (const content of said) await first.session('chat').observe({ role: 'user', content });
    first.destroy(); // every turn stored, none of its derived work done

    const meet = meetingPoint();
    const options: MemoryOptions = {
      ...base,
      name,
      budgets,
      extract: async (turn) => {
        await meet(`extract ${turn.content}`);
        return patternExtract(turn);
      },
      summarize: async (turns) => {
        await meet(`summarize ${turns[0]!.id}`);
        return turns.map((t) => t.content).join(' / ');
      },
    };
    const tabs = await Promise.all([createMemory(options), createMemory(options)]);
    await Promise.all(tabs.map((tab) => tab.session('chat').settled()));

    const { anchors, summaries, turns } = await stored(name);
    expect(turns.every((t) => t.pending.length === 0)).toBe(true);
    const keys = anchors.filter((x) => !x.supersededBy).map((x) => x.key);
    expect(keys.sort()).toEqual(['user.likes', 'user.location', 'user.name', 'user.plan']);
    expect(anchors.find((x) => x.key === 'user.likes')!.sources).toHaveLength(2);
    expect(summaries.length).toBeGreaterThan(1);
    const summarized = summaries.flatMap((s) => s.sources);
    expect(new Set(summarized).size).toBe(summarized.length); // no turn in two summaries
    for (const s of summaries) expect(s.id).toMatch(/^chat\/s\d+-\d+$/);
    await vi.waitFor(async () => expect(await held(tabs[0]!)).toEqual(await held(tabs[1]!)), {
      timeout: 5000,
      interval: 50,
    });
    await Promise.all(tabs.map((tab) => tab.close()));
  });
});
