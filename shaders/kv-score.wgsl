// Scores one layer's cached keys, a workgroup per KV head. Higher scores are kept; the
// selection, not this kernel, protects sinks and the recent window.
// 0 streaming: the slot itself, so the newest win. 1 KNorm: -|k|. 2 KeyDiff: -cos(k, m), m the
// mean unit key of the head.

override WORKGROUP_SIZE: u32 = 64u;
// The longest head this kernel takes (the mean key lives in workgroup memory).
override MAX_HEAD_DIM: u32 = 256u;
// 0: f32 keys. 1: f16 keys, two per u32.
override STORAGE: u32 = 0u;

@group(0) @binding(0) var<storage, read> keys: array<u32>;
// Score of slot i of row r at r * seq + i, rows of every layer one after another.
@group(0) @binding(1) var<storage, read_write> scores: array<f32>;
@group(0) @binding(2) var<uniform> params: KvParams;

var<workgroup> mean: array<f32, MAX_HEAD_DIM>;

fn element(head: u32, slot: u32, d: u32) -> f32 {
  let e = (head * params.seq + slot) * params.headDim + d;
  if (STORAGE == 1u) {
    return unpack2x16float(keys[e >> 1u])[e & 1u];
  }
  return bitcast<f32>(keys[e]);
}

fn norm(head: u32, slot: u32) -> f32 {
  var sum = 0.0;
  for (var d = 0u; d < params.headDim; d++) {
    let x = element(head, slot, d);
    sum += x * x;
  }
  return sqrt(sum);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let head = id.x;
  let out = (params.rowBase + head) * params.seq;
  if (params.policy == 0u) {
    for (var i = lid; i < params.seq; i += WORKGROUP_SIZE) {
      scores[out + i] = f32(i);
    }
    return;
  }
  // KNorm's answer, and KeyDiff's first pass: the scores slots hold the norms for a while.
  for (var i = lid; i < params.seq; i += WORKGROUP_SIZE) {
    let n = norm(head, i);
    scores[out + i] = select(n, -n, params.policy == 1u);
  }
  if (params.policy == 1u) {
    return;
  }
  storageBarrier();
  for (var d = lid; d < params.headDim; d += WORKGROUP_SIZE) {
    var sum = 0.0;
    for (var i = 0u; i < params.seq; i++) {
      let n = scores[out + i];
      // A zero key counts as zero rather than NaN, as in the TypeScript twin.
      if (n > 0.0) {
        sum += element(head, i, d) / n;
      }
    }
    mean[d] = sum / f32(params.seq);
  }
  workgroupBarrier();
  storageBarrier();
  var meanNorm = 0.0;
  for (var d = 0u; d < params.headDim; d++) {
    meanNorm += mean[d] * mean[d];
  }
  meanNorm = sqrt(meanNorm);
  // The barrier above let every invocation finish reading the norms; each slot is rewritten
  // by the invocation that wrote its norm.
  for (var i = lid; i < params.seq; i += WORKGROUP_SIZE) {
    var dot = 0.0;
    for (var d = 0u; d < params.headDim; d++) {
      dot += element(head, i, d) * mean[d];
    }
    let denominator = scores[out + i] * meanNorm;
    scores[out + i] = select(-dot / denominator, 0.0, denominator == 0.0);
  }
}
