/**
 * KvPruner: prunes a KV cache that lives on the GPU, on the device that owns it (ORT's, for
 * transformers.js), without copying it to the CPU: score (WGSL) → select exactly S' per
 * (layer, head) (WGSL) → gather kept values and re-rotated keys into new buffers (WGSL).
 */
import { check, MemoryError } from '../errors.js';
import { BufferUsage, MAP_READ } from '../gpu/flags.js';
import { BufferPool } from '../gpu/pool.js';
import { KvGather } from './kv-gather.js';
import { KV_PARAMS_STRIDE, writeKvParams, type KvParams } from './kv-params.js';
import { KV_MAX_HEAD_DIM, KV_SCORE_POLICY, KvScore, type KvStorage } from './kv-score.js';
import { KvSelect } from './kv-select.js';
import { checkPrune, type CheckedPrune, type KvShape, type PruneOptions } from './policy.js';
import { thresholdKeep } from './reference.js';
import type { RopeSpec } from './rope.js';

/** One layer of a cache on the GPU: keys and values, each `[1, kvHeads, seq, headDim]`. */
export interface KvLayerBuffers {
  readonly key: GPUBuffer;
  readonly value: GPUBuffer;
}

/** A pruned cache: new buffers the caller owns (and destroys), the originals untouched. */
export interface PrunedBuffers {
  /** Tokens kept per (layer, head): S'. */
  readonly keep: number;
  /** `[1, kvHeads, keep, headDim]` each, usage STORAGE | COPY_SRC | COPY_DST. */
  readonly layers: KvLayerBuffers[];
}

/** What a pruner needs to know about the model. */
export interface KvPrunerOptions {
  /** The model's rotary settings (`ropeFromConfig(model.config)`). */
  readonly rope: RopeSpec;
  /** How the cache stores elements. Default `'f32'`. */
  readonly storage?: KvStorage;
}

const OUTPUT_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
const SCRATCH = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC;

/**
 * Prunes GPU KV caches of one model on one device. Inputs are checked before any GPU work;
 * a cache that fails (another device's buffers, destroyed buffers) gets `BAD_INPUT` and is
 * left as it was, since the pruner only ever reads it.
 *
 * @example
 * const pruner = await KvPruner.create(device, { rope: ropeFromConfig(config) });
 * const out = await pruner.prune(layers, { layers: 24, kvHeads: 2, seq: 4096, headDim: 64 },
 *   { keep: 2048, policy: { kind: 'knorm' } });
 * // use out.layers, destroy the old buffers
 */
export class KvPruner {
  /** GPU bytes of scratch the last prune held at its peak (outputs not counted). */
  scratchPeak = 0;
  private destroyed = false;

  private constructor(
    readonly device: GPUDevice,
    readonly rope: RopeSpec,
    readonly storage: KvStorage,
    private readonly score: KvScore,
    private readonly select: KvSelect,
    private readonly gather: KvGather,
  ) {}

  /** Builds (or reuses) the three kernels for `storage` on `device`. */
  static async create(device: GPUDevice, options: KvPrunerOptions): Promise<KvPruner> {
    const storage = options.storage ?? 'f32';
    check(storage === 'f32' || storage === 'f16', `unknown storage "${String(storage)}"`);
    check(options.rope?.invFreq instanceof Float64Array, 'rope must come from ropeFromConfig');
    const [score, select, gather] = await Promise.all([
      KvScore.create(device, storage),
      KvSelect.create(device),
      KvGather.create(device, storage),
    ]);
    return new KvPruner(device, options.rope, storage, score, select, gather);
  }

  /** Bytes per element of the cache. */
  get elementBytes(): number {
    return this.storage === 'f16' ? 2 : 4;
  }

  /**
   * Prunes every layer to S' tokens per head. Resolves when the work is queued and checked;
   * the device's queue orders it before any later use of the new buffers.
   */
  async prune(
    layers: readonly KvLayerBuffers[],
    shape: KvShape,
    options: PruneOptions,
  ): Promise<PrunedBuffers> {
    if (this.destroyed) throw new MemoryError('DESTROYED', 'KvPruner');
    const checked = this.checkInput(layers, shape, options);
    const pool = new BufferPool(this.device, 'kv-prune');
    const outputs: GPUBuffer[] = [];
    this.device.pushErrorScope('validation');
    let result: PrunedBuffers | undefined;
    let failure: unknown;
    try {
      const scratch = this.scores(layers, shape, checked, pool);
      let keep = checked.keep;
      if (checked.policy.kind === 'threshold') {
        keep = await this.thresholdKeep(shape, checked, scratch, pool);
      }
      result = {
        keep,
        layers: this.encodeGather(layers, shape, checked, keep, scratch, pool, outputs),
      };
    } catch (error) {
      failure = error;
    }
    const error = await this.device.popErrorScope();
    this.scratchPeak = pool.peak;
    pool.destroy();
    if (result && !error) return result;
    for (const buffer of outputs) buffer.destroy();
    // A buffer of another device, or a destroyed one (a released tensor): nothing was written.
    if (error)
      throw new MemoryError(
        'BAD_INPUT',
        `the cache could not be read: its buffers belong to another device or were destroyed (${error.message})`,
        {
          cause: failure,
        },
      );
    throw failure;
  }

