// Selection of exactly `keep` slots per row, a workgroup per row (every layer's rows in one
// dispatch): a radix select finds the keep-th largest key T, 8 bits a pass, then an
// order-keeping compaction writes, in slot order, every slot above T and the first slots equal
// to T, so ties go to the lower slot. Protected slots (sinks, recent window) rank above all.
// `count` counts per row what a threshold policy would keep.

override WORKGROUP_SIZE: u32 = 128u;

// Scores of row r at r * seq.
@group(0) @binding(0) var<storage, read> scores: array<f32>;
// select: the kept slots of row r at r * keep. count: row r's count at r.
@group(0) @binding(1) var<storage, read_write> kept: array<u32>;
@group(0) @binding(2) var<uniform> params: KvParams;

const PROTECTED: u32 = 0xffffffffu;
// The key of -infinity, which NaN shares: both rank lowest and tie by slot.
const LOWEST: u32 = 0x007fffffu;

var<workgroup> histogram: array<atomic<u32>, 256>;
var<workgroup> sums: array<u32, WORKGROUP_SIZE>;
// The prefix of T found so far, and how many slots equal to it are still to take.
var<workgroup> prefix: u32;
var<workgroup> need: u32;

fn isProtected(i: u32) -> bool {
  return i < params.sinks || i + params.window >= params.seq;
}

// Scores as u32 keys in the same order: flip negatives whole, set the sign bit of positives.
// -0 becomes +0 and NaN becomes -infinity first, so equal scores have equal keys.
fn keyOf(row: u32, i: u32) -> u32 {
  if (isProtected(i)) {
    return PROTECTED;
  }
  let s = scores[row * params.seq + i];
  if (s != s) {
    return LOWEST;
  }
  let bits = select(bitcast<u32>(s), 0u, s == 0.0);
  return select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
}

// Inclusive prefix sum of `value` over the workgroup (Hillis-Steele), and the total.
fn scan(lid: u32, value: u32) -> vec2<u32> {
  sums[lid] = value;
  workgroupBarrier();
  for (var offset = 1u; offset < WORKGROUP_SIZE; offset <<= 1u) {
    var v = sums[lid];
    if (lid >= offset) {
      v += sums[lid - offset];
    }
    workgroupBarrier();
    sums[lid] = v;
    workgroupBarrier();
  }
  let result = vec2<u32>(sums[lid], sums[WORKGROUP_SIZE - 1u]);
  workgroupBarrier();
  return result;
}

fn radixSelect(row: u32, lid: u32) {
  if (lid == 0u) {
    prefix = 0u;
    need = params.keep;
  }
  for (var round = 0u; round < 4u; round++) {
    let shift = 24u - 8u * round;
    // The bits above this round's byte must match the prefix found so far.
    let high = select(0xffffffffu << (shift + 8u), 0u, round == 0u);
    for (var b = lid; b < 256u; b += WORKGROUP_SIZE) {
      atomicStore(&histogram[b], 0u);
    }
    workgroupBarrier();
    let p = prefix;
    for (var i = lid; i < params.seq; i += WORKGROUP_SIZE) {
      let key = keyOf(row, i);
      if ((key & high) == p) {
        atomicAdd(&histogram[(key >> shift) & 255u], 1u);
      }
    }
    workgroupBarrier();
    // One invocation walks the 256 bins from the top: cheap next to the pass over the row.
    if (lid == 0u) {
      var above = 0u;
      var b = 255u;
      loop {
        let c = atomicLoad(&histogram[b]);
        if (above + c >= need || b == 0u) {
          break;
        }
        above += c;
        b--;
      }
      prefix = p | (b << shift);
      need -= above;
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) id: vec3<u32>,
  @builtin(num_workgroups) count: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = groupIndex(id, count);
  // Uniform per workgroup: the barriers below stay in uniform control flow.
  if (row >= params.rows) {
    return;
  }
  radixSelect(row, lid);
  let t = prefix;
  let ties = need;
  // Slots above T in the low half, slots equal to T in the high half: chunks are at most
  // WORKGROUP_SIZE slots, so neither count overflows 16 bits.
  var written = 0u;
  var tiesSeen = 0u;
  for (var base = 0u; base < params.seq; base += WORKGROUP_SIZE) {
    let i = base + lid;
    var above = 0u;
    var equal = 0u;
    if (i < params.seq) {
      let key = keyOf(row, i);
      above = select(0u, 1u, key > t);
      equal = select(0u, 1u, key == t);
    }
    let sum = scan(lid, above | (equal << 16u));
    let aboveBefore = (sum.x & 0xffffu) - above;
    let equalBefore = (sum.x >> 16u) - equal;
    // Ties still wanted before this chunk; the first of this chunk's ties take them.
    let wanted = ties - min(ties, tiesSeen);
    let take = above == 1u || (equal == 1u && equalBefore < wanted);
    if (take) {
      kept[row * params.keep + written + aboveBefore + min(equalBefore, wanted)] = i;
    }
    written += (sum.y & 0xffffu) + min(sum.y >> 16u, wanted);
    tiesSeen += sum.y >> 16u;
  }
}

// Per row, the protected slots plus those scoring above the threshold.
@compute @workgroup_size(WORKGROUP_SIZE)
fn count(
  @builtin(workgroup_id) id: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = groupIndex(id, groups);
  if (row >= params.rows) {
    return;
  }
  let threshold = bitcast<f32>(params.threshold);
  var mine = 0u;
  for (var i = lid; i < params.seq; i += WORKGROUP_SIZE) {
    if (isProtected(i) || scores[row * params.seq + i] > threshold) {
      mine++;
    }
  }
  let sum = scan(lid, mine);
  if (lid == 0u) {
    kept[row] = sum.y;
  }
}
