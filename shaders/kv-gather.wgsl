// Writes one layer's pruned cache: for kept slot j of head h, the value row as it was and the
// key row turned by its change of position. An invocation per output u32 word; values are
// copied word for word (bit-exact), keys rotated in f32 from cos/sin rows the host computed in
// float64 (an angle of thousands of radians would lose its digits in f32).

override WORKGROUP_SIZE: u32 = 64u;
// 0: f32 caches. 1: f16 caches, two per u32.
override STORAGE: u32 = 0u;

@group(0) @binding(0) var<storage, read> keys: array<u32>;
@group(0) @binding(1) var<storage, read> values: array<u32>;
// Kept slot j of row r at r * keep + j.
@group(0) @binding(2) var<storage, read> kept: array<u32>;
// (cos, sin) of pair i for table row r at r * rotaryDim / 2 + i. Shift: one row, for S' - S.
// Compact: row r for a key moved r slots down.
@group(0) @binding(3) var<storage, read> turns: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read_write> outKeys: array<u32>;
@group(0) @binding(5) var<storage, read_write> outValues: array<u32>;
@group(0) @binding(6) var<uniform> params: KvParams;

fn element(at: u32, d: u32) -> f32 {
  let e = at * params.headDim + d;
  if (STORAGE == 1u) {
    return unpack2x16float(keys[e >> 1u])[e & 1u];
  }
  return bitcast<f32>(keys[e]);
}

// Element d of the key of cached token `at`, turned by table row `turn`.
fn rotated(at: u32, d: u32, turn: u32) -> f32 {
  if (d >= params.rotaryDim || params.rotate == 0u) {
    return element(at, d);
  }
  let half = params.rotaryDim / 2u;
  var pair: u32;
  var first: bool;
  var partner: u32;
  if (params.interleaved == 1u) {
    pair = d >> 1u;
    first = (d & 1u) == 0u;
    partner = d ^ 1u;
  } else {
    first = d < half;
    pair = select(d - half, d, first);
    partner = select(d - half, d + half, first);
  }
  let cs = turns[turn * half + pair];
  let own = element(at, d);
  let other = element(at, partner);
  // (x, y) -> (x cos - y sin, y cos + x sin), x the first of the pair.
  if (first) {
    return own * cs.x - other * cs.y;
  }
  return own * cs.x + other * cs.y;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) id: vec3<u32>,
  @builtin(num_workgroups) count: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let w = groupIndex(id, count) * WORKGROUP_SIZE + lid;
  if (w >= params.total) {
    return;
  }
  let token = w / params.words;
  let word = w - token * params.words;
  let head = token / params.keep;
  let slot = token - head * params.keep;
  let source = kept[(params.rowBase + head) * params.keep + slot];
  let at = head * params.seq + source;
  outValues[w] = values[at * params.words + word];
  if (params.rotate == 0u) {
    outKeys[w] = keys[at * params.words + word];
    return;
  }
  let turn = select(0u, source - slot, params.rotate == 2u);
  if (STORAGE == 1u) {
    let d = word * 2u;
    outKeys[w] = pack2x16float(vec2<f32>(rotated(at, d, turn), rotated(at, d + 1u, turn)));
  } else {
    outKeys[w] = bitcast<u32>(rotated(at, word, turn));
  }
}