  /** Marks the pruner unusable; it owns no GPU memory between prunes. Idempotent. */
  destroy(): void {
    this.destroyed = true;
  }

  private checkInput(
    layers: readonly KvLayerBuffers[],
    shape: KvShape,
    options: PruneOptions,
  ): CheckedPrune {
    const checked = checkPrune(shape, options);
    check(shape.headDim <= KV_MAX_HEAD_DIM, `headDim above ${KV_MAX_HEAD_DIM}`);
    check(
      checked.rotation === 'none' || this.rope.headDim === shape.headDim,
      `the cache's headDim ${shape.headDim} is not the model's ${this.rope.headDim}`,
    );
    check(
      layers.length === shape.layers,
      `${layers.length} layers given, ${shape.layers} expected`,
    );
    const bytes = shape.kvHeads * shape.seq * shape.headDim * this.elementBytes;
    layers.forEach(({ key, value }, l) => {
      for (const buffer of [key, value]) {
        check(buffer && typeof buffer.size === 'number', `layer ${l} is missing a buffer`);
        check(buffer.size >= bytes, `layer ${l}: ${buffer.size} bytes, the shape needs ${bytes}`);
        check((buffer.usage & BufferUsage.STORAGE) !== 0, `layer ${l}: buffer lacks STORAGE usage`);
      }
    });
    return checked;
  }

  private record(shape: KvShape, checked: CheckedPrune, keep: number, l: number): KvParams {
    const { kvHeads, seq, headDim } = shape;
    const words = this.storage === 'f16' ? headDim / 2 : headDim;
    const base = checked.policy.kind === 'threshold' ? checked.policy.of : checked.policy;
    return {
      heads: kvHeads,
      seq,
      headDim,
      keep,
      sinks: checked.sinks,
      window: checked.window,
      rowBase: l * kvHeads,
      rows: l < 0 ? 0 : kvHeads,
      rotaryDim: this.rope.rotaryDim,
      interleaved: this.rope.layout === 'interleaved' ? 1 : 0,
      rotate: { none: 0, shift: 1, compact: 2 }[checked.rotation],
      threshold: checked.policy.kind === 'threshold' ? checked.policy.threshold : 0,
      policy: base.kind === 'accumulated' ? 0 : KV_SCORE_POLICY[base.kind],
      words,
      total: kvHeads * keep * words,
    };
  }

  private writeParams(shape: KvShape, checked: CheckedPrune, keep: number, params: GPUBuffer) {
    const words = new Uint32Array(((shape.layers + 1) * KV_PARAMS_STRIDE) / 4);
    for (let l = 0; l < shape.layers; l++) {
      writeKvParams(words, l, this.record(shape, checked, keep, l));
    }
    // The last record covers every layer's rows at once, for selection and counting.
    const all = { ...this.record(shape, checked, keep, 0), rows: shape.layers * shape.kvHeads };
    writeKvParams(words, shape.layers, all);
    this.device.queue.writeBuffer(params, 0, words);
  }

  private scores(
    layers: readonly KvLayerBuffers[],
    shape: KvShape,
    checked: CheckedPrune,
    pool: BufferPool,
  ): { scores: GPUBuffer; params: GPUBuffer } {
    const { kvHeads, seq } = shape;
    const params = pool.acquire(
      'params',
      (shape.layers + 1) * KV_PARAMS_STRIDE,
      SCRATCH | BufferUsage.UNIFORM,
    );
    const scores = pool.acquire('scores', shape.layers * kvHeads * seq * 4, SCRATCH);
    this.writeParams(shape, checked, checked.keep, params);
    const base = checked.policy.kind === 'threshold' ? checked.policy.of : checked.policy;
    if (base.kind === 'accumulated') {
      // The app's own scores: uploaded as they are, one layer after another.
      base.scores.forEach((s, l) =>
        this.device.queue.writeBuffer(
          scores,
          l * kvHeads * seq * 4,
          s as Float32Array<ArrayBuffer>,
        ),
      );
      return { scores, params };
    }
    const encoder = this.device.createCommandEncoder({ label: 'kv-prune score' });
    const pass = encoder.beginComputePass({ label: 'kv-prune score' });
    layers.forEach(({ key }, l) => {
      const group = this.score.bind(key, scores, params, `layer ${l}`);
      this.score.encode(pass, group, l * KV_PARAMS_STRIDE, kvHeads);
    });
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    return { scores, params };
  }

