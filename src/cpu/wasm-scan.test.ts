import { afterEach, describe, expect, it, vi } from 'vitest';
import { gaussian, random } from '../../test/data.js';
import { MemoryError } from '../errors.js';
import { HostStore, quantize } from '../vectors/host-store.js';
import {
  MAX_BATCH,
  MAX_CANDIDATES,
  MAX_K,
  int8Candidates,
  rowLayout,
  type VectorStorage,
} from '../vectors/layout.js';
import { TsScan } from './scan.js';
import { WasmScan, measureBandwidth, wasmSimdSupported } from './wasm-scan.js';

/** `n` seeded random unit vectors of length `dim`. */
function units(n: number, dim: number, seed: number): Float32Array[] {
  const rand = random(seed);
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dim }, () => gaussian(rand));
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

/** A store holding `vectors`, row r in session `ordinals[r]` (0 = tombstoned). */
function storeOf(storage: VectorStorage, dim: number, vectors: Float32Array[], ordinals: number[]) {
  const store = new HostStore(rowLayout(dim, storage), 16);
  store.reserve(vectors.length, Math.max(1, ...ordinals) + 1);
  vectors.forEach((v, r) => store.write(r, v, ordinals[r]!));
  return store;
}

/**
 * Writes the queries (f32, and int8 with scales) and the allowed-session mask, as the index
 * does: `'live'` is its unfiltered mask (every ordinal but 0), which the kernels scan apart.
 */
function stage(store: HostStore, queries: Float32Array[], allowed: number[] | 'live'): void {
  const v = store.views;
  const { dim, queryStride, strideWords } = store.row;
  if (allowed === 'live') {
    v.mask.fill(0xffffffff);
    v.mask[0]! &= ~1;
  } else {
    v.mask.fill(0);
    for (const s of allowed) v.mask[s >>> 5]! |= 1 << (s & 31);
  }
  v.queries.fill(0);
  v.queriesI8.fill(0);
  queries.forEach((unit, q) => {
    v.queries.set(unit, q * queryStride);
    v.queryScales[q] = quantize(unit, dim, v.queriesI8, q * strideWords * 4);
  });
}

interface Top {
  rows: number[];
  scores: number[];
}

/** Runs `backend` over poisoned output regions and returns what it wrote, one list per query. */
function run(backend: TsScan | WasmScan, store: HostStore, nq: number, k: number): Top[] {
  const v = store.views;
  v.outRows.fill(-7);
  v.outScores.fill(Number.NaN);
  backend.scan(store, nq, k);
  return Array.from({ length: nq }, (_, q) => ({
    rows: Array.from(v.outRows.subarray(q * k, (q + 1) * k)),
    scores: Array.from(v.outScores.subarray(q * k, (q + 1) * k)),
  }));
}

const tolerance: Record<VectorStorage, (want: number) => number> = {
  f32: () => 1e-5,
  f16: () => 2e-3,
  int8: (want) => 1e-5 * Math.abs(want),
};

/**
 * Same rows in the same order, scores within the storage's tolerance. Rows must match exactly:
 * f32 rounding moves a score by ~1e-7, far below the gaps between distinct scores in this
 * data, and exact ties (duplicate rows) score the same bits on both sides.
 */
function expectSame(got: Top[], want: Top[], storage: VectorStorage, label: string): void {
  expect(got.length, label).toBe(want.length);
  got.forEach((top, q) => {
    expect(top.rows, `${label}, query ${q}: rows`).toEqual(want[q]!.rows);
    top.scores.forEach((score, j) => {
      const expected = want[q]!.scores[j]!;
      if (expected === -Infinity) {
        expect(score, `${label}, query ${q}, slot ${j}: padding`).toBe(-Infinity);
      } else {
        const diff = Math.abs(score - expected);
        expect(
          diff,
          `${label}, query ${q}, slot ${j}: |${score} - ${expected}|`,
        ).toBeLessThanOrEqual(tolerance[storage](expected));
      }
    });
  });
}

const oracle = new TsScan();
const scans: WasmScan[] = [];
async function wasmScan(): Promise<WasmScan> {
  const scan = await WasmScan.create();
  scans.push(scan);
  return scan;
}
afterEach(() => {
  for (const scan of scans.splice(0)) scan.destroy();
  vi.restoreAllMocks();
});

