/**
 * The tiny decoder of scripts/tiny-decoder.ts in float64, one token at a time, with a cache
 * that keeps each entry's raw key and its position. Pruning drops entries per (layer, head)
 * and either keeps true positions (what re-rotation policy A must reproduce) or renumbers
 * kept entries by slot (policy B). It is the oracle the pruned ONNX model is compared with.
 */
import type { KvPolicy, Rotation } from '../src/kv/policy.js';
import { scoreHead, selectRow } from '../src/kv/reference.js';
import { applyRope, type RopeSpec } from '../src/kv/rope.js';
import { TINY, tinyInvFreq, tinyWeights, type TinyWeights } from '../scripts/tiny-decoder.js';

interface Entry {
  pos: number;
  key: Float64Array;
  value: Float64Array;
}

const ROPE: RopeSpec = {
  headDim: TINY.headDim,
  rotaryDim: TINY.headDim,
  layout: 'rotate-half',
  invFreq: tinyInvFreq(),
};

function project(x: Float64Array, w: Float32Array, out: number): Float64Array {
  const y = new Float64Array(out);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    for (let j = 0; j < out; j++) y[j]! += xi * w[i * out + j]!;
  }
  return y;
}

/** The model in float64 with its own cache; `clone()` to look ahead without changing it. */
export class TinyReference {
  /** Per layer, per KV head, the cached entries in slot order. */
  cache: Entry[][][];
  /** Position the next token gets. */
  next = 0;

  constructor(private readonly w: TinyWeights = tinyWeights()) {
    this.cache = w.layers.map(() => Array.from({ length: TINY.kvHeads }, () => []));
  }

  clone(): TinyReference {
    const copy = new TinyReference(this.w);
    copy.cache = this.cache.map((layer) => layer.map((head) => [...head]));
    copy.next = this.next;
    return copy;
  }

  /** Feeds one token; returns the logits after it. */
  feed(token: number): Float64Array {
    const { hidden, headDim, heads, kvHeads, vocab } = TINY;
    const pos = this.next++;
    let x = Float64Array.from(this.w.embed.subarray(token * hidden, (token + 1) * hidden));
    this.w.layers.forEach((lw, l) => {
      const q = project(x, lw.q, hidden);
      const k = project(x, lw.k, kvHeads * headDim);
      const v = project(x, lw.v, kvHeads * headDim);
      for (let g = 0; g < kvHeads; g++) {
        const span = [g * headDim, (g + 1) * headDim] as const;
        this.cache[l]![g]!.push({ pos, key: k.slice(...span), value: v.slice(...span) });
      }
      const attended = new Float64Array(hidden);
      for (let h = 0; h < heads; h++) {
        const qr = applyRope(ROPE, q.subarray(h * headDim, (h + 1) * headDim), pos);
        const entries = this.cache[l]![Math.floor(h / (heads / kvHeads))]!;
        const scores = entries.map((e) => {
          const kr = applyRope(ROPE, e.key, e.pos);
          let s = 0;
          for (let d = 0; d < headDim; d++) s += qr[d]! * kr[d]!;
          return s / Math.sqrt(headDim);
        });
        const top = Math.max(...scores);
        const weights = scores.map((s) => Math.exp(s - top));
        const sum = weights.reduce((a, b) => a + b, 0);
        entries.forEach((e, i) => {
          for (let d = 0; d < headDim; d++)
            attended[h * headDim + d]! += (weights[i]! / sum) * e.value[d]!;
        });
      }
      const projected = project(attended, lw.o, hidden);
      x = x.map((xi, i) => xi + projected[i]!);
    });
    return project(x, this.w.head, vocab);
  }

  /** Feeds `tokens`, then `count` greedy tokens after them; returns those and every logit row. */
  greedy(tokens: readonly number[], count: number): { tokens: number[]; logits: Float64Array[] } {
    let logits: Float64Array = new Float64Array(0);
    for (const t of tokens) logits = this.feed(t);
    const out: number[] = [];
    const rows: Float64Array[] = [logits];
    for (let i = 0; i < count; i++) {
      const next = argmax(logits);
      out.push(next);
      if (i + 1 < count) rows.push((logits = this.feed(next)));
    }
    return { tokens: out, logits: rows };
  }

  /** Keeps `keep` entries per (layer, head) as `pruneReference` would choose them. */
  prune(policy: KvPolicy, keep: number, sinks: number, window: number, rotation: Rotation): void {
    const { headDim } = TINY;
    this.cache = this.cache.map((layer) =>
      layer.map((entries) => {
        const keys = new Float64Array(entries.length * headDim);
        entries.forEach((e, i) => keys.set(applyRope(ROPE, e.key, e.pos), i * headDim));
        const scores = scoreHead(policy, keys, 0, 0, entries.length, headDim);
        const kept = Array.from(selectRow(scores, keep, sinks, window), (i) => entries[i]!);
        return rotation === 'compact' ? kept.map((e, slot) => ({ ...e, pos: slot })) : kept;
      }),
    );
    if (rotation === 'compact') this.next = keep;
  }
}

/** Index of the largest value, the lower on ties. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
