#!/usr/bin/env node
// Writes a tiny BERT-style feature-extraction model that transformers.js loads offline:
// config.json, tokenizer.json (WordPiece), tokenizer_config.json and onnx/model.onnx, all made
// here with no download. The ONNX file is encoded by hand (a dozen protobuf fields) rather than
// with a protobuf library: the schema subset is small, and the script then needs nothing.
//
// The graph is token-wise like BERT's embeddings plus one "attention-like" step that adds the
// masked mean of the sequence to every token, so that the attention mask matters inside the
// model as it does in a real encoder (padding must not change a sentence's vector):
//   x   = word_emb[input_ids] + type_emb[token_type_ids]              [b, s, H]
//   m   = float(attention_mask)[..., None]                             [b, s, 1]
//   ctx = sum(x * m, axis 1) / sum(m, axis 1)                          [b, 1, H]
//   h1  = tanh((x + ctx) @ W1 + b1);  last_hidden_state = tanh(h1 @ W2 + b2)
//
// Usage: node scripts/make-tiny-models.mjs [outDir]   (default test/models); also imported by
// the transformers embedder test, which generates the model in its setup. Output is
// deterministic (seeded weights), ~30 KB, and gitignored: it is cheaper to make than to review.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TINY_MODEL = 'tiny-bert';
export const TINY_HIDDEN = 32;

// Words of the test sentences and common English, then letters and ##letters so that any
// lowercase word tokenizes without [UNK]; digits likewise.
const WORDS =
  'the a an and or but of to in on at for with from by is am are was were be been i my me you ' +
  'your we our he she it they his her their this that what where when who how do does did not ' +
  'no yes live lives lived moved move berlin paris lisbon tokyo love like hate sushi cat dog ' +
  'name is called turing ada maria sister brother nurse teacher work works job friday monday ' +
  'weekend next last year today tomorrow answer french short keep please always never emojis ' +
  'coffee tea morning evening train city house flat hello world memory model test sentence';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const PUNCT = ['.', ',', '!', '?', "'", '-', ':', ';', '"', '(', ')'];

function vocabulary() {
  const tokens = new Set([...SPECIALS, ...PUNCT, ...WORDS.split(/\s+/)]);
  for (const c of LETTERS) tokens.add(c).add(`##${c}`);
  return Object.fromEntries([...tokens].map((t, i) => [t, i]));
}

// --- protobuf, just what ONNX needs --------------------------------------------------------

function varint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const out = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}
const concat = (parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
};
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, v) => concat([key(field, 0), varint(v)]);
const bytes = (field, b) => concat([key(field, 2), varint(b.length), b]);
const str = (field, s) => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field, parts) => bytes(field, concat(parts));

const FLOAT = 1;
const INT64 = 7;
function tensor(field, name, dims, type, data) {
  const raw =
    type === FLOAT
      ? new Uint8Array(Float32Array.from(data).buffer)
      : new Uint8Array(BigInt64Array.from(data.map(BigInt)).buffer);
  return msg(field, [...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, raw)]);
}
function valueInfo(field, name, type, dims) {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, type), msg(2, shape)])])]);
}
function node(op, inputs, outputs, attributes = []) {
  return msg(1, [
    ...inputs.map((i) => str(1, i)),
    ...outputs.map((o) => str(2, o)),
    str(3, `${op}_${outputs[0]}`),
    str(4, op),
    ...attributes,
  ]);
}
const attrInt = (name, v) => msg(5, [str(1, name), int(3, v), int(20, 2)]);

// --- weights -------------------------------------------------------------------------------
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}
const randoms = (rand, n, scale) => Array.from({ length: n }, () => rand() * 2 * scale);

