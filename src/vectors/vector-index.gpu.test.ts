import { expect, it } from 'vitest';
import { clustered, isotropic, row } from '../../test/data.js';
import { describeGpu, openDawn } from '../../test/dawn.js';
import type { GpuContext } from '../gpu/device.js';
import type { VectorStorage } from './layout.js';
import { createVectorIndex, type VectorIndex, type VectorRecord } from './vector-index.js';

const opened = await openDawn();
const DIM = 24;

function records(data: Float32Array, from: number, to: number, prefix = 'v'): VectorRecord[] {
  return Array.from({ length: to - from }, (_, i) => ({
    id: `${prefix}${from + i}`,
    vector: row(data, from + i, DIM),
    session: `s${(from + i) % 3}`,
  }));
}

async function answers(index: VectorIndex, queries: Float32Array[]) {
  const all = await index.search(queries, { k: 10 });
  const one = await index.search(queries[0]!, { k: 5, filter: { session: 's1' } });
  return { all, one };
}

/** The ids of each answer, which must match exactly (scores differ in the last f32 bits). */
async function idsOf(index: VectorIndex, queries: Float32Array[]) {
  const { all, one } = await answers(index, queries);
  return { all: all.map((list) => list.map((h) => h.id)), one: one.map((h) => h.id) };
}

/**
 * A `GPU` entry point whose devices can be lost on demand the way a driver reset loses them:
 * the real device is destroyed and `lost` resolves with reason 'unknown'.
 */
function lossyEntry(real: GPU) {
  const losers: (() => void)[] = [];
  // Holds every adapter request after the first until the test opens it, so the time spent
  // without a device is the test's to choose.
  let open!: () => void;
  const reopened = new Promise<void>((resolve) => (open = resolve));
  const bind = <T extends object>(target: T, prop: string | symbol) => {
    const value = Reflect.get(target, prop) as unknown;
    return typeof value === 'function' ? value.bind(target) : value;
  };
  const entry = {
    async requestAdapter(options?: GPURequestAdapterOptions) {
      if (losers.length > 0) await reopened;
      const adapter = await real.requestAdapter(options);
      if (!adapter) return null;
      return new Proxy(adapter, {
        get(target, prop) {
          if (prop !== 'requestDevice') return bind(target, prop);
          return async (descriptor?: GPUDeviceDescriptor) => {
            const device = await target.requestDevice(descriptor);
            let lose!: (info: GPUDeviceLostInfo) => void;
            const lost = new Promise<GPUDeviceLostInfo>((resolve) => (lose = resolve));
            losers.push(() => {
              device.destroy();
              lose({ reason: 'unknown', message: 'simulated driver reset' } as GPUDeviceLostInfo);
            });
            return new Proxy(device, {
              get: (t, p) => (p === 'lost' ? lost : bind(t, p)),
            });
          };
        },
      });
    },
  } as unknown as GPU;
  return { entry, losers, open };
}

describeGpu('VectorIndex on WebGPU (Dawn)', opened, (dawn) => {
  it('routes a software adapter to the CPU by itself and says why', async () => {
    const index = await createVectorIndex({ dim: DIM, gpu: dawn.device });
    expect(index.gpuInfo?.isFallback).toBe(true);
    expect(index.backend.name).toBe('wasm');
    expect(index.backend.reason).toMatch(/fallback/);
    index.destroy();
    // The app's device stays the app's: destroying the index leaves it usable.
    const probe = dawn.device.createBuffer({
      label: 'probe',
      size: 16,
      usage: GPUBufferUsage.COPY_DST,
    });
    expect(probe.size).toBe(16);
    probe.destroy();
  });

  it.each(['f32', 'f16', 'int8'] as VectorStorage[])(
    'forced gpu gives the TypeScript answers (%s)',
    async (storage) => {
      const data = clustered(3000, DIM, 11, { clusters: 16, rank: 8 });
      const queries = Array.from({ length: 7 }, (_, i) => row(isotropic(7, DIM, 12), i, DIM));
      const gpu = await createVectorIndex({ dim: DIM, storage, gpu: dawn.device, backend: 'gpu' });
      const ts = await createVectorIndex({ dim: DIM, storage, gpu: 'cpu', backend: 'ts' });
      for (const index of [gpu, ts]) {
        index.upsert(records(data, 0, 3000));
        index.remove(['v3', 'v10', 'v2000']);
      }
      const want = await answers(ts, queries);
      const got = await answers(gpu, queries);
      expect(gpu.backend.name).toBe('gpu');
      expect(gpu.bytes.gpu).toBeGreaterThan(0);
      const tolerance = storage === 'f16' ? 2e-3 : 1e-5;
      expect(got.all.map((l) => l.map((h) => h.id))).toEqual(
        want.all.map((l) => l.map((h) => h.id)),
      );
      got.all.flat().forEach((h, i) => {
        expect(Math.abs(h.score - want.all.flat()[i]!.score)).toBeLessThanOrEqual(tolerance);
      });
      expect(got.one.map((h) => h.id)).toEqual(want.one.map((h) => h.id));
      gpu.destroy();
      ts.destroy();
      expect(dawn.liveBuffers()).toEqual([]);
    },
  );

  it('survives a device loss: CPU meanwhile, then a new device and a full re-upload', async () => {
    const webgpu = await import('webgpu');
    const { entry, losers, open } = lossyEntry(webgpu.create([]));
    const data = clustered(2000, DIM, 21, { clusters: 16, rank: 8 });
    const queries = Array.from({ length: 4 }, (_, i) => row(isotropic(4, DIM, 22), i, DIM));
    const index = await createVectorIndex({ dim: DIM, gpu: entry, backend: 'gpu' });
    const oracle = await createVectorIndex({ dim: DIM, gpu: 'cpu', backend: 'ts' });
    for (const target of [index, oracle]) target.upsert(records(data, 0, 1500));
    expect(await idsOf(index, queries)).toEqual(await idsOf(oracle, queries));
    expect(index.backend.name).toBe('gpu');

    losers[0]!(); // the driver resets: the device is gone
    const context = (index as unknown as { gpu: GpuContext }).gpu;
    // Writes and searches during the loss: no error, answered on the CPU, nothing lost.
    for (const target of [index, oracle]) {
      target.upsert(records(data, 1500, 2000));
      target.remove(['v7', 'v1600']);
    }
    const during = await idsOf(index, queries);
    expect(index.backend.name).toBe('wasm');
    expect(index.backend.reason).toMatch(/lost|failed/);
    const want = await idsOf(oracle, queries);
    expect(during).toEqual(want);

    open();
    await context.restoring;
    expect(losers).toHaveLength(2); // a second device was acquired
    expect(await idsOf(index, queries)).toEqual(want);
    expect(index.backend.name).toBe('gpu');
    index.destroy();
    oracle.destroy();
  });
});
