/**
 * Prune time of a cache shaped like a 0.5B chat model's (Qwen2.5-0.5B: 24 layers, 2 KV heads,
 * head dim 64) on the GPU path (KvPruner: score, select, gather + re-rotate) and on the
 * TypeScript path (the float64 twin), against the floor of the bytes a prune must move at
 * this machine's memory bandwidth.
 */
import type { KvShape, PruneOptions } from '../../src/kv/policy.js';
import { KvPruner, type KvLayerBuffers } from '../../src/kv/pruner.js';
import { pruneReference } from '../../src/kv/reference.js';
import type { RopeSpec } from '../../src/kv/rope.js';

/** One timed prune. */
export interface TimingRow {
  readonly keepFraction: number;
  readonly keep: number;
  readonly gpuMs: number;
  readonly tsMs: number;
  /** Read all keys (scoring), read the kept keys and values, write them. */
  readonly bytesMoved: number;
  readonly floorMs: number;
  readonly cacheBytesBefore: number;
  readonly cacheBytesAfter: number;
  /** Scratch the GPU prune held at its peak (scores, kept slots, params, rotation table). */
  readonly scratchBytes: number;
}

/**
 * Waits until the queue has finished `buffer`'s last writer, by reading 16 bytes of it back.
 * (Dawn in Node does not settle `onSubmittedWorkDone` reliably; a mapped read is ordered.)
 */
async function settle(device: GPUDevice, buffer: GPUBuffer): Promise<void> {
  const staging = device.createBuffer({ label: 'bench settle', size: 16, usage: 0x1 | 0x8 });
  const encoder = device.createCommandEncoder({ label: 'bench settle' });
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, 16);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x1);
  staging.destroy();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Bytes per second of a large typed-array copy on this machine: the host memory floor. */
export function hostBandwidth(): number {
  const words = 1 << 25; // 128 MiB
  const from = new Float32Array(words).fill(1);
  const to = new Float32Array(words);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    to.set(from);
    times.push(performance.now() - start);
  }
  // A copy reads and writes every byte.
  return (2 * words * 4) / (median(times) / 1000);
}

function seeded(n: number, seed: number): Float32Array<ArrayBuffer> {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2147483648 - 1;
  });
}

/** Times GPU and TS prunes of one cache to each fraction of its length. */
export async function measureTiming(
  device: GPUDevice,
  rope: RopeSpec,
  shape: KvShape,
  fractions: readonly number[],
  bandwidth: number,
  repeats = 3,
): Promise<TimingRow[]> {
  const n = shape.kvHeads * shape.seq * shape.headDim;
  const host = Array.from({ length: shape.layers }, (_, l) => ({
    key: seeded(n, 2 * l + 1),
    value: seeded(n, 2 * l + 2),
  }));
  const usage = 0x80 | 0x4 | 0x8;
  const layers: KvLayerBuffers[] = host.map(({ key, value }, l) => {
    const make = (data: Float32Array<ArrayBuffer>, kind: string) => {
      const buffer = device.createBuffer({
        label: `bench/${l}/${kind}`,
        size: data.byteLength,
        usage,
      });
      device.queue.writeBuffer(buffer, 0, data);
      return buffer;
    };
    return { key: make(key, 'key'), value: make(value, 'value') };
  });
  const pruner = await KvPruner.create(device, { rope });
  const rows: TimingRow[] = [];
  const bytesPerElement = 4;
  const cacheBytes = 2 * shape.layers * n * bytesPerElement;
  for (const fraction of fractions) {
    const keep = Math.floor(shape.seq * fraction);
    const options: PruneOptions = { keep, policy: { kind: 'knorm' }, sinks: 4, window: 64 };
    const gpu: number[] = [];
    for (let i = 0; i <= repeats; i++) {
      await settle(device, layers[shape.layers - 1]!.value);
      const start = performance.now();
      const out = await pruner.prune(layers, shape, options);
      await settle(device, out.layers[shape.layers - 1]!.value);
      const ms = performance.now() - start;
      if (i > 0) gpu.push(ms); // the first run builds nothing new but warms the driver
      for (const l of out.layers) {
        l.key.destroy();
        l.value.destroy();
      }
    }
    const ts: number[] = [];
    for (let i = 0; i < Math.max(1, repeats - 1); i++) {
      const start = performance.now();
      pruneReference(host, shape, options, rope);
      ts.push(performance.now() - start);
    }
    const keptBytes = 2 * shape.layers * shape.kvHeads * keep * shape.headDim * bytesPerElement;
    const bytesMoved = cacheBytes / 2 + 2 * keptBytes;
    rows.push({
      keepFraction: fraction,
      keep,
      gpuMs: median(gpu),
      tsMs: median(ts),
      bytesMoved,
      floorMs: (bytesMoved / bandwidth) * 1000,
      cacheBytesBefore: cacheBytes,
      cacheBytesAfter: keptBytes,
      scratchBytes: pruner.scratchPeak,
    });
  }
  pruner.destroy();
  for (const l of layers) {
    l.key.destroy();
    l.value.destroy();
  }
  return rows;
}
