/**
 * The float64 TypeScript twin of the KV kernels: scoring, exact selection of S' per (layer,
 * head), and gather with re-rotation. It is the oracle the WGSL is checked against and the
 * path used where there is no GPU.
 */
import {
  checkPrune,
  isProtected,
  type CheckedPrune,
  type KvPolicy,
  type KvShape,
  type PruneOptions,
} from './policy.js';
import { rotateKey, type RopeSpec } from './rope.js';

/** One layer's keys and values, `[kvHeads, seq, headDim]` flattened. */
export interface LayerArrays {
  readonly key: ArrayLike<number>;
  readonly value: ArrayLike<number>;
}

/** What a prune produced. */
export interface PrunedArrays {
  /** Tokens kept per (layer, head): S'. */
  readonly keep: number;
  /** Per layer, `kvHeads × keep` kept slot indices, ascending within each head. */
  readonly kept: Uint32Array[];
  /** Per layer, the new keys and values `[kvHeads, keep, headDim]`. */
  readonly layers: { key: Float64Array; value: Float64Array }[];
}

/**
 * Scores of one head's `seq` keys under `policy` (base policies only; a threshold scores with
 * its `of`). `accumulated` reads `scores` at `row * seq`.
 *
 * @example
 * scoreHead({ kind: 'knorm' }, keys, 0, 0, 128, 64); // -‖k‖ of each of 128 keys
 */
export function scoreHead(
  policy: KvPolicy,
  keys: ArrayLike<number>,
  from: number,
  row: number,
  seq: number,
  headDim: number,
): Float64Array {
  const base = policy.kind === 'threshold' ? policy.of : policy;
  const out = new Float64Array(seq);
  if (base.kind === 'streaming') return out.map((_, i) => i);
  if (base.kind === 'accumulated') {
    // pruneReference narrows the policy to one layer, so scores[0] is this layer's.
    const layer = base.scores[0]!;
    return out.map((_, i) => layer[row * seq + i]!);
  }
  const norms = new Float64Array(seq);
  for (let i = 0; i < seq; i++) {
    let sum = 0;
    for (let d = 0; d < headDim; d++) sum += keys[from + i * headDim + d]! ** 2;
    norms[i] = Math.sqrt(sum);
  }
  if (base.kind === 'knorm') return norms.map((n) => -n);
  // KeyDiff: the mean of unit keys; a zero key counts as zero rather than NaN.
  const mean = new Float64Array(headDim);
  for (let i = 0; i < seq; i++) {
    const n = norms[i]!;
    if (n === 0) continue;
    for (let d = 0; d < headDim; d++) mean[d]! += keys[from + i * headDim + d]! / n / seq;
  }
  const meanNorm = Math.sqrt(mean.reduce((s, x) => s + x * x, 0));
  for (let i = 0; i < seq; i++) {
    let dot = 0;
    for (let d = 0; d < headDim; d++) dot += keys[from + i * headDim + d]! * mean[d]!;
    const denominator = norms[i]! * meanNorm;
    out[i] = denominator === 0 ? 0 : -dot / denominator;
  }
  return out;
}

/**
 * The `keep` slots of one row to keep: sinks and window first, then the highest scores, ties
 * to the lower slot, NaN lowest; returned in ascending (original) order.
 *
 * @example
 * selectRow(Float64Array.of(0, 5, 1, 5, 2, 0), 3, 1, 1); // [0, 1, 5]
 */
export function selectRow(
  scores: ArrayLike<number>,
  keep: number,
  sinks: number,
  window: number,
): Uint32Array {
  const seq = scores.length;
  const rank = (i: number) => {
    if (isProtected(i, seq, sinks, window)) return Infinity;
    const s = scores[i]!;
    return Number.isNaN(s) ? -Infinity : s;
  };
  const order = Array.from({ length: seq }, (_, i) => i);
  order.sort((a, b) => rank(b) - rank(a) || a - b);
  return Uint32Array.from(order.slice(0, keep)).sort();
}

