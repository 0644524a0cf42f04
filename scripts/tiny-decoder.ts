/**
 * Writes a tiny random Llama-style decoder as ONNX, with the files transformers.js loads
 * (config.json, generation_config.json, onnx/model.onnx), for the KV pruning tests: 2 layers,
 * 4 query and 2 KV heads of 16 (GroupQueryAttention on the CPU wants multiples of 16), rotate-half RoPE, no norms or MLP (attention is what pruning
 * touches). Two variants: `plain` (RoPE and attention from standard ops, positions from
 * position_ids) and `gqa` (com.microsoft GroupQueryAttention, positions from the mask).
 * Pure (no file system): the browser check page imports the weights from here too;
 * scripts/write-tiny-decoder.ts writes the files.
 */
import {
  DType,
  writeModel,
  type Initializer,
  type OnnxNode,
  type ValueInfo,
} from './onnx-writer.js';

/** The model's sizes. */
export const TINY = {
  layers: 2,
  hidden: 64,
  heads: 4,
  kvHeads: 2,
  headDim: 16,
  vocab: 64,
  theta: 10000,
  maxPositions: 256,
} as const;

/** Which attention the graph uses. */
export type TinyVariant = 'plain' | 'gqa';

/** Weights as f32 values, row-major `[in, out]`. */
export interface TinyWeights {
  embed: Float32Array;
  layers: { q: Float32Array; k: Float32Array; v: Float32Array; o: Float32Array }[];
  head: Float32Array;
}

/** Seeded weights, the same in the script, the Node tests and the browser page. */
export function tinyWeights(seed = 1234): TinyWeights {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const matrix = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const { hidden, kvHeads, headDim, vocab } = TINY;
  return {
    embed: matrix(vocab * hidden, 1),
    layers: Array.from({ length: TINY.layers }, () => ({
      q: matrix(hidden * hidden, 0.6),
      k: matrix(hidden * kvHeads * headDim, 0.6),
      v: matrix(hidden * kvHeads * headDim, 0.6),
      o: matrix(hidden * hidden, 0.3),
    })),
    head: matrix(hidden * vocab, 0.05),
  };
}

/** RoPE frequencies of the model, float64. */
export function tinyInvFreq(): Float64Array {
  const half = TINY.headDim / 2;
  return Float64Array.from({ length: half }, (_, i) => 1 / TINY.theta ** ((2 * i) / TINY.headDim));
}

/** The Hugging Face config transformers.js reads. */
export function tinyConfig(variant: TinyVariant): Record<string, unknown> {
  return {
    model_type: 'llama',
    architectures: ['LlamaForCausalLM'],
    hidden_size: TINY.hidden,
    num_attention_heads: TINY.heads,
    num_key_value_heads: TINY.kvHeads,
    head_dim: TINY.headDim,
    num_hidden_layers: TINY.layers,
    vocab_size: TINY.vocab,
    rope_theta: TINY.theta,
    max_position_embeddings: TINY.maxPositions,
    bos_token_id: 0,
    // Outside the vocabulary: greedy decoding never stops early.
    eos_token_id: TINY.vocab,
    'transformers.js_config': { dtype: 'fp32', kv_cache_dtype: 'float32' },
    memkeeper_variant: variant,
  };
}

const f32 = (name: string, dims: number[], data: Float32Array): Initializer => ({
  name,
  dims,
  type: DType.float,
  data,
});
const i64 = (name: string, values: number[]): Initializer => ({
  name,
  dims: [values.length],
  type: DType.int64,
  data: BigInt64Array.from(values.map(BigInt)),
});
const scalar64 = (name: string, value: number): Initializer => ({
  name,
  dims: [],
  type: DType.int64,
  data: BigInt64Array.of(BigInt(value)),
});
const scalarF = (name: string, value: number): Initializer => ({
  name,
  dims: [],
  type: DType.float,
  data: Float32Array.of(value),
});

/** Appends a node and returns its first output. */
type Add = (
  op: string,
  inputs: string[],
  outputs: string | string[],
  attributes?: OnnxNode['attributes'],
  domain?: string,
) => string;

