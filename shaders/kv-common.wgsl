// Shared by the KV kernels; the host puts common.wgsl and this file ahead of each KV kernel.

// One dispatch's sizes. The host writes one record per layer (and one for the all-layer
// selection) into a uniform buffer and binds it at a dynamic offset.
struct KvParams {
  // kv heads of a layer, tokens cached, elements per head, tokens kept (S').
  heads: u32,
  seq: u32,
  headDim: u32,
  keep: u32,
  // always kept: the first `sinks` and the last `window` slots.
  sinks: u32,
  window: u32,
  // the first score / kept row of this record, and the rows it covers.
  rowBase: u32,
  rows: u32,
  // rotated leading elements, 1 for GPT-J pairs (2i, 2i+1), and 0 none / 1 shift / 2 compact.
  rotaryDim: u32,
  interleaved: u32,
  rotate: u32,
  // score above which a threshold policy keeps a slot (f32 bits).
  threshold: u32,
  // score: 0 streaming, 1 knorm, 2 keydiff.
  policy: u32,
  // u32 words per cached token: headDim (f32) or headDim / 2 (f16).
  words: u32,
  // gather: output words of the layer.
  total: u32,
  pad: u32,
}
