/**
 * The host side of `KvParams` in shaders/kv-common.wgsl: one 64-byte record per dispatch, at
 * a 256-byte stride so each can be bound at a dynamic uniform offset.
 */

/** Fields of `KvParams`, in the order kv-common.wgsl declares them (u32 each). */
export interface KvParams {
  heads: number;
  seq: number;
  headDim: number;
  keep: number;
  sinks: number;
  window: number;
  rowBase: number;
  rows: number;
  rotaryDim: number;
  interleaved: number;
  rotate: number;
  /** Stored as f32 bits. */
  threshold: number;
  policy: number;
  words: number;
  total: number;
}

const FIELDS: readonly (keyof KvParams)[] = [
  'heads',
  'seq',
  'headDim',
  'keep',
  'sinks',
  'window',
  'rowBase',
  'rows',
  'rotaryDim',
  'interleaved',
  'rotate',
  'threshold',
  'policy',
  'words',
  'total',
];

/** Bytes one `KvParams` binding covers. */
export const KV_PARAMS_BYTES = 64;

/** Bytes between records: the dynamic-offset alignment every device accepts. */
export const KV_PARAMS_STRIDE = 256;

/** Writes `params` as record `index` of `words` (a view of the whole uniform buffer). */
export function writeKvParams(words: Uint32Array, index: number, params: KvParams): void {
  const at = (index * KV_PARAMS_STRIDE) / 4;
  for (let i = 0; i < FIELDS.length; i++) words[at + i] = params[FIELDS[i]!] >>> 0;
  words[at + FIELDS.indexOf('threshold')] = new Uint32Array(
    Float32Array.of(params.threshold).buffer,
  )[0]!;
}
