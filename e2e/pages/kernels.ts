/**
 * Runs the vector kernels in the browser on every backend this page has (WebGPU, WASM SIMD,
 * TypeScript) over the same data and writes what it found as JSON into #result, for
 * e2e/kernels.spec.ts to judge. The page only measures; the spec asserts.
 */
import { createVectorIndex, type SearchHit, type VectorStorage } from '../../src/index.js';
import { clustered, isotropic, random, row } from '../../test/data.js';

interface Comparison {
  storage: VectorStorage;
  backend: string;
  dim: number;
  n: number;
  k: number;
  batch: number;
  sameIds: boolean;
  maxScoreDiff: number;
  filtered: boolean;
}

const params = new URLSearchParams(location.search);
const sizes = (params.get('sizes') ?? '0,1,7,3000').split(',').map(Number);

async function compare(storage: VectorStorage, dim: number, n: number): Promise<Comparison[]> {
  const index = await createVectorIndex({ dim, storage, gpu: 'auto', backend: 'ts' });
  const data = n > 1000 ? clustered(n, dim, n + dim) : isotropic(n, dim, n + dim);
  index.upsert(
    Array.from({ length: n }, (_, i) => ({
      id: `v${i}`,
      vector: row(data, i, dim),
      session: `s${i % 3}`,
    })),
  );
  if (n > 10) index.upsert({ id: 'twin', vector: row(data, 5, dim), session: 's2' }); // an exact tie
  const queries = Array.from({ length: 32 }, (_, i) =>
    i === 0 && n > 10 ? row(data, 5, dim) : Float32Array.from(isotropic(1, dim, 1000 + i)),
  );
  const runs: { k: number; batch: number; filter?: { session: string } }[] = [
    { k: 1, batch: 1 },
    { k: 10, batch: 32 },
    { k: 256, batch: 3 },
    { k: 10, batch: 32, filter: { session: 's1' } },
  ];
  const oracle: SearchHit[][][] = [];
  for (const r of runs) oracle.push(await index.search(queries.slice(0, r.batch), r));
  const out: Comparison[] = [];
  for (const backend of ['wasm', 'gpu'] as const) {
    try {
      await index.useBackend(backend);
    } catch {
      continue; // reported by the spec from `backends`
    }
    for (const [i, r] of runs.entries()) {
      const got = await index.search(queries.slice(0, r.batch), r);
      const want = oracle[i]!;
      let sameIds = got.length === want.length;
      let maxScoreDiff = 0;
      got.forEach((hits, q) => {
        const expected = want[q]!;
        if (hits.map((h) => h.id).join() !== expected.map((h) => h.id).join()) sameIds = false;
        hits.forEach((h, j) => {
          maxScoreDiff = Math.max(maxScoreDiff, Math.abs(h.score - (expected[j]?.score ?? NaN)));
        });
      });
      out.push({
        storage,
        backend,
        dim,
        n,
        k: r.k,
        batch: r.batch,
        sameIds,
        maxScoreDiff,
        filtered: !!r.filter,
      });
    }
  }
  index.destroy();
  return out;
}

/** Random inserts, removes and searches applied to three indexes, one per backend. */
async function property(seed: number): Promise<{ steps: number; mismatches: string[] }> {
  const rand = random(seed);
  const dim = 24;
  const backends = ['ts', 'wasm', 'gpu'] as const;
  const indexes = [];
  for (const backend of backends) {
    try {
      indexes.push(await createVectorIndex({ dim, storage: 'f32', gpu: 'auto', backend }));
    } catch {
      /* absent backend: reported elsewhere */
    }
  }
  const live: string[] = [];
  const mismatches: string[] = [];
  let next = 0;
  const vec = () => Float32Array.from({ length: dim }, () => rand() - 0.5);
  for (let step = 0; step < 60; step++) {
    const roll = rand();
    if (roll < 0.5) {
      const batch = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => ({
        id: `p${next++}`,
        vector: vec(),
        session: rand() < 0.5 ? 'a' : 'b',
      }));
      for (const index of indexes) index.upsert(batch);
      live.push(...batch.map((b) => b.id));
    } else if (roll < 0.7 && live.length > 0) {
      const gone = live.splice(Math.floor(rand() * live.length), 1 + Math.floor(rand() * 5));
      for (const index of indexes) index.remove(gone);
    } else if (roll < 0.75) {
      for (const index of indexes) await index.compact();
    } else {
      const q = vec();
      const k = 1 + Math.floor(rand() * 20);
      const filter = rand() < 0.5 ? { session: 'a' } : undefined;
      const answers = [];
      for (const index of indexes) answers.push(await index.search(q, { k, filter }));
      const first = answers[0]!.map((h) => h.id).join();
      answers.forEach((a, i) => {
        if (a.map((h) => h.id).join() !== first)
          mismatches.push(`step ${step}: ${backends[i]} differs`);
      });
    }
  }
  for (const index of indexes) index.destroy();
  return { steps: 60, mismatches };
}

async function main() {
  const probe = await createVectorIndex({ dim: 4, gpu: 'auto' });
  const info = { gpu: probe.gpuInfo ?? null, auto: probe.backend };
  probe.destroy();
  const comparisons: Comparison[] = [];
  for (const storage of ['f32', 'f16', 'int8'] as const) {
    for (const dim of [384, 5, 17]) {
      for (const n of sizes) {
        if (dim === 384 && n > 1000) continue; // SwiftShader is slow: keep the big case at small dim
        comparisons.push(...(await compare(storage, dim, n)));
      }
    }
  }
  const prop = await property(7);
  return { ...info, comparisons, property: prop };
}

const status = document.querySelector('#status')!;
const result = document.querySelector('#result')!;
main().then(
  (value) => {
    result.textContent = JSON.stringify(value);
    status.textContent = 'done';
  },
  (error: unknown) => {
    result.textContent = JSON.stringify({ error: String((error as Error)?.stack ?? error) });
    status.textContent = 'failed';
  },
);
