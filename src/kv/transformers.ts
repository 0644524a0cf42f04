/**
 * The transformers.js adapter: prunes a `DynamicCache` in place. On WebGPU the cache's
 * tensors stay on ORT's device: the GPU pruner reads their buffers and the new buffers come
 * back as tensors through `fromGpuBuffer`, with no copy to the CPU. On the CPU (Node's
 * onnxruntime-node, or WASM) the float64 twin prunes the tensors' arrays.
 * Nothing here imports transformers.js: the cache's own tensors supply the classes.
 */
import { check, MemoryError } from '../errors.js';
import { fromHalf, halves } from './half.js';
import type { KvPolicy, KvShape, Rotation } from './policy.js';
import type { KvLayerBuffers, KvPruner } from './pruner.js';
import { pruneReference } from './reference.js';
import type { RopeSpec } from './rope.js';

/** The part of an onnxruntime `Tensor` the adapter touches. */
interface OrtTensor {
  readonly location: string;
  readonly gpuBuffer: GPUBuffer;
  readonly constructor: {
    fromGpuBuffer(
      buffer: GPUBuffer,
      options: { dataType: string; dims: readonly number[]; dispose?: () => void },
    ): OrtTensor;
  };
}

/** The part of a transformers.js `Tensor` the adapter touches. */
export interface CacheTensor {
  readonly dims: readonly number[];
  readonly type: string;
  readonly location: string;
  readonly data: ArrayLike<number>;
  readonly ort_tensor: OrtTensor;
}

/** The part of a transformers.js `DynamicCache` the adapter touches. */
export interface KvCache {
  get_seq_length(): number;
  update(entries: Record<string, CacheTensor>): void;
}

/** How to prune a cache that has grown past its budget. */
export interface PruneCacheOptions {
  /** The most tokens per (layer, head) the cache may hold; a cache within it is left alone. */
  readonly budgetTokens: number;
  readonly policy: KvPolicy;
  /** The model's rotary settings (`ropeFromConfig(model.config)`); a pruner carries its own. */
  readonly rope?: RopeSpec;
  /** Needed for caches on the GPU: a `KvPruner` on ORT's device. */
  readonly pruner?: KvPruner;
  /** Fraction of the budget to prune down to, so pruning is not needed every token. 0.75. */
  readonly target?: number;
  readonly sinks?: number;
  readonly window?: number;
  readonly rotation?: Rotation;
}

/** What `pruneCache` did. */
export interface PruneCacheResult {
  readonly pruned: boolean;
  /** Tokens per head before and after. */
  readonly before: number;
  readonly after: number;
  /** Where the cache lives: `'gpu-buffer'` or `'cpu'`. */
  readonly location: string;
}

interface Layer {
  readonly names: [string, string];
  readonly tensors: [CacheTensor, CacheTensor];
}

/**
 * Prunes `cache` to `target × budgetTokens` tokens per (layer, head) once it holds more than
 * `budgetTokens`, and hands the new tensors to `cache.update()`. Every check runs first; on
 * any error the cache is as it was.
 *
 * @example
 * const pruner = await KvPruner.create(await env.backends.onnx.webgpu.device, { rope });
 * await pruneCache(cache, { budgetTokens: 2048, policy: { kind: 'knorm' }, pruner });
 */
export async function pruneCache(
  cache: KvCache,
  options: PruneCacheOptions,
): Promise<PruneCacheResult> {
  const { layers, shape, location, type } = readCache(cache);
  check(
    Number.isInteger(options.budgetTokens) && options.budgetTokens > 0,
    'budgetTokens must be a positive integer',
  );
  const target = options.target ?? 0.75;
  check(target > 0 && target <= 1, 'target must be in (0, 1]');
  const before = shape.seq;
  if (before <= options.budgetTokens) return { pruned: false, before, after: before, location };
  const prune = {
    keep: Math.floor(options.budgetTokens * target),
    policy: options.policy,
    sinks: options.sinks,
    window: options.window,
    rotation: options.rotation,
  };
  const entries: Record<string, CacheTensor> = {};
  let after: number;
  if (location === 'gpu-buffer') {
    const pruner = options.pruner;
    check(pruner, 'a cache on the GPU needs a KvPruner created on ORT’s device');
    const storage = type === 'float16' ? 'f16' : 'f32';
    check(pruner.storage === storage, `the pruner is for ${pruner.storage}, the cache ${type}`);
    const buffers = layers.map(({ tensors }, l): KvLayerBuffers => ({
      key: gpuBuffer(tensors[0], l),
      value: gpuBuffer(tensors[1], l),
    }));
    const out = await pruner.prune(buffers, shape, prune);
    after = out.keep;
    const dims = [1, shape.kvHeads, after, shape.headDim];
    out.layers.forEach(({ key, value }, l) => {
      const { names, tensors } = layers[l]!;
      entries[names[0]] = wrapGpu(tensors[0], key, dims);
      entries[names[1]] = wrapGpu(tensors[1], value, dims);
    });
  } else {
    const rope = options.rope ?? options.pruner?.rope;
    check(rope, 'pruneCache needs the model’s rope (ropeFromConfig(model.config))');
    const arrays = layers.map(({ tensors }) => ({
      key: numbers(tensors[0]),
      value: numbers(tensors[1]),
    }));
    const out = pruneReference(arrays, shape, prune, rope);
    after = out.keep;
    const dims = [1, shape.kvHeads, after, shape.headDim];
    out.layers.forEach(({ key, value }, l) => {
      const { names, tensors } = layers[l]!;
      entries[names[0]] = wrapCpu(tensors[0], key, dims);
      entries[names[1]] = wrapCpu(tensors[1], value, dims);
    });
  }
  cache.update(entries);
  return { pruned: true, before, after, location };
}

