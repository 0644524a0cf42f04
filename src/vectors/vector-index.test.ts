import { describe, expect, it } from 'vitest';
import { MemoryError } from '../errors.js';
import { clustered, exactTopK, isotropic, random, row } from '../../test/data.js';
import type { BackendName } from './backend.js';
import { MAX_K, type VectorStorage } from './layout.js';
import { createVectorIndex, type VectorIndex } from './vector-index.js';

const DIM = 32;

async function filled(
  n: number,
  { storage = 'f32' as VectorStorage, backend = 'ts' as BackendName, sessions = 1, seed = 1 } = {},
): Promise<{ index: VectorIndex; data: Float32Array }> {
  const index = await createVectorIndex({ dim: DIM, storage, gpu: 'cpu', backend });
  const data = clustered(n, DIM, seed, { clusters: 8, rank: 8 });
  index.upsert(
    Array.from({ length: n }, (_, i) => ({
      id: `v${i}`,
      vector: row(data, i, DIM),
      session: `s${i % sessions}`,
    })),
  );
  return { index, data };
}

async function code(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(MemoryError);
    return (error as MemoryError).code;
  }
  return 'no error';
}

describe('VectorIndex: bad input is refused before any work', () => {
  it('checks vectors, k, ids and the destroyed state with clear codes', async () => {
    const { index } = await filled(10);
    const q = new Float32Array(DIM).fill(1);
    expect(await code(() => index.upsert({ id: 'x', vector: new Float32Array(DIM + 1) }))).toBe(
      'DIMENSION_MISMATCH',
    );
    expect(await code(index.search(new Float32Array(DIM - 1), { k: 1 }))).toBe(
      'DIMENSION_MISMATCH',
    );
    const nan = new Float32Array(DIM).fill(1);
    nan[3] = NaN;
    expect(await code(() => index.upsert({ id: 'x', vector: nan }))).toBe('BAD_INPUT');
    nan[3] = Infinity;
    expect(await code(index.search(nan, { k: 1 }))).toBe('BAD_INPUT');
    expect(await code(() => index.upsert({ id: 'x', vector: new Float32Array(DIM) }))).toBe(
      'BAD_INPUT',
    );
    expect(await code(index.search(new Float32Array(DIM), { k: 1 }))).toBe('BAD_INPUT');
    for (const k of [0, -1, 1.5, MAX_K + 1, NaN]) {
      expect(await code(index.search(q, { k }))).toBe('BAD_INPUT');
    }
    expect(await code(() => index.remove(['v1', 'nope']))).toBe('BAD_INPUT');
    expect(index.has('v1')).toBe(true); // nothing of the failed call was applied
    expect(
      await code(() =>
        index.upsert([
          { id: 'ok', vector: q },
          { id: '', vector: q },
        ]),
      ),
    ).toBe('BAD_INPUT');
    expect(index.has('ok')).toBe(false);
    expect(index.size).toBe(10);
    index.destroy();
    index.destroy(); // idempotent
    expect(await code(index.search(q, { k: 1 }))).toBe('DESTROYED');
    expect(await code(() => index.upsert({ id: 'y', vector: q }))).toBe('DESTROYED');
    expect(await code(() => index.remove('v1'))).toBe('DESTROYED');
  });

  it('refuses bad options at creation', async () => {
    expect(await code(createVectorIndex({ dim: 0 }))).toBe('BAD_INPUT');
    expect(await code(createVectorIndex({ dim: 8, storage: 'f8' as VectorStorage }))).toBe(
      'BAD_INPUT',
    );
  });
});

