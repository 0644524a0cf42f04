import { describe, expect, it } from 'vitest';
import { MemoryError } from '../errors.js';
import { random } from '../../test/data.js';
import type { KvPolicy, KvShape, Rotation } from './policy.js';
import { pruneReference, selectRow } from './reference.js';
import { applyRope, ropeFromConfig, type RopeSpec } from './rope.js';

const LLAMA = { model_type: 'llama', hidden_size: 64, num_attention_heads: 8, rope_theta: 10000 };

function specs(): [string, RopeSpec][] {
  return [
    ['rotate-half', ropeFromConfig(LLAMA)],
    ['interleaved', ropeFromConfig({ ...LLAMA, model_type: 'gptj', rotary_dim: 6 })],
    ['partial', ropeFromConfig({ ...LLAMA, partial_rotary_factor: 0.5 })],
    [
      'llama3',
      ropeFromConfig({
        ...LLAMA,
        rope_theta: 500000,
        rope_scaling: { rope_type: 'llama3', factor: 8, original_max_position_embeddings: 64 },
      }),
    ],
    [
      'yarn',
      ropeFromConfig({
        ...LLAMA,
        rope_scaling: { type: 'yarn', factor: 4, original_max_position_embeddings: 32 },
      }),
    ],
  ];
}

/** A cache whose keys carry RoPE for their slot, as a fresh model's would. */
function cache(shape: KvShape, rope: RopeSpec, seed: number) {
  const rand = random(seed);
  const { kvHeads, seq, headDim } = shape;
  const raw = () => Array.from({ length: headDim }, () => rand() * 2 - 1);
  return Array.from({ length: shape.layers }, () => {
    const key = new Float64Array(kvHeads * seq * headDim);
    const value = new Float64Array(kvHeads * seq * headDim);
    for (let h = 0; h < kvHeads; h++) {
      for (let i = 0; i < seq; i++) {
        key.set(applyRope(rope, raw(), i), (h * seq + i) * headDim);
        value.set(raw(), (h * seq + i) * headDim);
      }
    }
    return { key, value, raw };
  });
}

const POLICIES = (shape: KvShape, seed: number): KvPolicy[] => {
  const rand = random(seed);
  const scores = Array.from({ length: shape.layers }, () =>
    Float32Array.from({ length: shape.kvHeads * shape.seq }, () => Math.floor(rand() * 8)),
  );
  return [
    { kind: 'streaming' },
    { kind: 'knorm' },
    { kind: 'keydiff' },
    { kind: 'accumulated', scores },
    { kind: 'threshold', threshold: 5, of: { kind: 'accumulated', scores } },
  ];
};

