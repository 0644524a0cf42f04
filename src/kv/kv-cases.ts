/**
 * Shared by the Node (Dawn) and Chromium checks of the KV kernels: a seeded cache, the GPU
 * prune of it, and how far it is from the float64 reference.
 */
import { fromHalf, halves } from './half.js';
import type { KvPolicy, KvShape, PruneOptions } from './policy.js';
import { KvPruner, type KvLayerBuffers } from './pruner.js';
import { pruneReference } from './reference.js';
import type { RopeSpec } from './rope.js';
import type { KvStorage } from './kv-score.js';

/** How a GPU prune compared with the reference. */
export interface KvComparison {
  readonly what: string;
  readonly keep: number;
  readonly wantKeep: number;
  readonly sameKept: boolean;
  readonly valuesExact: boolean;
  /** Largest |gpu − ref| of a key element over the norm of its rotary pair. */
  readonly maxKeyError: number;
}

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** A cache of seeded values in [-1, 1), exactly representable in `storage`. */
export function seededCache(shape: KvShape, storage: KvStorage, seed: number): Float32Array[][] {
  const rand = random(seed);
  const n = shape.kvHeads * shape.seq * shape.headDim;
  const one = () => {
    const values = Float32Array.from({ length: n }, () => rand() * 2 - 1);
    return storage === 'f16' ? Float32Array.from(halves(values), fromHalf) : values;
  };
  return Array.from({ length: shape.layers }, () => [one(), one()]);
}

/** Integer scores with many ties, for the accumulated and threshold policies. */
export function tiedScores(shape: KvShape, seed: number): Float32Array[] {
  const rand = random(seed);
  return Array.from({ length: shape.layers }, () =>
    Float32Array.from({ length: shape.kvHeads * shape.seq }, () => Math.floor(rand() * 6)),
  );
}

/** The policies every check runs. */
export function policies(shape: KvShape): KvPolicy[] {
  const scores = tiedScores(shape, 11);
  return [
    { kind: 'streaming' },
    { kind: 'knorm' },
    { kind: 'keydiff' },
    { kind: 'accumulated', scores },
    { kind: 'threshold', threshold: 4, of: { kind: 'accumulated', scores } },
    { kind: 'threshold', threshold: -0.2, of: { kind: 'keydiff' } },
  ];
}

function upload(
  device: GPUDevice,
  data: Float32Array,
  storage: KvStorage,
  label: string,
): GPUBuffer {
  const bytes =
    storage === 'f16' ? new Uint8Array(halves(data).buffer) : new Uint8Array(data.buffer);
  const buffer = device.createBuffer({
    label,
    size: Math.ceil(bytes.byteLength / 16) * 16,
    usage: 0x80 | 0x4 | 0x8, // STORAGE | COPY_SRC | COPY_DST, as ORT's tensors have
  });
  device.queue.writeBuffer(buffer, 0, bytes as Uint8Array<ArrayBuffer>);
  return buffer;
}

/** The bytes of `buffer`, through a staging buffer destroyed afterwards. */
export async function readBack(
  device: GPUDevice,
  buffer: GPUBuffer,
  size = buffer.size,
): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ label: 'kv test staging', size, usage: 0x1 | 0x8 });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x1);
  const copy = staging.getMappedRange().slice(0);
  staging.destroy();
  return copy;
}

/** Uploads a cache as GPU buffers shaped `[1, kvHeads, seq, headDim]` per layer. */
export function uploadCache(
  device: GPUDevice,
  cache: Float32Array[][],
  storage: KvStorage,
): KvLayerBuffers[] {
  return cache.map(([k, v], l) => ({
    key: upload(device, k!, storage, `kv test/${l}/key`),
    value: upload(device, v!, storage, `kv test/${l}/value`),
  }));
}

/** Prunes on the GPU and compares with `pruneReference`; destroys every buffer it made. */
export async function compareWithReference(
  device: GPUDevice,
  rope: RopeSpec,
  storage: KvStorage,
  shape: KvShape,
  options: PruneOptions,
  seed: number,
): Promise<KvComparison> {
  const cache = seededCache(shape, storage, seed);
  const want = pruneReference(
    cache.map(([key, value]) => ({ key: key!, value: value! })),
    shape,
    options,
    rope,
  );
  const pruner = await KvPruner.create(device, { rope, storage });
  const inputs = uploadCache(device, cache, storage);
  const got = await pruner.prune(inputs, shape, options);
  let valuesExact = true;
  let maxKeyError = 0;
  const n = shape.kvHeads * got.keep * shape.headDim;
  for (const [l, layer] of got.layers.entries()) {
    const key = decode(await readBack(device, layer.key), storage, n);
    const value = decode(await readBack(device, layer.value), storage, n);
    const ref = want.layers[l];
    if (!ref || ref.key.length !== n) {
      valuesExact = false;
      continue;
    }
    for (let i = 0; i < n; i++) {
      if (!Object.is(value[i], ref.value[i])) valuesExact = false;
    }
    maxKeyError = Math.max(maxKeyError, keyError(key, ref.key, rope, shape.headDim));
  }
  // Kept slots are not an output of the pruner; they show in the values, which are distinct.
  const sameKept = got.keep === want.keep && valuesExact;
  for (const layer of [...inputs, ...got.layers]) {
    layer.key.destroy();
    layer.value.destroy();
  }
  pruner.destroy();
  const what = `${storage} ${options.policy.kind} ${options.rotation ?? 'shift'} keep=${options.keep}`;
  return { what, keep: got.keep, wantKeep: want.keep, sameKept, valuesExact, maxKeyError };
}

function decode(bytes: ArrayBuffer, storage: KvStorage, n: number): Float64Array {
  if (storage === 'f32') return Float64Array.from(new Float32Array(bytes, 0, n));
  return Float64Array.from(new Uint16Array(bytes, 0, n), fromHalf);
}

function keyError(got: Float64Array, want: Float64Array, rope: RopeSpec, headDim: number): number {
  let worst = 0;
  for (let t = 0; t < got.length / headDim; t++) {
    for (let d = 0; d < headDim; d++) {
      const i = t * headDim + d;
      const partner = d >= rope.rotaryDim ? d : partnerOf(rope, d);
      const scale = Math.hypot(want[i]!, want[t * headDim + partner]!) || 1;
      worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
    }
  }
  return worst;
}

function partnerOf(rope: RopeSpec, d: number): number {
  const half = rope.rotaryDim / 2;
  if (rope.layout === 'interleaved') return d ^ 1;
  return d < half ? d + half : d - half;
}
