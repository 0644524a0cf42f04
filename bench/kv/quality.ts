/**
 * Quality proxies of each policy on synthetic attention, in float64: how much of the full
 * cache's attention mass the kept tokens carry for probe queries, and how far the attention
 * output over the kept tokens is from the output over all of them. Synthetic data says how
 * policies behave on this data, nothing about a real model; the KL divergence of a real
 * model's next turn needs weights this machine cannot download.
 */
import type { KvPolicy } from '../../src/kv/policy.js';
import { pruneReference } from '../../src/kv/reference.js';
import type { RopeSpec } from '../../src/kv/rope.js';

/** One policy at one compression. */
export interface QualityRow {
  readonly policy: string;
  readonly compression: number;
  /** Tokens kept (a threshold may keep fewer than the budget). */
  readonly kept: number;
  /** Mean over probe queries of the attention mass on kept tokens (1 = all of it). */
  readonly massKept: number;
  /** Mean over probes of ‖o_kept − o_full‖ / ‖o_full‖. */
  readonly outputError: number;
}

function gaussianSource(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * A head of `seq` keys and values of `dim`: keys share a bias direction (as trained keys do),
 * about 5% of tokens lean towards a topic direction that queries also lean towards (1%
 * strongly), and the first 4 tokens act as sinks (strongly along the shared bias). Queries: `past` earlier ones (what an
 * accumulated score is built from) and `probes` later ones (what quality is measured on).
 */
function synthetic(seq: number, dim: number, seed: number) {
  const g = gaussianSource(seed);
  const unit = () => {
    const v = Float64Array.from({ length: dim }, g);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const bias = unit();
  const topic = unit();
  const keys = new Float64Array(seq * dim);
  const values = new Float64Array(seq * dim);
  for (let i = 0; i < seq; i++) {
    // ~5% of tokens matter to the queries, 1% a lot; sinks are aligned with the query bias.
    const roll = g();
    const lean = i < 4 ? 0 : roll > 2.326 ? 10 : roll > 1.645 ? 5 : 0;
    const sink = i < 4 ? 6 : 0;
    for (let d = 0; d < dim; d++) {
      keys[i * dim + d] = g() + (2 + sink) * bias[d]! + lean * topic[d]!;
      values[i * dim + d] = g();
    }
  }
  const query = () =>
    Float64Array.from({ length: dim }, (_, d) => g() + 1.5 * topic[d]! + bias[d]!);
  return {
    keys,
    values,
    past: Array.from({ length: 32 }, query),
    probes: Array.from({ length: 16 }, query),
  };
}

function attention(
  q: Float64Array,
  keys: Float64Array,
  dim: number,
  slots: ArrayLike<number>,
): Float64Array {
  const logits = Float64Array.from({ length: slots.length }, (_, j) => {
    let s = 0;
    const at = slots[j]! * dim;
    for (let d = 0; d < dim; d++) s += q[d]! * keys[at + d]!;
    return s / Math.sqrt(dim);
  });
  const top = Math.max(...logits);
  const weights = logits.map((x) => Math.exp(x - top));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

// Rotation does not change attention within one prune's view; 'none' skips it.
const NO_ROPE: RopeSpec = {
  headDim: 64,
  rotaryDim: 64,
  layout: 'rotate-half',
  invFreq: new Float64Array(32),
};

/** Quality of every policy at every compression on one synthetic head. */
export function measureQuality(seq = 2048, dim = 64, sinks = 4, window = 64): QualityRow[] {
  const { keys, values, past, probes } = synthetic(seq, dim, 7);
  const all = Uint32Array.from({ length: seq }, (_, i) => i);
  // H2O-style: attention the earlier queries paid to each slot, summed.
  const accumulated = new Float32Array(seq);
  for (const q of past) attention(q, keys, dim, all).forEach((w, i) => (accumulated[i]! += w));
  const sorted = Float64Array.from(accumulated).sort();
  const policies: [string, KvPolicy][] = [
    ['streaming', { kind: 'streaming' }],
    ['knorm', { kind: 'knorm' }],
    ['keydiff', { kind: 'keydiff' }],
    ['accumulated', { kind: 'accumulated', scores: [accumulated] }],
  ];
  const rows: QualityRow[] = [];
  for (const compression of [2, 4, 8]) {
    const keep = Math.floor(seq / compression);
    // The threshold that about `keep` slots pass: the rule of the seed, equalized.
    const threshold = sorted[seq - keep]!;
    const each: [string, KvPolicy][] = [
      ...policies,
      [
        'threshold',
        { kind: 'threshold', threshold, of: { kind: 'accumulated', scores: [accumulated] } },
      ],
    ];
    for (const [name, policy] of each) {
      // Through the whole reference prune, so a threshold's count is what a prune would keep.
      const cache = [{ key: keys, value: values }];
      const shape = { layers: 1, kvHeads: 1, seq, headDim: dim };
      const options = { keep, policy, sinks, window, rotation: 'none' as const };
      const kept = pruneReference(cache, shape, options, NO_ROPE).kept[0]!;
      let mass = 0;
      let error = 0;
      for (const q of probes) {
        const full = attention(q, keys, dim, all);
        const part = attention(q, keys, dim, kept);
        kept.forEach((slot) => (mass += full[slot]! / probes.length));
        const diff = new Float64Array(dim);
        const norm = new Float64Array(dim);
        full.forEach((w, i) => {
          for (let d = 0; d < dim; d++) norm[d]! += w * values[i * dim + d]!;
        });
        part.forEach((w, j) => {
          for (let d = 0; d < dim; d++) diff[d]! += w * values[kept[j]! * dim + d]!;
        });
        error +=
          Math.hypot(...diff.map((x, d) => x - norm[d]!)) / Math.hypot(...norm) / probes.length;
      }
      rows.push({
        policy: name,
        compression,
        kept: kept.length,
        massKept: mass,
        outputError: error,
      });
    }
  }
  return rows;
}