/** The cache's layers, checked: one shape, one dtype, one location, nothing released. */
function readCache(cache: KvCache): {
  layers: Layer[];
  shape: KvShape;
  location: string;
  type: string;
} {
  check(cache && typeof cache.update === 'function', 'not a DynamicCache');
  const record = cache as unknown as Record<string, CacheTensor>;
  const names = Object.keys(record).filter((n) => n.startsWith('past_'));
  const other = names.find((n) => !/^past_key_values\.\d+\.(key|value)$/.test(n));
  if (other) throw new MemoryError('UNSUPPORTED_MODEL', `a hybrid cache (${other}) is not pruned`);
  const layers: Layer[] = [];
  for (let l = 0; `past_key_values.${l}.key` in record; l++) {
    const pair: [string, string] = [`past_key_values.${l}.key`, `past_key_values.${l}.value`];
    const tensors = pair.map((n) => record[n]) as [CacheTensor, CacheTensor];
    layers.push({ names: pair, tensors });
  }
  check(
    layers.length > 0 && layers.length * 2 === names.length,
    'the cache has no key/value pairs',
  );
  const first = layers[0]!.tensors[0];
  const [batch, kvHeads, seq, headDim] = first.dims;
  for (const { names: pair, tensors } of layers) {
    tensors.forEach((t, i) => {
      const name = pair[i]!;
      check(t && t.ort_tensor, `${name} is not a tensor`);
      check(t.location !== 'none', `${name} was released (disposed)`);
      check(
        t.location === first.location,
        `${name} is on ${t.location}, others on ${first.location}`,
      );
      check(t.type === 'float32' || t.type === 'float16', `${name} is ${t.type}, not float32/16`);
      check(t.type === first.type, `${name} is ${t.type}, others ${first.type}`);
      const same = t.dims.length === 4 && t.dims.every((d, j) => d === first.dims[j]);
      check(same, `mismatched shapes across layers: ${name} is [${t.dims}], not [${first.dims}]`);
    });
  }
  check(batch === 1, `batch ${batch}: only a batch of 1 is pruned`);
  check(['gpu-buffer', 'cpu'].includes(first.location), `tensors on ${first.location}`);
  const shape = { layers: layers.length, kvHeads: kvHeads!, seq: seq!, headDim: headDim! };
  return { layers, shape, location: first.location, type: first.type };
}

function gpuBuffer(tensor: CacheTensor, layer: number): GPUBuffer {
  try {
    return tensor.ort_tensor.gpuBuffer;
  } catch (cause) {
    throw new MemoryError('BAD_INPUT', `layer ${layer}: the tensor has no GPU buffer`, { cause });
  }
}

function wrapGpu(like: CacheTensor, buffer: GPUBuffer, dims: number[]): CacheTensor {
  const ort = like.ort_tensor.constructor.fromGpuBuffer(buffer, {
    dataType: like.type,
    dims,
    dispose: () => buffer.destroy(),
  });
  const Tensor = like.constructor as new (ort: OrtTensor) => CacheTensor;
  return new Tensor(ort);
}

function numbers(tensor: CacheTensor): ArrayLike<number> {
  const data = tensor.data;
  // f16 arrives as Uint16Array bits where the runtime has no Float16Array.
  return tensor.type === 'float16' && data instanceof Uint16Array
    ? Float64Array.from(data, fromHalf)
    : data;
}

function wrapCpu(like: CacheTensor, values: Float64Array, dims: number[]): CacheTensor {
  const Tensor = like.constructor as new (
    type: string,
    data: unknown,
    dims: number[],
  ) => CacheTensor;
  const data =
    like.type === 'float32'
      ? Float32Array.from(values)
      : like.data instanceof Uint16Array
        ? halves(values)
        : new (like.data.constructor as new (v: ArrayLike<number>) => ArrayLike<number>)(values);
  return new Tensor(like.type, data, dims);
}
