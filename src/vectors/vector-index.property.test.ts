import { expect, it } from 'vitest';
import { random } from '../../test/data.js';
import { describeGpu, openDawn } from '../../test/dawn.js';
import type { BackendName } from './backend.js';
import type { VectorStorage } from './layout.js';
import { createVectorIndex, type VectorIndex } from './vector-index.js';

const opened = await openDawn();

/**
 * Random upserts (new and replacing), removes, compactions and filtered searches applied to
 * one index per backend; every search must give the same ids on all of them.
 */
async function property(indexes: VectorIndex[], seed: number, steps: number): Promise<number> {
  const rand = random(seed);
  const dim = indexes[0]!.dim;
  const live: string[] = [];
  let next = 0;
  let searches = 0;
  const vector = () => Float32Array.from({ length: dim }, () => rand() - 0.5);
  for (let step = 0; step < steps; step++) {
    const roll = rand();
    if (roll < 0.45) {
      const batch = Array.from({ length: 1 + Math.floor(rand() * 60) }, () => {
        const replace = live.length > 0 && rand() < 0.2;
        const id = replace ? live[Math.floor(rand() * live.length)]! : `p${next++}`;
        if (!replace) live.push(id);
        return { id, vector: vector(), session: ['a', 'b', 'c'][Math.floor(rand() * 3)] };
      });
      for (const index of indexes) index.upsert(batch);
    } else if (roll < 0.65 && live.length > 0) {
      const gone = live.splice(Math.floor(rand() * live.length), 1 + Math.floor(rand() * 8));
      for (const index of indexes) index.remove(gone);
    } else if (roll < 0.7) {
      for (const index of indexes) await index.compact();
    } else {
      const queries = Array.from({ length: 1 + Math.floor(rand() * 4) }, vector);
      const k = 1 + Math.floor(rand() * 30);
      const pick = rand();
      const filter = pick < 0.3 ? { session: 'a' } : pick < 0.5 ? { session: ['b', 'c'] } : {};
      const answers = [];
      for (const index of indexes) answers.push(await index.search(queries, { k, filter }));
      const ids = answers.map((a) => a.map((list) => list.map((h) => h.id).join()).join('|'));
      for (let i = 1; i < ids.length; i++) expect(ids[i], `step ${step}`).toBe(ids[0]);
      searches++;
    }
  }
  for (const index of indexes) expect(index.size).toBe(live.length);
  return searches;
}

async function indexesFor(storage: VectorStorage, backends: BackendName[], gpu?: GPUDevice) {
  return Promise.all(
    backends.map((backend) =>
      createVectorIndex({ dim: 20, storage, backend, gpu: gpu ?? 'cpu', initialCapacity: 16 }),
    ),
  );
}

it.each(['f32', 'f16', 'int8'] as VectorStorage[])(
  'WASM and TypeScript agree on random workloads (%s)',
  async (storage) => {
    const indexes = await indexesFor(storage, ['ts', 'wasm']);
    expect(await property(indexes, 101, 300)).toBeGreaterThan(50);
    indexes.forEach((index) => index.destroy());
  },
);

describeGpu('random workloads on WebGPU', opened, (dawn) => {
  it.each(['f32', 'f16', 'int8'] as VectorStorage[])(
    'GPU, WASM and TypeScript agree (%s)',
    async (storage) => {
      const indexes = await indexesFor(storage, ['ts', 'wasm', 'gpu'], dawn.device);
      expect(await property(indexes, 202, 120)).toBeGreaterThan(20);
      expect(indexes[2]!.backend.name).toBe('gpu');
      indexes.forEach((index) => index.destroy());
    },
  );
});