/** The ONNX bytes of one variant. */
export function tinyModel(variant: TinyVariant, weights = tinyWeights()): Uint8Array {
  const { hidden, kvHeads, headDim, vocab } = TINY;
  const nodes: OnnxNode[] = [];
  const add: Add = (op, inputs, outputs, attributes, domain) => {
    const list = typeof outputs === 'string' ? [outputs] : outputs;
    nodes.push({ op, inputs, outputs: list, attributes, domain });
    return list[0]!;
  };
  const inits: Initializer[] = [
    f32('embed', [vocab, hidden], weights.embed),
    f32('lm_head', [hidden, vocab], weights.head),
    i64('ax1', [1]),
    i64('ax2', [2]),
    i64('ax12', [1, 2]),
    i64('ax123', [1, 2, 3]),
    i64('split4', [headDim / 2, headDim / 2]),
    i64('qshape5', [0, 0, kvHeads, TINY.heads / kvHeads, headDim]),
    i64('kvshape4', [0, 0, kvHeads, headDim]),
    i64('hshape', [0, 0, hidden]),
    scalar64('zero', 0),
    scalar64('one', 1),
    scalarF('onef', 1),
    scalarF('neg', -1e9),
    scalarF('zerof', 0),
    scalarF('scale', 1 / Math.sqrt(headDim)),
  ];
  const inputs: ValueInfo[] = [
    { name: 'input_ids', type: DType.int64, dims: ['batch_size', 'sequence_length'] },
    { name: 'attention_mask', type: DType.int64, dims: ['batch_size', 'total_sequence_length'] },
  ];
  if (variant === 'plain') {
    inputs.push({
      name: 'position_ids',
      type: DType.int64,
      dims: ['batch_size', 'sequence_length'],
    });
  }
  const outputs: ValueInfo[] = [
    { name: 'logits', type: DType.float, dims: ['batch_size', 'sequence_length', vocab] },
  ];
  if (variant === 'plain') plainShared(add, inits);
  else gqaShared(add, inits);
  let x = add('Gather', ['embed', 'input_ids'], 'x0');
  weights.layers.forEach((w, l) => {
    const past = (kind: string) => `past_key_values.${l}.${kind}`;
    const present = (kind: string) => `present.${l}.${kind}`;
    for (const kind of ['key', 'value']) {
      const cache = ['batch_size', kvHeads, 'past_sequence_length', headDim];
      inputs.push({ name: past(kind), type: DType.float, dims: cache });
      const grown = ['batch_size', kvHeads, 'total_sequence_length', headDim];
      outputs.push({ name: present(kind), type: DType.float, dims: grown });
    }
    inits.push(
      f32(`wq${l}`, [hidden, hidden], w.q),
      f32(`wk${l}`, [hidden, kvHeads * headDim], w.k),
      f32(`wv${l}`, [hidden, kvHeads * headDim], w.v),
      f32(`wo${l}`, [hidden, hidden], w.o),
    );
    const q = add('MatMul', [x, `wq${l}`], `q${l}`);
    const k = add('MatMul', [x, `wk${l}`], `k${l}`);
    const v = add('MatMul', [x, `wv${l}`], `v${l}`);
    const cache = [past('key'), past('value'), present('key'), present('value')] as const;
    const attended =
      variant === 'plain'
        ? plainAttention(add, l, q, k, v, cache)
        : add(
            'GroupQueryAttention',
            [q, k, v, cache[0], cache[1], 'seqlens_k', 'total_len', 'cos_cache', 'sin_cache'],
            [`att${l}`, cache[2], cache[3]],
            { num_heads: TINY.heads, kv_num_heads: kvHeads, do_rotary: 1, rotary_interleaved: 0 },
            'com.microsoft',
          );
    const projected = add('MatMul', [attended, `wo${l}`], `proj${l}`);
    x = add('Add', [x, projected], `x${l + 1}`);
  });
  add('MatMul', [x, 'lm_head'], 'logits');
  return writeModel({ nodes, initializers: inits, inputs, outputs });
}

/**
 * cos/sin of the positions in f32, `[b, 1, 1, s, d]` for queries and `[b, 1, s, d]` for keys,
 * and the attention bias: causal over slots plus the padding mask.
 */
function plainShared(add: Add, inits: Initializer[]): void {
  // Looked up from float64 tables rather than Cos/Sin of f32 angles: WGSL's sin and cos lose
  // about 1e-3 at angles of tens of radians, which would swamp what the tests measure.
  const { headDim, maxPositions } = TINY;
  const cosTable = new Float32Array(maxPositions * headDim);
  const sinTable = new Float32Array(maxPositions * headDim);
  const freq = tinyInvFreq();
  for (let p = 0; p < maxPositions; p++) {
    for (let d = 0; d < headDim; d++) {
      cosTable[p * headDim + d] = Math.cos(p * freq[d % (headDim / 2)]!);
      sinTable[p * headDim + d] = Math.sin(p * freq[d % (headDim / 2)]!);
    }
  }
  inits.push(
    f32('cos_table', [maxPositions, headDim], cosTable),
    f32('sin_table', [maxPositions, headDim], sinTable),
  );
  const cos = add('Gather', ['cos_table', 'position_ids'], 'cos');
  const sin = add('Gather', ['sin_table', 'position_ids'], 'sin');
  add('Unsqueeze', [cos, 'ax1'], 'cos_k');
  add('Unsqueeze', [sin, 'ax1'], 'sin_k');
  add('Unsqueeze', [cos, 'ax12'], 'cos_q');
  add('Unsqueeze', [sin, 'ax12'], 'sin_q');
  // New token i (of s) sees slots j <= past + i, whatever positions the slots hold.
  const total = add('Gather', [add('Shape', ['attention_mask'], 'mask_shape'), 'one'], 'total');
  const seq = add('Gather', [add('Shape', ['input_ids'], 'ids_shape'), 'one'], 'seq');
  const pastLen = add('Sub', [total, seq], 'past_len');
  const keys = add('Range', ['zero', total, 'one'], 'key_slots');
  const queries = add(
    'Add',
    [add('Range', ['zero', seq, 'one'], 'query_idx'), pastLen],
    'query_slots',
  );
  const column = add('Unsqueeze', [queries, 'ax1'], 'query_col');
  const allowed = add('LessOrEqual', [keys, column], 'allowed');
  const causal = add('Where', [allowed, 'zerof', 'neg'], 'causal');
  const maskF = add('Cast', ['attention_mask'], 'mask_f', { to: DType.float });
  const padding = add('Mul', [add('Sub', ['onef', maskF], 'unmasked'), 'neg'], 'padding');
  add('Add', [causal, add('Unsqueeze', [padding, 'ax123'], 'padding5')], 'bias');
}

