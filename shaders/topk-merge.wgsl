// Merges groups of `fanIn` sorted candidate lists of one query into one list of the best k.
// One invocation per input pair: its place in the merged list is its place in its own list
// plus the pairs of the group's other lists that come before it, found by binary search.

override WORKGROUP_SIZE: u32 = 256u;

// List l of query q at (q * lists + l) * k; output list g at (q * outLists + g) * k.
@group(0) @binding(0) var<storage, read> source: array<Pair>;
@group(0) @binding(1) var<storage, read_write> merged: array<Pair>;
@group(0) @binding(2) var<uniform> params: SearchParams;

// Pairs of `list` that come before `x`. Equal pairs (only empty slots are ever equal) come
// before when their list comes first, so every pair of the group gets its own place.
fn before(list: u32, x: Pair, tiesBefore: bool) -> u32 {
  let base = list * params.k;
  var lo = 0u;
  var hi = params.k;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    let y = source[base + mid];
    let same = y.score == x.score && y.row == x.row;
    if (better(y, x) || (tiesBefore && same)) {
      lo = mid + 1u;
    } else {
      hi = mid;
    }
  }
  return lo;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) id: vec3<u32>,
  @builtin(num_workgroups) count: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = groupIndex(id, count) * WORKGROUP_SIZE + lid;
  if (e >= params.total) {
    return;
  }
  let at = e % params.k;
  let list = e / params.k;
  let query = list / params.lists;
  let own = list % params.lists;
  let group = own / params.fanIn;
  let first = group * params.fanIn;
  let last = min(first + params.fanIn, params.lists);
  let x = source[e];
  var rank = at;
  for (var l = first; l < last && rank < params.k; l++) {
    if (l != own) {
      rank += before(query * params.lists + l, x, l < own);
    }
  }
  if (rank < params.k) {
    merged[(query * params.outLists + group) * params.k + rank] = x;
  }
}