describe.each(['ts', 'wasm'] as const)('VectorIndex on %s', (backend) => {
  it('returns the exact top-k for f32, ties by earlier insert', async () => {
    const { index, data } = await filled(500, { backend });
    index.upsert({ id: 'dup', vector: row(data, 7, DIM) }); // same vector as v7, inserted later
    const hits = await index.search(row(data, 7, DIM), { k: 5 });
    expect(hits[0]!.id).toBe('v7');
    expect(hits[1]!.id).toBe('dup');
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    const rand = random(9);
    for (let t = 0; t < 5; t++) {
      const q = Float32Array.from({ length: DIM }, () => rand() - 0.5);
      const want = exactTopK(data, DIM, q, 10);
      const got = await index.search(q, { k: 10 });
      got.forEach((hit, j) => {
        expect(hit.score).toBeCloseTo(want[j]!.score, 5);
      });
      expect(got.map((h) => h.id)).toEqual(want.map((w) => `v${w.i}`));
    }
    expect(index.backend.name).toBe(backend);
  });

  it('f16 scores stay within 2e-3 and int8 keeps recall@10 >= 0.99', async () => {
    const n = 2000;
    const data = isotropic(n, DIM, 3);
    for (const storage of ['f16', 'int8'] as const) {
      const index = await createVectorIndex({ dim: DIM, storage, gpu: 'cpu', backend });
      index.upsert(
        Array.from({ length: n }, (_, i) => ({ id: `v${i}`, vector: row(data, i, DIM) })),
      );
      let found = 0;
      const queries = isotropic(20, DIM, 4);
      const hits = await index.search(
        Array.from({ length: 20 }, (_, i) => row(queries, i, DIM)),
        { k: 10 },
      );
      hits.forEach((list, i) => {
        const want = exactTopK(data, DIM, row(queries, i, DIM), 10);
        const ids = new Set(list.map((h) => h.id));
        found += want.filter((w) => ids.has(`v${w.i}`)).length;
        if (storage === 'f16') {
          list.forEach((h, j) => expect(Math.abs(h.score - want[j]!.score)).toBeLessThan(2e-3));
        }
      });
      expect(found / 200).toBeGreaterThanOrEqual(storage === 'f16' ? 0.97 : 0.99);
      index.destroy();
    }
  });

  it('filters by session inside the scan: k results whenever k exist', async () => {
    const { index } = await filled(300, { backend, sessions: 3 });
    const q = new Float32Array(DIM).fill(1);
    const hits = await index.search(q, { k: 50, filter: { session: 's1' } });
    expect(hits).toHaveLength(50);
    expect(hits.every((h) => h.session === 's1')).toBe(true);
    const two = await index.search(q, { k: 200, filter: { session: ['s0', 's2'] } });
    expect(two).toHaveLength(200);
    expect(new Set(two.map((h) => h.session))).toEqual(new Set(['s0', 's2']));
    expect(await index.search(q, { k: 5, filter: { session: 'nobody' } })).toEqual([]);
    expect(await index.search(q, { k: 5, filter: { session: [] } })).toEqual([]);
  });

  it('removes, replaces and compacts without changing answers', async () => {
    const { index, data } = await filled(400, { backend });
    const q = row(data, 11, DIM);
    const before = await index.search(q, { k: 20 });
    const drop = before.slice(0, 5).map((h) => h.id);
    index.remove(drop);
    const after = await index.search(q, { k: 15 });
    expect(after.map((h) => h.id)).toEqual(before.slice(5).map((h) => h.id));
    await index.compact();
    expect(await index.search(q, { k: 15 })).toEqual(after);
    index.upsert({ id: after[0]!.id, vector: row(data, 300, DIM) }); // moved far away
    const moved = await index.search(q, { k: 15 });
    expect(moved.map((h) => h.id)).not.toContain(after[0]!.id);
    expect(index.size).toBe(395);
  });

  it('removes a whole session, after compaction too, and leaves the others', async () => {
    const { index } = await filled(300, { backend, sessions: 3 });
    const q = new Float32Array(DIM).fill(1);
    expect(index.removeSession('s1')).toBe(100);
    expect(index.size).toBe(200);
    expect(index.has('v1')).toBe(false);
    expect(await index.search(q, { k: 5, filter: { session: 's1' } })).toEqual([]);
    const others = await index.search(q, { k: 200 });
    expect(new Set(others.map((h) => h.session))).toEqual(new Set(['s0', 's2']));
    await index.compact();
    expect(index.removeSession('s2')).toBe(100);
    expect(index.removeSession('s2')).toBe(0);
    expect(index.removeSession('nobody')).toBe(0);
    expect((await index.search(q, { k: 256 })).map((h) => h.session)).toEqual(
      Array(100).fill('s0'),
    );
    expect(await code(() => index.removeSession(''))).toBe('BAD_INPUT');
  });

  it('compacts in the background once a quarter of the rows are removed', async () => {
    const { index } = await filled(2000, { backend });
    const host = index.bytes.host;
    index.remove(Array.from({ length: 1000 }, (_, i) => `v${i * 2}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await index.search(new Float32Array(DIM).fill(1), { k: 1 });
    expect(index.size).toBe(1000);
    expect((index as unknown as { store: { rows: number } }).store.rows).toBe(1000);
    expect(index.bytes.host).toBe(host);
  });

  it('grows geometrically, not per insert', async () => {
    const index = await createVectorIndex({ dim: DIM, gpu: 'cpu', backend, initialCapacity: 16 });
    const store = (index as unknown as { store: { generation: number; capacity: number } }).store;
    const rand = random(5);
    for (let i = 0; i < 5000; i++) {
      index.upsert({ id: `v${i}`, vector: Float32Array.from({ length: DIM }, () => rand() - 0.5) });
    }
    expect(store.generation).toBeLessThanOrEqual(9);
    expect(store.capacity).toBe(8192);
    const hits = await index.search(new Float32Array(DIM).fill(1), { k: 3 });
    expect(hits).toHaveLength(3);
  });
});

describe('VectorIndex backend choice', () => {
  it('says which backend runs and why, and can be overridden', async () => {
    const index = await createVectorIndex({ dim: DIM, gpu: 'cpu' });
    expect(index.backend.name).toBe('wasm');
    expect(index.backend.reason).toMatch(/no WebGPU device/);
    await index.useBackend('ts');
    expect(index.backend).toEqual({ name: 'ts', reason: 'forced by the app' });
    expect(await code(index.useBackend('gpu'))).toBe('WEBGPU_UNAVAILABLE');
    expect(await code(createVectorIndex({ dim: DIM, gpu: 'cpu', backend: 'gpu' }))).toBe(
      'WEBGPU_UNAVAILABLE',
    );
  });
});