function modelProto(vocabSize, hidden) {
  const rand = prng(20240601);
  const initializers = [
    tensor(5, 'word_emb', [vocabSize, hidden], FLOAT, randoms(rand, vocabSize * hidden, 1)),
    tensor(5, 'type_emb', [2, hidden], FLOAT, randoms(rand, 2 * hidden, 0.1)),
    tensor(5, 'W1', [hidden, hidden], FLOAT, randoms(rand, hidden * hidden, 1 / Math.sqrt(hidden))),
    tensor(5, 'b1', [hidden], FLOAT, randoms(rand, hidden, 0.1)),
    tensor(5, 'W2', [hidden, hidden], FLOAT, randoms(rand, hidden * hidden, 1 / Math.sqrt(hidden))),
    tensor(5, 'b2', [hidden], FLOAT, randoms(rand, hidden, 0.1)),
    tensor(5, 'axis_seq', [1], INT64, [1]),
    tensor(5, 'axis_last', [1], INT64, [-1]),
  ];
  const nodes = [
    node('Gather', ['word_emb', 'input_ids'], ['words']),
    node('Gather', ['type_emb', 'token_type_ids'], ['types']),
    node('Add', ['words', 'types'], ['x']),
    node('Cast', ['attention_mask'], ['mask_f'], [attrInt('to', FLOAT)]),
    node('Unsqueeze', ['mask_f', 'axis_last'], ['m']),
    node('Mul', ['x', 'm'], ['xm']),
    node('ReduceSum', ['xm', 'axis_seq'], ['sum_x'], [attrInt('keepdims', 1)]),
    node('ReduceSum', ['m', 'axis_seq'], ['count'], [attrInt('keepdims', 1)]),
    node('Div', ['sum_x', 'count'], ['ctx']),
    node('Add', ['x', 'ctx'], ['x_ctx']),
    node('MatMul', ['x_ctx', 'W1'], ['h1_mm']),
    node('Add', ['h1_mm', 'b1'], ['h1_pre']),
    node('Tanh', ['h1_pre'], ['h1']),
    node('MatMul', ['h1', 'W2'], ['h2_mm']),
    node('Add', ['h2_mm', 'b2'], ['h2_pre']),
    node('Tanh', ['h2_pre'], ['last_hidden_state']),
  ];
  const graph = [
    ...nodes,
    str(2, 'tiny_bert'),
    ...initializers,
    valueInfo(11, 'input_ids', INT64, ['batch', 'sequence']),
    valueInfo(11, 'attention_mask', INT64, ['batch', 'sequence']),
    valueInfo(11, 'token_type_ids', INT64, ['batch', 'sequence']),
    valueInfo(12, 'last_hidden_state', FLOAT, ['batch', 'sequence', hidden]),
  ];
  // ir_version 8, producer, graph, opset 14 (Unsqueeze and ReduceSum take axes as inputs).
  return concat([
    int(1, 8),
    str(2, 'memkeeper make-tiny-models'),
    msg(7, graph),
    msg(8, [str(1, ''), int(2, 14)]),
  ]);
}

// --- tokenizer files -----------------------------------------------------------------------
function tokenizerJson(vocab) {
  const special = (t) => ({
    id: vocab[t],
    content: t,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tok = (t) => ({ id: t, ids: [vocab[t]], tokens: [t] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': tok('[CLS]'), '[SEP]': tok('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

/** Writes the tiny model under `outDir/tiny-bert` and returns that folder. */
export function makeTinyModels(outDir) {
  const vocab = vocabulary();
  const size = Object.keys(vocab).length;
  const dir = join(outDir, TINY_MODEL);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const json = (file, value) =>
    writeFileSync(join(dir, file), `${JSON.stringify(value, null, 1)}\n`);
  json('config.json', {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: TINY_HIDDEN,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: TINY_HIDDEN,
    vocab_size: size,
    max_position_embeddings: 128,
    type_vocab_size: 2,
    pad_token_id: 0,
  });
  json('tokenizer.json', tokenizerJson(vocab));
  json('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 128,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  });
  writeFileSync(join(dir, 'onnx', 'model.onnx'), modelProto(size, TINY_HIDDEN));
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const dir = makeTinyModels(resolve(process.argv[2] ?? join(root, 'test', 'models')));
  console.log(`wrote ${dir}`);
}