/** seqlens_k, the total length and the cos/sin caches GroupQueryAttention wants. */
function gqaShared(add: Add, inits: Initializer[]): void {
  const half = TINY.headDim / 2;
  const cos = new Float32Array(TINY.maxPositions * half);
  const sin = new Float32Array(TINY.maxPositions * half);
  const freq = tinyInvFreq();
  for (let p = 0; p < TINY.maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      cos[p * half + i] = Math.cos(p * freq[i]!);
      sin[p * half + i] = Math.sin(p * freq[i]!);
    }
  }
  inits.push(
    f32('cos_cache', [TINY.maxPositions, half], cos),
    f32('sin_cache', [TINY.maxPositions, half], sin),
  );
  const sum = add('ReduceSum', ['attention_mask', 'ax1'], 'mask_sum', { keepdims: 0 });
  add('Cast', [add('Sub', [sum, 'one'], 'seqlens64')], 'seqlens_k', { to: DType.int32 });
  const total = add('Gather', [add('Shape', ['attention_mask'], 'mask_shape'), 'one'], 'total64');
  add('Cast', [total], 'total_len', { to: DType.int32 });
}

/** x * cos + rotate_half(x) * sin, rotate_half(x) = concat(-x2, x1). */
function rope(add: Add, x: string, name: string, cos: string, sin: string): string {
  const [a, b] = [`${name}_a`, `${name}_b`];
  add('Split', [x, 'split4'], [a, b], { axis: -1 });
  const rotated = add('Concat', [add('Neg', [b], `${name}_nb`), a], `${name}_rh`, { axis: -1 });
  const cosPart = add('Mul', [x, cos], `${name}_c`);
  return add('Add', [cosPart, add('Mul', [rotated, sin], `${name}_s`)], `${name}_rot`);
}

function plainAttention(
  add: Add,
  l: number,
  q: string,
  k: string,
  v: string,
  [pastKey, pastValue, presentKey, presentValue]: readonly [string, string, string, string],
): string {
  // q [b, s, hidden] -> [b, kv, rep, s, d]: query head h = kv * rep + r reads KV head h / rep.
  const q5 = add('Reshape', [q, 'qshape5'], `q5r${l}`);
  const qT = add('Transpose', [q5], `q5${l}`, { perm: [0, 2, 3, 1, 4] });
  const k4 = add('Transpose', [add('Reshape', [k, 'kvshape4'], `k4r${l}`)], `k4${l}`, {
    perm: [0, 2, 1, 3],
  });
  const v4 = add('Transpose', [add('Reshape', [v, 'kvshape4'], `v4r${l}`)], `v4${l}`, {
    perm: [0, 2, 1, 3],
  });
  const qRot = rope(add, qT, `q${l}`, 'cos_q', 'sin_q');
  const kRot = rope(add, k4, `k${l}`, 'cos_k', 'sin_k');
  const keys = add('Concat', [pastKey, kRot], presentKey, { axis: 2 });
  const values = add('Concat', [pastValue, v4], presentValue, { axis: 2 });
  // [b, kv, T, d] -> [b, kv, 1, d, T]: broadcast over the query heads of each KV head.
  const kT = add('Transpose', [add('Unsqueeze', [keys, 'ax2'], `k5${l}`)], `kt${l}`, {
    perm: [0, 1, 2, 4, 3],
  });
  const v5 = add('Unsqueeze', [values, 'ax2'], `v5${l}`);
  const scores = add('Mul', [add('MatMul', [qRot, kT], `qk${l}`), 'scale'], `scores${l}`);
  const biased = add('Add', [scores, 'bias'], `biased${l}`);
  const weights = add('Softmax', [biased], `p${l}`, { axis: -1 });
  const out = add('MatMul', [weights, v5], `pv${l}`);
  const back = add('Transpose', [out], `pvt${l}`, { perm: [0, 3, 1, 2, 4] });
  return add('Reshape', [back, 'hshape'], `att${l}`);
}