  /** S' of a threshold policy: counts per row on the GPU, one u32 a row read back. */
  private async thresholdKeep(
    shape: KvShape,
    checked: CheckedPrune,
    { scores, params }: { scores: GPUBuffer; params: GPUBuffer },
    pool: BufferPool,
  ): Promise<number> {
    const rows = shape.layers * shape.kvHeads;
    const counts = pool.acquire('counts', rows * 4, SCRATCH);
    const staging = pool.acquire('counts staging', rows * 4, MAP_READ | BufferUsage.COPY_DST);
    const encoder = this.device.createCommandEncoder({ label: 'kv-prune count' });
    const pass = encoder.beginComputePass({ label: 'kv-prune count' });
    const group = this.select.bind(scores, counts, params, 'count');
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    this.select.encode(pass, group, shape.layers * KV_PARAMS_STRIDE, rows, max, true);
    pass.end();
    encoder.copyBufferToBuffer(counts, 0, staging, 0, rows * 4);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MAP_READ);
    const keep = thresholdKeep(new Uint32Array(staging.getMappedRange(), 0, rows), checked);
    staging.unmap();
    this.writeParams(shape, checked, keep, params);
    return keep;
  }

  /** (cos, sin) rows in float64, rounded once to f32: one row per distinct turn. */
  private turns(shape: KvShape, checked: CheckedPrune, keep: number): Float32Array<ArrayBuffer> {
    const half = this.rope.rotaryDim / 2;
    const deltas =
      checked.rotation === 'compact'
        ? Array.from({ length: shape.seq - keep + 1 }, (_, r) => -r)
        : [checked.rotation === 'shift' ? keep - shape.seq : 0];
    const table = new Float32Array(deltas.length * half * 2);
    deltas.forEach((delta, r) => {
      for (let i = 0; i < half; i++) {
        const angle = delta * this.rope.invFreq[i]!;
        table[(r * half + i) * 2] = delta === 0 ? 1 : Math.cos(angle);
        table[(r * half + i) * 2 + 1] = delta === 0 ? 0 : Math.sin(angle);
      }
    });
    return table;
  }

  private encodeGather(
    layers: readonly KvLayerBuffers[],
    shape: KvShape,
    checked: CheckedPrune,
    keep: number,
    { scores, params }: { scores: GPUBuffer; params: GPUBuffer },
    pool: BufferPool,
    outputs: GPUBuffer[],
  ): KvLayerBuffers[] {
    const rows = shape.layers * shape.kvHeads;
    const kept = pool.acquire('kept', rows * keep * 4, SCRATCH);
    const table = this.turns(shape, checked, keep);
    const turns = pool.acquire('turns', table.byteLength, SCRATCH);
    this.device.queue.writeBuffer(turns, 0, table);
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    const encoder = this.device.createCommandEncoder({ label: 'kv-prune select+gather' });
    const pass = encoder.beginComputePass({ label: 'kv-prune select+gather' });
    this.select.encode(
      pass,
      this.select.bind(scores, kept, params),
      shape.layers * KV_PARAMS_STRIDE,
      rows,
      max,
    );
    const words = shape.kvHeads * keep * shape.headDim * (this.elementBytes / 4);
    const bytes = Math.ceil((words * 4) / 16) * 16; // ORT wants sizes aligned to 16
    const out = layers.map(({ key, value }, l) => {
      const outKey = this.device.createBuffer({
        label: `kv-pruned/${l}/key`,
        size: bytes,
        usage: OUTPUT_USAGE,
      });
      outputs.push(outKey);
      const outValue = this.device.createBuffer({
        label: `kv-pruned/${l}/value`,
        size: bytes,
        usage: OUTPUT_USAGE,
      });
      outputs.push(outValue);
      const group = this.gather.bind(
        { keys: key, values: value, kept, turns, outKeys: outKey, outValues: outValue, params },
        `layer ${l}`,
      );
      this.gather.encode(pass, group, l * KV_PARAMS_STRIDE, words, max);
      return { key: outKey, value: outValue };
    });
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    return out;
  }
}