/**
 * S' for a threshold policy: per row, the protected slots plus the others scoring above the
 * threshold; then the most any row wants, clamped to [sinks + window, keep].
 */
export function thresholdKeep(counts: Iterable<number>, checked: CheckedPrune): number {
  let most = checked.sinks + checked.window;
  for (const c of counts) most = Math.max(most, c);
  return Math.min(most, checked.keep);
}

/** Rows' counts of slots a threshold keeps, for `thresholdKeep`. */
export function thresholdCount(
  scores: ArrayLike<number>,
  threshold: number,
  sinks: number,
  window: number,
): number {
  let count = 0;
  for (let i = 0; i < scores.length; i++) {
    if (isProtected(i, scores.length, sinks, window) || scores[i]! > threshold) count++;
  }
  return count;
}

/** The rotation each kept key gets: one δ for all under `'shift'`, per slot under `'compact'`. */
export function rotationDelta(
  checked: CheckedPrune,
  seq: number,
  keep: number,
  slot: number,
  source: number,
): number {
  if (checked.rotation === 'none') return 0;
  return checked.rotation === 'shift' ? keep - seq : slot - source;
}

/**
 * Prunes a whole cache in float64: every layer and head keeps exactly S' tokens in order,
 * keys re-rotated with `rope`. Inputs are not modified.
 *
 * @example
 * const out = pruneReference(layers, { layers: 2, kvHeads: 2, seq: 64, headDim: 8 },
 *   { keep: 24, policy: { kind: 'knorm' } }, rope);
 */
export function pruneReference(
  layers: readonly LayerArrays[],
  shape: KvShape,
  options: PruneOptions,
  rope: RopeSpec,
): PrunedArrays {
  const checked = checkPrune(shape, options);
  const { kvHeads, seq, headDim } = shape;
  const scores = layers.map((layer, l) =>
    Array.from({ length: kvHeads }, (_, h) => {
      const policy = layerPolicy(checked.policy, l);
      return scoreHead(policy, layer.key, h * seq * headDim, h, seq, headDim);
    }),
  );
  let keep = checked.keep;
  if (checked.policy.kind === 'threshold') {
    const { threshold } = checked.policy;
    const counts = scores
      .flat()
      .map((row) => thresholdCount(row, threshold, checked.sinks, checked.window));
    keep = thresholdKeep(counts, checked);
  }
  const kept: Uint32Array[] = [];
  const out: { key: Float64Array; value: Float64Array }[] = [];
  layers.forEach((layer, l) => {
    const indices = new Uint32Array(kvHeads * keep);
    const key = new Float64Array(kvHeads * keep * headDim);
    const value = new Float64Array(kvHeads * keep * headDim);
    for (let h = 0; h < kvHeads; h++) {
      const row = selectRow(scores[l]![h]!, keep, checked.sinks, checked.window);
      indices.set(row, h * keep);
      row.forEach((source, slot) => {
        const from = (h * seq + source) * headDim;
        const to = (h * keep + slot) * headDim;
        for (let d = 0; d < headDim; d++) value[to + d] = layer.value[from + d]!;
        rotateKey(rope, layer.key, from, rotationDelta(checked, seq, keep, slot, source), key, to);
      });
    }
    kept.push(indices);
    out.push({ key, value });
  });
  return { keep, kept, layers: out };
}

/** The policy as it applies to layer `l`: accumulated scores narrowed to that layer. */
function layerPolicy(policy: KvPolicy, l: number): KvPolicy {
  const narrow = (p: KvPolicy): KvPolicy =>
    p.kind === 'accumulated' ? { kind: 'accumulated', scores: [p.scores[l]!] } : p;
  return policy.kind === 'threshold'
    ? { ...policy, of: narrow(policy.of) as typeof policy.of }
    : narrow(policy);
}
