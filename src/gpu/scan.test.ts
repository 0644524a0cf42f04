import { expect, it } from 'vitest';
import { describeGpu, openDawn, type Dawn } from '../../test/dawn.js';
import {
  allowSessions,
  answer,
  expectOracle,
  filledStore,
  stageQueries,
  unitRows,
  writeRows,
} from '../../test/scan-cases.js';
import { MemoryError } from '../errors.js';
import type { HostStore } from '../vectors/host-store.js';
import {
  int8Candidates,
  MAX_BATCH,
  MAX_CANDIDATES,
  MAX_K,
  type VectorStorage,
} from '../vectors/layout.js';
import { BufferUsage } from './flags.js';
import { BufferPool } from './pool.js';
import { GpuScan, type GpuScanOptions } from './scan.js';

const opened = await openDawn();
const STORAGES: VectorStorage[] = ['f32', 'f16', 'int8'];

/** Scans on the GPU under error scopes and checks against the oracle; returns near-tie trades. */
async function agrees(dawn: Dawn, gpu: GpuScan, store: HostStore, nq: number, k: number) {
  const got = await dawn.scoped(() => answer(gpu, store, nq, k));
  const traded = await expectOracle(store, nq, k, got);
  expect(traded, `near-tie trades for nq=${nq} k=${k}`).toBeLessThanOrEqual(2);
  return got;
}

/** A scan that is destroyed when `body` ends, however it ends. */
async function withScan(
  dawn: Dawn,
  options: GpuScanOptions,
  body: (gpu: GpuScan) => Promise<void>,
): Promise<void> {
  const gpu = await GpuScan.create(dawn.device, options);
  try {
    await body(gpu);
  } finally {
    gpu.destroy();
  }
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MemoryError);
    return (error as MemoryError).code;
  }
  return 'no error';
}

