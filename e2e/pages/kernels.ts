/**
 * Runs the vector kernels in the browser on every backend this page has (WebGPU, WASM SIMD,
 * TypeScript) over the same data and writes what it found as JSON into #result, for
 * e2e/kernels.spec.ts to judge. The page only measures; the spec asserts.
 */
import { createVectorIndex, type SearchHit, type VectorStorage } from '../../src/index.js';
import { clustered, isotropic, random, row } from '../../test/data.js';
import { wasmFlavour } from '../../src/cpu/wasm-scan.js';
import { kernelsBase64, kernelsRelaxedBase64 } from '../../src/wasm/kernels.generated.js';
import { reportTo } from './report.js';

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

/**
 * The relaxed-SIMD int8 kernel against the plain SIMD one on 3,000 random rows of 400 int8
 * (the ±127 extremes included) and queries of -63..63 (their extremes included), filtered and
 * unfiltered: their outputs must be the same bytes.
 */
function relaxedInt8Check(): { flavour: string; same: boolean | null } {
  const flavour = wasmFlavour();
  const decode = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const relaxed = decode(kernelsRelaxedBase64);
  if (!WebAssembly.validate(relaxed)) return { flavour, same: null };
  const rows = 3000,
    stride = 100,
    nq = 4,
    k = 64;
  const at = { scales: rows * 400, sums: rows * 404, sessions: rows * 408, queries: rows * 412 };
  const qScales = at.queries + nq * 400;
  const mask = qScales + 64;
  const out = mask + 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((out + nq * k * 8) / 65536) });
  const bytes = new Int8Array(memory.buffer);
  const rand = random(5);
  const int8 = (i: number) =>
    i % 97 === 0 ? (i % 2 ? 127 : -127) : Math.round(rand() * 254 - 127);
  const sums = new Int32Array(memory.buffer, at.sums, rows);
  for (let i = 0; i < rows * 400; i++) {
    bytes[i] = int8(i);
    sums[Math.floor(i / 400)]! += bytes[i]!;
  }
  // Queries are quantized to -63..63 (QUERY_LEVELS); the first is all +63, the second all -63.
  const query = (i: number) => (i < 400 ? 63 : i < 800 ? -63 : Math.round(rand() * 126 - 63));
  for (let i = 0; i < nq * 400; i++) bytes[at.queries + i] = query(i);
  new Float32Array(memory.buffer, at.scales, rows).fill(0.01);
  new Float32Array(memory.buffer, qScales, nq).fill(0.02);
  // Every seventh row in session 2, the others in session 1.
  const sessions = new Uint32Array(memory.buffer, at.sessions, rows);
  for (let r = 0; r < rows; r++) sessions[r] = r % 7 === 3 ? 2 : 1;
  const scans = [decode(kernelsBase64), relaxed].map((binary) => {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(binary), { env: { memory } });
    return instance.exports.scanI8 as (...args: number[]) => void;
  });
  // Session 1 only (rows picked bit by bit, four at a time), then every live row (whole
  // blocks, eight rows at a time): both kernel paths are compared.
  const same = [2, 0xfffffffe].every((word) => {
    new Uint32Array(memory.buffer, mask, 1)[0] = word;
    const [plain, fast] = scans.map((scanI8) => scanWith(scanI8));
    return plain === fast;
  });
  return { flavour, same };

  function scanWith(scanI8: (...args: number[]) => void): string {
    scanI8(
      0,
      at.scales,
      at.sums,
      at.sessions,
      rows,
      stride,
      at.queries,
      qScales,
      nq,
      mask,
      1,
      k,
      out,
      out + nq * k * 4,
    );
    return new Int32Array(memory.buffer, out, nq * k * 2).join();
  }
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
  return { ...info, comparisons, property: prop, relaxed: relaxedInt8Check() };
}

reportTo(document, main);