describe('pruneReference', () => {
  it('keeping everything with shift 0 is the identity', () => {
    for (const [name, rope] of specs()) {
      const shape = { layers: 2, kvHeads: 2, seq: 20, headDim: 8 };
      const layers = cache(shape, rope, 1);
      // A threshold below every score keeps everything too.
      const policies = POLICIES(shape, 2).map((p) =>
        p.kind === 'threshold' ? { ...p, threshold: -1 } : p,
      );
      for (const policy of policies) {
        const out = pruneReference(layers, shape, { keep: 20, policy, sinks: 2, window: 3 }, rope);
        expect(out.keep, name).toBe(20);
        out.layers.forEach((l, i) => {
          expect(Array.from(l.key)).toEqual(Array.from(layers[i]!.key));
          expect(Array.from(l.value)).toEqual(Array.from(layers[i]!.value));
          expect(Array.from(out.kept[i]!)).toEqual([...Array(40).keys()].map((j) => j % 20));
        });
      }
    }
  });

  it('keeps exactly S per row, in order, with sinks and window, for every policy', () => {
    const rand = random(3);
    for (let trial = 0; trial < 40; trial++) {
      const seq = 8 + Math.floor(rand() * 60);
      const sinks = Math.floor(rand() * 5);
      const window = Math.floor(rand() * 6);
      const keep = sinks + window + Math.floor(rand() * (seq - sinks - window + 1));
      const shape = { layers: 2, kvHeads: 3, seq, headDim: 8 };
      const rope = specs()[trial % 5]![1];
      const layers = cache(shape, rope, trial);
      for (const policy of POLICIES(shape, trial)) {
        const out = pruneReference(layers, shape, { keep, policy, sinks, window }, rope);
        if (policy.kind !== 'threshold') expect(out.keep).toBe(keep);
        expect(out.keep).toBeLessThanOrEqual(keep);
        for (const kept of out.kept) {
          expect(kept.length).toBe(shape.kvHeads * out.keep);
          for (let h = 0; h < shape.kvHeads; h++) {
            const row = Array.from(kept.subarray(h * out.keep, (h + 1) * out.keep));
            for (let j = 1; j < row.length; j++) expect(row[j]).toBeGreaterThan(row[j - 1]!);
            for (let i = 0; i < Math.min(sinks, seq); i++) expect(row).toContain(i);
            for (let i = Math.max(0, seq - window); i < seq; i++) expect(row).toContain(i);
          }
        }
      }
    }
  });

  it('equalizes a threshold to the most any row wants', () => {
    const shape = { layers: 1, kvHeads: 2, seq: 10, headDim: 2 };
    const scores = [Float32Array.of(0, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0)];
    const rope = ropeFromConfig({ ...LLAMA, hidden_size: 16 });
    const layers = cache(shape, rope, 4);
    const policy: KvPolicy = {
      kind: 'threshold',
      threshold: 5,
      of: { kind: 'accumulated', scores },
    };
    const out = pruneReference(layers, shape, { keep: 8, policy, sinks: 1, window: 1 }, rope);
    expect(out.keep).toBe(5);
    expect(Array.from(out.kept[0]!)).toEqual([0, 1, 2, 3, 9, 0, 1, 2, 3, 9]);
  });

  it('breaks ties to the lower slot and ranks NaN lowest', () => {
    expect(Array.from(selectRow([0, 5, 1, 5, 2, 0], 3, 1, 1))).toEqual([0, 1, 5]);
    expect(Array.from(selectRow([0, NaN, 1, 1, 0], 3, 0, 0))).toEqual([0, 2, 3]);
  });

  for (const rotation of ['shift', 'compact'] as Rotation[]) {
    it(`${rotation}: keys read as if written at their new positions`, () => {
      for (const [name, rope] of specs()) {
        const shape = { layers: 1, kvHeads: 2, seq: 48, headDim: 8 };
        const layers = cache(shape, rope, 7);
        const out = pruneReference(
          layers,
          shape,
          { keep: 20, policy: { kind: 'knorm' }, rotation },
          rope,
        );
        const q = applyRope(rope, [0.3, -0.2, 0.9, 0.1, -0.7, 0.5, 0.2, -0.4], 0);
        const before = (pos: number) => applyRope(rope, q, pos);
        for (let h = 0; h < 2; h++) {
          for (let j = 0; j < out.keep; j++) {
            const src = out.kept[0]![h * 20 + j]!;
            const k = layers[0]!.key.subarray((h * 48 + src) * 8, (h * 48 + src + 1) * 8);
            const k2 = out.layers[0]!.key.subarray((h * 20 + j) * 8, (h * 20 + j + 1) * 8);
            // Shift: the new token at S' sees every kept key at its old distance S - src.
            // Compact: the kept key sits at its new slot j, as if written there.
            const want =
              rotation === 'shift'
                ? dot(before(48), k)
                : dot(before(20), shiftKey(rope, k, j - src));
            expect(dot(before(20), k2), `${name} h${h} j${j}`).toBeCloseTo(want, 12);
          }
        }
      }
    });
  }

  it('refuses a budget smaller than sinks + window, and bad scores', () => {
    const rope = ropeFromConfig(LLAMA);
    const shape = { layers: 1, kvHeads: 1, seq: 32, headDim: 8 };
    const layers = cache(shape, rope, 1);
    const bad = (options: Parameters<typeof pruneReference>[2]) => {
      expect(() => pruneReference(layers, shape, options, rope)).toThrow(MemoryError);
    };
    bad({ keep: 10, policy: { kind: 'knorm' }, sinks: 4, window: 8 });
    bad({ keep: 33, policy: { kind: 'knorm' } });
    bad({ keep: 20, policy: { kind: 'accumulated', scores: [new Float32Array(3)] } });
    bad({ keep: 20, policy: { kind: 'nope' } as unknown as KvPolicy });
  });
});

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function shiftKey(rope: RopeSpec, k: ArrayLike<number>, delta: number): Float64Array {
  return applyRope(rope, k, delta);
}