describeGpu('GpuScan', opened, (dawn) => {
  for (const storage of STORAGES) {
    for (const dim of [384, 5, 17]) {
      it(`matches the TypeScript scan: ${storage}, d=${dim}`, async () => {
        await withScan(dawn, { storage }, async (gpu) => {
          for (const rows of [0, 1, 7]) {
            const store = filledStore(storage, dim, rows, { seed: rows + dim });
            const nq = stageQueries(store, unitRows(3, dim, 77));
            allowSessions(store, 'all');
            await agrees(dawn, gpu, store, nq, 10);
          }
          const store = filledStore(storage, dim, 3000, { seed: dim });
          allowSessions(store, 'all');
          const runs: [k: number, nq: number][] = [
            [1, 1],
            [10, 3],
            [MAX_K, MAX_BATCH],
            [int8Candidates(10), 3],
            [MAX_CANDIDATES, 2],
          ];
          for (const [k, nq] of runs) {
            stageQueries(store, unitRows(nq, dim, k + nq));
            await agrees(dawn, gpu, store, nq, k);
          }
        });
      });
    }
  }

  it('filters by session inside the kernel: none, one, several, removed rows', async () => {
    await withScan(dawn, {}, async (gpu) => {
      // 200 sessions: the mask outgrows its first 4 words.
      const store = filledStore('f32', 17, 2500, { session: (r) => 1 + (r % 200) });
      for (let r = 0; r < 2500; r += 7) store.tombstone(r);
      const nq = stageQueries(store, unitRows(3, 17, 5));
      allowSessions(store, []);
      const none = await agrees(dawn, gpu, store, nq, 10);
      expect([...none.rows].every((r) => r === -1)).toBe(true);
      expect([...none.scores].every((s) => s === -Infinity)).toBe(true);
      for (const sessions of [[3], [1, 2, 33, 150, 199], [200]]) {
        allowSessions(store, sessions);
        const got = await agrees(dawn, gpu, store, nq, MAX_K);
        for (const r of got.rows) if (r >= 0) expect(sessions).toContain(store.views.sessions[r]);
      }
      // Even a mask that allows ordinal 0 never brings back a removed row.
      store.views.mask.fill(0xffffffff);
      const all = await dawn.scoped(() => answer(gpu, store, nq, MAX_CANDIDATES));
      expect([...all.rows].filter((r) => r >= 0 && r % 7 === 0)).toEqual([]);
      allowSessions(store, 'all');
      await expectOracle(store, nq, MAX_CANDIDATES, all);
    });
  });

  for (const storage of STORAGES) {
    it(`orders exact ties by row across tiles and chunks: ${storage}`, async () => {
      const dim = 17;
      // 300 rows of 17 f32 per binding: the ties land in different tiles and chunks.
      await withScan(dawn, { storage, maxBindingBytes: 300 * 80 }, async (gpu) => {
        const store = filledStore(storage, dim, 5000);
        const twin = unitRows(1, dim, 999);
        const at = [4999, 3, 2048, 2047, 4096, 100, 299, 300];
        for (const r of at) store.write(r, twin, 1 + (r % 3));
        stageQueries(store, twin);
        allowSessions(store, 'all');
        const got = await agrees(dawn, gpu, store, 1, 10);
        expect([...got.rows.slice(0, at.length)]).toEqual([...at].sort((a, b) => a - b));
        expect(new Set(got.scores.slice(0, at.length)).size).toBe(1);
      });
    });
  }

  it('orders a tile full of ties, merged across tiles, by row', async () => {
    for (const storage of STORAGES) {
      await withScan(dawn, { storage }, async (gpu) => {
        const twin = unitRows(1, 17, 999);
        const same = filledStore(storage, 17, 0);
        writeRows(same, 0, new Float32Array(Array.from({ length: 5000 }, () => [...twin]).flat()));
        allowSessions(same, 'all');
        stageQueries(same, twin);
        const flat = await agrees(dawn, gpu, same, 1, MAX_CANDIDATES);
        expect([...flat.rows]).toEqual(Array.from({ length: MAX_CANDIDATES }, (_, i) => i));
        // With rows 0..2999 removed, the survivors of the third tile come first.
        for (let r = 0; r < 3000; r++) same.tombstone(r);
        const later = await agrees(dawn, gpu, same, 1, MAX_K);
        expect([...later.rows]).toEqual(Array.from({ length: MAX_K }, (_, i) => 3000 + i));
      });
    }
  });

  it('scores in chunks, folds large grids into 2-D and splits the batch to fit', async () => {
    for (const storage of STORAGES) {
      // 17 dims: 80 bytes per f32 row, 48 per f16, 32 per int8; chunks of 700, 1166, 1750 rows.
      const options = { maxBindingBytes: 56_000, maxWorkgroupsPerDimension: 8 };
      await withScan(dawn, options, async (gpu) => {
        const store = filledStore(storage, 17, 3000, { seed: 3 });
        allowSessions(store, [1, 3]);
        for (const [k, nq] of [
          [10, MAX_BATCH],
          [MAX_CANDIDATES, 5],
          [1, 7],
        ] as const) {
          stageQueries(store, unitRows(nq, 17, k));
          await agrees(dawn, gpu, store, nq, k);
        }
      });
    }
  });

  it('uploads only the dirty rows, and stays right through upserts and removals', async () => {
    await withScan(dawn, {}, async (gpu) => {
      const dim = 384;
      const rowBytes = 384 * 4;
      const store = filledStore('f32', dim, 3000, { capacity: 4096 });
      const nq = stageQueries(store, unitRows(2, dim, 8));
      allowSessions(store, 'all');
      await agrees(dawn, gpu, store, nq, 10);
      dawn.takeWrites();
      await agrees(dawn, gpu, store, nq, 10);
      expect(dawn.takeWrites().get('gpu-scan/rows[0].vectors')).toBeUndefined();
      // Rows 2990..2995 change and two are added: the dirty range is [2990, 3002).
      writeRows(store, 2990, unitRows(12, dim, 50), () => 2);
      store.tombstone(2993);
      await agrees(dawn, gpu, store, nq, 10);
      const writes = dawn.takeWrites();
      expect(writes.get('gpu-scan/rows[0].vectors')).toBe(12 * rowBytes);
      expect(writes.get('gpu-scan/rows[0].sessions')).toBe(12 * 4);
      // The new rows are found: query one of them.
      stageQueries(store, unitRows(12, dim, 50).subarray(11 * dim));
      const got = await agrees(dawn, gpu, store, 1, 1);
      expect(got.rows[0]).toBe(3001);
    });
  });

  it('grows with the store, copying kept rows on the GPU', async () => {
    for (const storage of STORAGES) {
      await withScan(dawn, { maxBindingBytes: 500 * 80 }, async (gpu) => {
        const dim = 17;
        const store = filledStore(storage, dim, 10, { capacity: 16 });
        const nq = stageQueries(store, unitRows(3, dim, 4));
        allowSessions(store, 'all');
        await agrees(dawn, gpu, store, nq, 10);
        const small = gpu.bytes;
        // Growth marks every row dirty; dropping that proves the kept rows were copied.
        store.reserve(3000, 300); // the session mask grows too
        store.takeDirty();
        writeRows(store, 10, unitRows(2990, dim, 6), (r) => 1 + (r % 299));
        allowSessions(store, 'all');
        stageQueries(store, unitRows(3, dim, 4));
        dawn.takeWrites();
        await agrees(dawn, gpu, store, nq, MAX_K);
        expect(gpu.bytes).toBeGreaterThan(small);
        const uploaded = [...dawn.takeWrites()]
          .filter(([label]) => label.endsWith('.sessions'))
          .reduce((sum, [, bytes]) => sum + bytes, 0);
        expect(uploaded).toBe(2990 * 4);
      });
    }
  });

  it('follows another store, or a new layout, from scratch', async () => {
    await withScan(dawn, {}, async (gpu) => {
      const a = filledStore('f32', 17, 900, { seed: 1 });
      const b = filledStore('int8', 5, 2100, { seed: 2 });
      for (const store of [a, b, a]) {
        const nq = stageQueries(store, unitRows(4, store.row.dim, 3));
        allowSessions(store, 'all');
        await agrees(dawn, gpu, store, nq, 10);
      }
    });
  });

  it('turns a lost device into DEVICE_LOST, and still destroys cleanly', async () => {
    const device = await dawn.spareDevice();
    const gpu = await GpuScan.create(device);
    const store = filledStore('f32', 17, 3000);
    const nq = stageQueries(store, unitRows(2, 17, 1));
    allowSessions(store, 'all');
    await gpu.scan(store, nq, 10);
    device.destroy();
    await device.lost;
    expect(await code(gpu.scan(store, nq, 10))).toBe('DEVICE_LOST');
    gpu.destroy();
    expect(gpu.bytes).toBe(0);
    expect(await code(gpu.scan(store, nq, 10))).toBe('DESTROYED');
  });

  it('counts the bytes of the buffers it holds', async () => {
    const pool = new BufferPool(dawn.device, 'pool-test');
    const usage = BufferUsage.STORAGE | BufferUsage.COPY_DST;
    const a = pool.acquire('a', 1000, usage);
    const b = pool.acquire('b', 10, usage);
    expect(a.label).toBe('pool-test/a');
    expect([pool.bytes, pool.count, a.size, b.size]).toEqual([1024, 2, 1008, 16]);
    pool.release(a);
    pool.release(a);
    expect([pool.bytes, pool.peak, pool.count]).toEqual([16, 1024, 1]);
    pool.destroy();
    pool.destroy();
    expect([pool.bytes, pool.count]).toEqual([0, 0]);
    expect(() => pool.acquire('c', 16, usage)).toThrow(MemoryError);
  });

  it('refuses bad input, frees everything on destroy, and then refuses to scan', async () => {
    const gpu = await GpuScan.create(dawn.device);
    const store = filledStore('f16', 17, 100);
    const nq = stageQueries(store, unitRows(2, 17, 1));
    allowSessions(store, 'all');
    expect(await code(gpu.scan(store, nq, 0))).toBe('BAD_INPUT');
    expect(await code(gpu.scan(store, nq, MAX_CANDIDATES + 1))).toBe('BAD_INPUT');
    expect(await code(gpu.scan(store, MAX_BATCH + 1, 10))).toBe('BAD_INPUT');
    await agrees(dawn, gpu, store, nq, 10);
    expect(gpu.bytes).toBeGreaterThan(0);
    const inFlight = gpu.scan(store, nq, 10);
    gpu.destroy();
    gpu.destroy();
    expect(gpu.bytes).toBe(0);
    expect(dawn.liveBuffers()).toEqual([]);
    expect(await code(inFlight)).toBe('DESTROYED');
    expect(await code(gpu.scan(store, nq, 10))).toBe('DESTROYED');
  });
});