// Sessions 1..70 span three mask words; every eleventh row is tombstoned (ordinal 0).
const ordinalOf = (r: number): number => (r % 11 === 5 ? 0 : 1 + ((r * 7) % 70));
const masks: Record<string, number[]> = {
  none: [],
  one: [37],
  several: [1, 2, 33, 64, 65, 70],
  all: Array.from({ length: 70 }, (_, i) => i + 1),
};

const storages: VectorStorage[] = ['f32', 'f16', 'int8'];
const dims = [384, 5, 17, 64];

describe.each(storages)('WasmScan on %s rows matches TsScan', (storage) => {
  it.each(dims)('dim %i: empty, tiny and fewer-than-k stores, every mask', async (dim) => {
    const scan = await wasmScan();
    for (const rows of [0, 1, 7]) {
      const store = storeOf(storage, dim, units(rows, dim, rows + dim), [1, 37, 0, 33, 2, 70, 65]);
      for (const [name, allowed] of Object.entries(masks)) {
        stage(store, units(3, dim, 99), allowed);
        const label = `${rows} rows, mask ${name}`;
        expectSame(run(scan, store, 3, 10), run(oracle, store, 3, 10), storage, label);
      }
    }
  });

  it.each(dims)('dim %i: thousands of rows, k 1 / 10 / MAX_K, batch 1 / 3 / 32', async (dim) => {
    const scan = await wasmScan();
    const vectors = units(3001, dim, dim);
    const store = storeOf(
      storage,
      dim,
      vectors,
      vectors.map((_, r) => ordinalOf(r)),
    );
    const queries = units(MAX_BATCH, dim, 7 * dim);
    const runs = [
      { k: 1, nq: 1, mask: 'all' },
      { k: 10, nq: 32, mask: 'several' },
      { k: MAX_K, nq: 3, mask: 'all' },
      { k: 10, nq: 3, mask: 'one' },
      { k: 10, nq: 1, mask: 'none' },
    ];
    for (const { k, nq, mask } of runs) {
      stage(store, queries, masks[mask]!);
      const label = `k ${k}, batch ${nq}, mask ${mask}`;
      expectSame(run(scan, store, nq, k), run(oracle, store, nq, k), storage, label);
    }
  });

  it.each(dims)(
    'dim %i: unfiltered, whole blocks of live rows and blocks with removed ones',
    async (dim) => {
      const scan = await wasmScan();
      // 3001 rows: 46 blocks of 64 and 57 rows after; rows 700..830 and 2000 are removed, so
      // some blocks are whole and some are not.
      const vectors = units(3001, dim, 3 * dim);
      const removed = (r: number) => (r >= 700 && r <= 830) || r === 2000;
      const store = storeOf(
        storage,
        dim,
        vectors,
        vectors.map((_, r) => (removed(r) ? 0 : 1 + (r % 40))),
      );
      const queries = units(MAX_BATCH, dim, 5 * dim);
      queries[1] = vectors[710]!; // a removed row's twin: it must not come back
      for (const [k, nq] of [
        [1, 1],
        [10, 1],
        [int8Candidates(10), 3],
        [MAX_K, 32],
      ] as const) {
        stage(store, queries, 'live');
        const got = run(scan, store, nq, k);
        expectSame(got, run(oracle, store, nq, k), storage, `unfiltered, k ${k}, batch ${nq}`);
        for (const top of got) expect(top.rows.some(removed)).toBe(false);
      }
    },
  );

  it('exact ties (duplicate rows, across blocks and lanes) come lower row first', async () => {
    const dim = 17;
    const base = units(3, dim, 5);
    const vectors = Array.from({ length: 400 }, (_, r) => base[r % 3]!);
    const store = storeOf(
      storage,
      dim,
      vectors,
      vectors.map((_, r) => (r % 5 === 1 ? 2 : 1)),
    );
    const scan = await wasmScan();
    const runs: { k: number; allowed: number[] | 'live' }[] = [
      { k: 10, allowed: [1] },
      { k: MAX_K, allowed: [1] },
      { k: 10, allowed: 'live' }, // whole blocks: the eight-row int8 path
      { k: MAX_K, allowed: 'live' },
    ];
    for (const { k, allowed } of runs) {
      stage(store, [base[0]!, base[1]!, units(1, dim, 6)[0]!], allowed);
      const got = run(scan, store, 3, k);
      expectSame(got, run(oracle, store, 3, k), storage, `ties, k ${k}, mask ${String(allowed)}`);
      const { rows, scores } = got[0]!;
      for (let j = 1; j < k; j++) {
        if (scores[j] === scores[j - 1]) expect(rows[j]!).toBeGreaterThan(rows[j - 1]!);
      }
      expect(new Set(scores.slice(0, 10)).size).toBe(1); // the ten best are all copies
    }
  });
});

