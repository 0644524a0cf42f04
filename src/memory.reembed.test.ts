import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { Embedder, ProgressEvent } from './embed/embedder.js';
import { hashingEmbedder } from './embed/hashing.js';
import { createMemory, type EmbedderLoader, type Memory, type MemoryOptions } from './memory.js';
import { patternExtract } from '../test/memory-helpers.js';

const fresh = () => `reembed-${Math.random().toString(36).slice(2)}`;
const base: MemoryOptions = {
  gpu: 'cpu',
  extract: patternExtract,
  budgets: { windowTokens: 60, summaryEveryTokens: 60 },
};
const index = (memory: Memory) =>
  (memory as unknown as { index: { size: number; has(id: string): boolean } }).index;

/** A memory written by a 64-dimension embedder: three sessions with turns, summaries, anchors. */
async function written(name: string): Promise<number> {
  const memory = await createMemory({ ...base, name, embedder: hashingEmbedder({ dim: 64 }) });
  for (const session of ['a', 'b', 'c']) {
    const s = memory.session(session);
    for (let i = 0; i < 8; i++)
      await s.observe({ role: 'user', content: `I live in Town${i}. Notes ${i} on ${session}.` });
    await s.settled();
  }
  const vectors = index(memory).size;
  await memory.close();
  return vectors;
}

const reembeds = (events: ProgressEvent[]) =>
  events.filter((e): e is Extract<ProgressEvent, { kind: 'reembed' }> => e.kind === 'reembed');

describe('createMemory with a changed embedder', () => {
  it('re-embeds every stored session before it resolves, with progress that ends at 1', async () => {
    const name = fresh();
    const vectors = await written(name);
    const events: ProgressEvent[] = [];
    const memory = await createMemory({
      ...base,
      name,
      embedder: hashingEmbedder({ dim: 32 }),
      onProgress: (e) => events.push(e),
    });
    const progress = reembeds(events);
    expect(progress.length).toBeGreaterThan(2);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
      expect(progress[i]!.progress).toBeGreaterThanOrEqual(progress[i - 1]!.progress);
      expect(progress[i]!.total).toBe(progress[0]!.total);
    }
    expect(progress.at(-1)).toEqual({
      kind: 'reembed',
      done: vectors,
      total: vectors,
      progress: 1,
    });
    expect(events.at(-1)).toEqual({ kind: 'ready', what: 'memory' });
    // Everything is in the index now, from the new embedder; every session recalls.
    expect(index(memory).size).toBe(vectors);
    for (const session of ['a', 'b', 'c']) {
      const s = memory.session(session);
      expect((await s.inspect()).pending).toBe(0);
      const recall = await s.recall(`notes on ${session}`, { budgetTokens: 300 });
      expect(recall.explain.candidates.vector).toBeGreaterThan(0);
    }
    await memory.close();

    // Opened again with the same (new) embedder: nothing to do, no re-embedding events.
    const quiet: ProgressEvent[] = [];
    const again = await createMemory({
      ...base,
      name,
      embedder: hashingEmbedder({ dim: 32 }),
      onProgress: (e) => quiet.push(e),
    });
    expect(quiet).toEqual([{ kind: 'ready', what: 'memory' }]);
    expect(index(again).size).toBe(vectors);
    await again.close();
  });

  it("with reembed: 'lazy', re-embeds each session only as it opens", async () => {
    const name = fresh();
    await written(name);
    const events: ProgressEvent[] = [];
    const memory = await createMemory({
      ...base,
      name,
      reembed: 'lazy',
      embedder: hashingEmbedder({ dim: 32 }),
      onProgress: (e) => events.push(e),
    });
    expect(reembeds(events)).toEqual([]);
    expect(index(memory).size).toBe(0);
    await memory.session('b').settled();
    expect(index(memory).has('b/t0')).toBe(true);
    expect(index(memory).has('a/t0')).toBe(false);
    await memory.close();
  });

  it('stops at the signal, keeping what was done; the rest follows as sessions open', async () => {
    const name = fresh();
    const vectors = await written(name);
    const controller = new AbortController();
    const refused = await createMemory({
      ...base,
      name,
      embedder: hashingEmbedder({ dim: 32 }),
      signal: controller.signal,
      onProgress: (e) => {
        if (e.kind === 'reembed' && e.done > 0) controller.abort(new Error('user left'));
      },
    }).catch((error: unknown) => error);
    expect(refused).toEqual(new Error('user left'));
    const memory = await createMemory({ ...base, name, embedder: hashingEmbedder({ dim: 32 }) });
    const kept = index(memory).size;
    expect(kept).toBeGreaterThan(0);
    await Promise.all(['a', 'b', 'c'].map((s) => memory.session(s).settled()));
    expect(index(memory).size).toBe(vectors);
    await memory.close();
  });

  it('fails with the embedder failure (EMBED_FAILED), the stored memory intact', async () => {
    const name = fresh();
    await written(name);
    const broken: Embedder = {
      id: 'broken-32',
      dim: 32,
      embed: () => Promise.reject(new Error('no model')),
    };
    await expect(createMemory({ ...base, name, embedder: broken })).rejects.toMatchObject({
      code: 'EMBED_FAILED',
    });
    const memory = await createMemory({ ...base, name, embedder: hashingEmbedder({ dim: 32 }) });
    expect((await memory.sessions()).map((s) => s.turns)).toEqual([8, 8, 8]);
    await memory.close();
  });
});

describe('an embedder loader', () => {
  it("gets the memory's onProgress and signal; its events come before ready", async () => {
    const events: ProgressEvent[] = [];
    const controller = new AbortController();
    const loader = vi.fn(async (load: Parameters<EmbedderLoader>[0]) => {
      load.onProgress?.({
        kind: 'download',
        file: 'model.onnx',
        loaded: 5,
        total: 10,
        progress: 0.5,
      });
      load.onProgress?.({
        kind: 'download',
        file: 'model.onnx',
        loaded: 10,
        total: 10,
        progress: 1,
      });
      load.onProgress?.({ kind: 'ready', what: 'model' });
      return hashingEmbedder({ dim: 16 });
    });
    const memory = await createMemory({
      gpu: 'cpu',
      storage: 'memory',
      embedder: loader,
      signal: controller.signal,
      onProgress: (e) => events.push(e),
    });
    expect(loader).toHaveBeenCalledWith({
      onProgress: expect.any(Function),
      signal: controller.signal,
    });
    expect(events.map((e) => e.kind)).toEqual(['download', 'download', 'ready', 'ready']);
    expect(events.at(-1)).toEqual({ kind: 'ready', what: 'memory' });
    expect(memory.embedder.dim).toBe(16);
    memory.destroy();
  });

  it('disposes what it loaded when creation fails, and passes on a loader failure', async () => {
    const dispose = vi.fn();
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    await expect(
      createMemory({
        gpu: 'cpu',
        storage: 'memory',
        encryptionKey: key, // refused: encryption needs IndexedDB
        embedder: async () => ({ ...hashingEmbedder({ dim: 16 }), dispose }),
      }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(dispose).toHaveBeenCalled();
    await expect(
      createMemory({ gpu: 'cpu', embedder: () => Promise.reject(new Error('offline')) }),
    ).rejects.toThrow('offline');
    await expect(
      createMemory({ gpu: 'cpu', embedder: async () => ({}) as Embedder }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(createMemory({ reembed: 'sometimes' as never })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });
});
