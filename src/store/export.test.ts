import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createMemory, type MemoryOptions } from '../memory.js';
import { patternExtract } from '../../test/memory-helpers.js';
import { exportLines, parseImport } from './export.js';
import { IndexedDbStore } from './indexeddb-store.js';
import { SCHEMA_VERSION } from './schema.js';
import type { RecordKind, StoredRecords } from './types.js';

const base: MemoryOptions = { gpu: 'cpu', extract: patternExtract, now: () => 1.75e12 };
const fresh = () => `export-${Math.random().toString(36).slice(2)}`;

async function exported() {
  const memory = await createMemory({ ...base, name: fresh() });
  const s = memory.session('chat');
  for (let i = 0; i < 12; i++)
    await s.observe({ role: 'user', content: i === 3 ? 'I live in Lyon.' : `Note ${i} on soup.` });
  await s.settled();
  const lines: string[] = [];
  for await (const line of memory.export()) lines.push(line);
  const recall = await s.recall('where do I live', { budgetTokens: 300 });
  await memory.close();
  return { lines, recall };
}

describe('export and import', () => {
  it('round-trips a memory through versioned JSON Lines with base64 vectors', async () => {
    const { lines, recall } = await exported();
    expect(JSON.parse(lines[0]!)).toMatchObject({
      type: 'memkeeper',
      format: 1,
      schema: SCHEMA_VERSION,
      dim: 384,
    });
    expect(JSON.parse(lines.at(-1)!)).toEqual({ type: 'end', count: lines.length - 2 });
    expect(lines.some((l) => l.includes('"type":"vector"'))).toBe(true);
    const target = await createMemory({ ...base, name: fresh() });
    await target.import(lines.join('\n'));
    const again = await target.session('chat').recall('where do I live', { budgetTokens: 300 });
    expect(again.text).toBe(recall.text);
    await expect(target.import(lines)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/session chat already exists/),
    });
    await target.close();
  });

  it('refuses a malformed, truncated or foreign file naming the line, importing nothing', async () => {
    const { lines } = await exported();
    const target = await createMemory({ ...base, name: fresh() });
    const broken = [...lines];
    broken[4] = broken[4]!.slice(0, 20);
    await expect(target.import(broken)).rejects.toThrow(/import line 5: not valid JSON/);
    await expect(target.import(lines.slice(0, -3))).rejects.toThrow(/truncated/);
    await expect(target.import(['{"hello":"world"}'])).rejects.toThrow(/line 1: not a memkeeper/);
    const bad = [...lines];
    bad[2] = bad[2]!.replace('"content":', '"contents":');
    await expect(target.import(bad)).rejects.toThrow(/import line 3/);
    const s = target.session('chat');
    expect((await s.recall('soup', { budgetTokens: 300 })).items).toEqual([]);
    await target.close();
  });

  it('streams: lines come out as records are read, a page at a time, never listed whole', async () => {
    const name = fresh();
    const memory = await createMemory({ ...base, name, budgets: { windowTokens: 60 } });
    for (const id of ['a', 'b'])
      for (let i = 0; i < 30; i++)
        await memory.session(id).observe({ role: 'user', content: `Note ${i} of ${id} on soup.` });
    await Promise.all(['a', 'b'].map((id) => memory.session(id).settled()));
    const whole: string[] = [];
    for await (const line of memory.export()) whole.push(line);
    await memory.close();

    const store = await IndexedDbStore.open(name, { dim: 384, storage: 'f16' });
    await store.flush(); // most vectors into a chunk, the rest loose
    // A new vector, and one put again since its chunk was sealed: both loose.
    const t0 = (await store.get('vector', 'a/t0'))!;
    await store.write([
      { kind: 'vector', put: { ...t0, id: 'a/loose' } },
      { kind: 'vector', put: { ...t0, id: 'a/t1' } },
    ]);
    // The spy: what the store has handed out so far, and whether anything listed a kind whole.
    let handed = 0;
    const pages = store.pages.bind(store);
    store.pages = async function* <K extends RecordKind>(kind: K, size: number) {
      for await (const page of pages(kind, size)) {
        handed += page.length;
        yield page as StoredRecords[K][];
      }
    };
    const list = vi.spyOn(store, 'list');
    const { embedder } = JSON.parse(whole[0]!) as { embedder: string };
    const lines = exportLines(store, embedder, 384, 8);
    const streamed: string[] = [];
    const pull = async () => {
      const next = await lines.next();
      if (!next.done) streamed.push(next.value);
      return !next.done;
    };
    await pull();
    expect(streamed[0]).toContain('"type":"memkeeper"');
    expect(handed).toBe(0);
    await pull();
    expect(streamed[1]).toContain('"type":"turn"');
    expect(handed).toBe(8); // one page read; 60 turns and their vectors still in the store
    // Never more than a page ahead of what was yielded (header and end line aside).
    while (await pull()) expect(handed - (streamed.length - 1)).toBeLessThanOrEqual(8);
    expect(list).not.toHaveBeenCalled();
    await store.close();

    // The same records as the memory's own export, plus the vector put since; each once.
    const ids = (lines: string[]) =>
      lines
        .slice(1, -1)
        .map((line) => JSON.parse(line) as { type: string; id?: string; record?: { id: string } })
        .map((o) => `${o.type}:${o.record?.id ?? o.id}`)
        .sort();
    expect(ids(streamed)).toEqual([...ids(whole), 'vector:a/loose'].sort());
    expect(new Set(ids(streamed)).size).toBe(streamed.length - 2);
    const { vectors } = parseImport(streamed, embedder, 384);
    expect(vectors).toHaveLength(ids(streamed).filter((id) => id.startsWith('vector:')).length);
    const vectorOf = (id: string) => vectors.find((v) => v.id === id)!.vector;
    expect(vectorOf('a/t1')).toEqual(vectorOf('a/t0')); // the loose copy, not the chunk's row
  });
});