describe('WasmScan on int8 rows', () => {
  it('keeps int8 candidate counts up to MAX_CANDIDATES', async () => {
    const dim = 384;
    const vectors = units(2500, dim, 11);
    const store = storeOf(
      'int8',
      dim,
      vectors,
      vectors.map((_, r) => ordinalOf(r)),
    );
    stage(store, units(MAX_BATCH, dim, 12), masks.all!);
    const scan = await wasmScan();
    for (const [k, nq] of [
      [int8Candidates(10), 32],
      [MAX_CANDIDATES, 3],
    ] as const) {
      expectSame(run(scan, store, nq, k), run(oracle, store, nq, k), 'int8', `k ${k}`);
    }
  });
});

describe('WasmScan', () => {
  it('follows the store into a new memory when it grows', async () => {
    const dim = 64;
    const vectors = units(300, dim, 21);
    const store = new HostStore(rowLayout(dim, 'f32'), 16);
    vectors.slice(0, 16).forEach((v, r) => store.write(r, v, 1));
    const scan = await wasmScan();
    stage(store, [vectors[250]!], [1]);
    expectSame(run(scan, store, 1, 10), run(oracle, store, 1, 10), 'f32', 'before growth');

    const { generation, memory } = store;
    store.reserve(vectors.length, 2);
    vectors.forEach((v, r) => store.write(r, v, 1));
    expect(store.generation).toBeGreaterThan(generation);
    expect(store.memory).not.toBe(memory);
    stage(store, [vectors[250]!], [1]);
    const got = run(scan, store, 1, 10);
    expect(got[0]!.rows[0]).toBe(250); // only in the new memory
    expectSame(got, run(oracle, store, 1, 10), 'f32', 'after growth');
  });

  it('writes only its nq × k result slots', async () => {
    const dim = 17;
    const store = storeOf('int8', dim, units(200, dim, 31), Array(200).fill(1));
    stage(store, units(3, dim, 32), [1]);
    const before = new Uint8Array(store.memory.buffer).slice();
    const scan = await wasmScan();
    scan.scan(store, 3, 10);
    const after = new Uint8Array(store.memory.buffer);
    const { outRows, outScores } = store.regions;
    const written = (i: number) =>
      (i >= outRows && i < outRows + 120) || (i >= outScores && i < outScores + 120);
    let changedElsewhere = 0;
    for (let i = 0; i < after.length; i++)
      if (!written(i) && after[i] !== before[i]) changedElsewhere++;
    expect(changedElsewhere).toBe(0);
  });

  it('checks its arguments and refuses work after destroy', async () => {
    const store = storeOf('f32', 5, units(3, 5, 1), [1, 1, 1]);
    const scan = await wasmScan();
    expect(() => scan.scan(store, 0, 10)).toThrow(MemoryError);
    expect(() => scan.scan(store, MAX_BATCH + 1, 10)).toThrow(MemoryError);
    expect(() => scan.scan(store, 1, MAX_CANDIDATES + 1)).toThrow(MemoryError);
    scan.destroy();
    scan.destroy();
    expect(() => scan.scan(store, 1, 10)).toThrow(expect.objectContaining({ code: 'DESTROYED' }));
  });

  it('reports WASM_UNAVAILABLE where SIMD does not validate', async () => {
    expect(wasmSimdSupported()).toBe(true);
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    expect(wasmSimdSupported()).toBe(false);
    await expect(WasmScan.create()).rejects.toMatchObject({ code: 'WASM_UNAVAILABLE' });
  });
});

describe('measureBandwidth', () => {
  it('reads every byte it is given', async () => {
    const words = 1 << 16;
    const fresh = await measureBandwidth(words * 4, { repeats: 2 });
    expect(fresh.checksum).toBe(((words * (words - 1)) / 2) | 0); // it fills word i with i
    expect(fresh.bytesPerSecond).toBeGreaterThan(0);

    const memory = new WebAssembly.Memory({ initial: 1 });
    new Int32Array(memory.buffer, 64, 8).set([1, 2, 3, 4, 5, 6, 7, -8]);
    const given = await measureBandwidth(32, { memory, offset: 64, repeats: 1 });
    expect(given.checksum).toBe(20);
  });
});
