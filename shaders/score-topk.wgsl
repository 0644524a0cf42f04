// Scores tiles of rows against one query and keeps each tile's best k, sorted.
// Workgroup (query, tiles): consecutive workgroups take the same tiles for successive queries,
// so a batch reads each tile from memory about once. A workgroup takes `tileStep` tiles in
// turn, which matters where starting one is dear: software adapters zero its workgroup memory
// at ~1 ms each.

override WORKGROUP_SIZE: u32 = 64u;
// Rows per tile: a power of two, a multiple of 4 * WORKGROUP_SIZE, and >= the largest segment.
override TILE_ROWS: u32 = 2048u;
// 0: f32 rows. 1: f16 rows, two halves per u32. 2: int8 rows, four per u32, a scale per row.
override STORAGE: u32 = 0u;

// One chunk of the stored rows, as the host lays them out.
@group(0) @binding(0) var<storage, read> vectors: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> sessions: array<u32>;
@group(0) @binding(2) var<storage, read> scales: array<f32>;
// f32 queries (f32, f16 storage) or packed int8 queries (int8 storage), with their scales.
@group(0) @binding(3) var<storage, read> queries: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read> queryScales: array<f32>;
@group(0) @binding(5) var<storage, read> mask: array<u32>;
// Pair j of list (query, tile) at ((query * lists) + tileBase + tile) * k + j.
@group(0) @binding(6) var<storage, read_write> candidates: array<Pair>;
@group(0) @binding(7) var<uniform> params: SearchParams;

var<workgroup> tileScores: array<f32, TILE_ROWS>;
var<workgroup> tileRows: array<u32, TILE_ROWS>;

// Each invocation scores four rows at once, `WORKGROUP_SIZE` rows apart, so every query word
// it loads serves four rows. The four sums run the same operations in the same order, so equal
// rows get equal scores wherever they sit.
fn sum4(a: vec4<f32>, b: vec4<f32>, c: vec4<f32>, d: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(
    (a.x + a.y) + (a.z + a.w),
    (b.x + b.y) + (b.z + b.w),
    (c.x + c.y) + (c.z + c.w),
    (d.x + d.y) + (d.z + d.w),
  );
}

fn dotF32(row: u32, query: u32) -> vec4<f32> {
  let r = row * params.rowVec4;
  let step = WORKGROUP_SIZE * params.rowVec4;
  let q = query * params.queryVec4;
  var a = vec4<f32>(0.0);
  var b = vec4<f32>(0.0);
  var c = vec4<f32>(0.0);
  var d = vec4<f32>(0.0);
  for (var j = 0u; j < params.rowVec4; j++) {
    let x = bitcast<vec4<f32>>(queries[q + j]);
    a += bitcast<vec4<f32>>(vectors[r + j]) * x;
    b += bitcast<vec4<f32>>(vectors[r + step + j]) * x;
    c += bitcast<vec4<f32>>(vectors[r + 2u * step + j]) * x;
    d += bitcast<vec4<f32>>(vectors[r + 3u * step + j]) * x;
  }
  return sum4(a, b, c, d);
}

fn halves(w: vec4<u32>, x: vec4<f32>, y: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)) * x +
    vec4<f32>(unpack2x16float(w.z), unpack2x16float(w.w)) * y;
}

fn dotF16(row: u32, query: u32) -> vec4<f32> {
  let r = row * params.rowVec4;
  let step = WORKGROUP_SIZE * params.rowVec4;
  let q = query * params.queryVec4;
  var a = vec4<f32>(0.0);
  var b = vec4<f32>(0.0);
  var c = vec4<f32>(0.0);
  var d = vec4<f32>(0.0);
  // A stored vec4<u32> holds 8 halves, two query vec4s. A query row of an odd count of vec4s
  // ends half way: its missing partner reads as zero rather than the next query (the stored
  // row is zero there anyway).
  for (var j = 0u; j < params.rowVec4; j++) {
    let x = bitcast<vec4<f32>>(queries[q + 2u * j]);
    let second = 2u * j + 1u < params.queryVec4;
    let y = select(vec4<f32>(0.0), bitcast<vec4<f32>>(queries[q + 2u * j + 1u]), second);
    a += halves(vectors[r + j], x, y);
    b += halves(vectors[r + step + j], x, y);
    c += halves(vectors[r + 2u * step + j], x, y);
    d += halves(vectors[r + 3u * step + j], x, y);
  }
  return sum4(a, b, c, d);
}

// Four signed bytes, low byte first, sign-extended by shifting each to the top and back.
fn bytes(w: u32) -> vec4<i32> {
  return bitcast<vec4<i32>>(vec4<u32>(w) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u);
}

fn bytesDot(w: vec4<u32>, x: vec4<u32>) -> vec4<i32> {
  return bytes(w.x) * bytes(x.x) + bytes(w.y) * bytes(x.y) + bytes(w.z) * bytes(x.z) +
    bytes(w.w) * bytes(x.w);
}

fn total(v: vec4<i32>) -> f32 {
  return f32((v.x + v.y) + (v.z + v.w));
}

fn dotI8(row: u32, query: u32) -> vec4<f32> {
  let r = row * params.rowVec4;
  let step = WORKGROUP_SIZE * params.rowVec4;
  let q = query * params.queryVec4;
  var a = vec4<i32>(0);
  var b = vec4<i32>(0);
  var c = vec4<i32>(0);
  var d = vec4<i32>(0);
  for (var j = 0u; j < params.rowVec4; j++) {
    let x = queries[q + j];
    a += bytesDot(vectors[r + j], x);
    b += bytesDot(vectors[r + step + j], x);
    c += bytesDot(vectors[r + 2u * step + j], x);
    d += bytesDot(vectors[r + 3u * step + j], x);
  }
  let rows = vec4<u32>(row, row + WORKGROUP_SIZE, row + 2u * WORKGROUP_SIZE, row + 3u * WORKGROUP_SIZE);
  let rowScales = vec4<f32>(scales[rows.x], scales[rows.y], scales[rows.z], scales[rows.w]);
  // The same order of products as the TypeScript scan: dot * qScale * vScale.
  return vec4<f32>(total(a), total(b), total(c), total(d)) * queryScales[query] * rowScales;
}

// Scores of rows row + i * WORKGROUP_SIZE (i < 4) for `query`, counted from the first query of
// the batch and the first row of the chunk.
fn score4(row: u32, query: u32) -> vec4<f32> {
  if (STORAGE == 1u) {
    return dotF16(row, query);
  }
  if (STORAGE == 2u) {
    return dotI8(row, query);
  }
  return dotF32(row, query);
}

fn allowed(row: u32) -> bool {
  if (row >= params.rows) {
    return false;
  }
  let ordinal = sessions[row];
  let word = ordinal >> 5u;
  return word < params.maskWords && sessionAllowed(ordinal, mask[word]);
}

// Fills the tile's slots: slot i holds row first + i when allowed, else an empty pair. Rows past
// the chunk are read (robust access keeps that in bounds) but never kept.
fn scoreTile(first: u32, query: u32, lid: u32) {
  for (var quad = 0u; quad < TILE_ROWS; quad += 4u * WORKGROUP_SIZE) {
    let base = quad + lid;
    let ok = vec4<bool>(
      allowed(first + base),
      allowed(first + base + WORKGROUP_SIZE),
      allowed(first + base + 2u * WORKGROUP_SIZE),
      allowed(first + base + 3u * WORKGROUP_SIZE),
    );
    var s = vec4<f32>(NO_SCORE);
    if (any(ok)) {
      s = score4(first + base, query);
    }
    for (var i = 0u; i < 4u; i++) {
      // NaN compares false both ways and would break the sort's order, so such a row stays out
      // (the index refuses non-finite vectors; this guards where a compiler keeps NaN at all).
      let keep = ok[i] && s[i] == s[i];
      let at = base + i * WORKGROUP_SIZE;
      var pair = Pair(NO_SCORE, NO_ROW);
      if (keep) {
        pair = Pair(s[i], params.rowBase + first + at);
      }
      put(at, pair);
    }
  }
}

fn slot(i: u32) -> Pair {
  return Pair(tileScores[i], tileRows[i]);
}

fn put(i: u32, p: Pair) {
  tileScores[i] = p.score;
  tileRows[i] = p.row;
}

// Puts the better of slots i and j first (or last when `firstBetter` is false).
fn order(i: u32, j: u32, firstBetter: bool) {
  let a = slot(i);
  let b = slot(j);
  if (better(b, a) == firstBetter) {
    put(i, b);
    put(j, a);
  }
}

// Index of the c-th compare pair with distance `stride` (a power of two): the slot with the
// stride bit clear. Bit operations rather than / and %: software adapters divide lane by lane.
fn low(c: u32, stride: u32) -> u32 {
  let below = stride - 1u;
  return ((c & ~below) << 1u) | (c & below);
}

// Bitonic top-k: sort every segment of `size` slots best-first, then repeatedly pair segments,
// keep the better half of each pair (a bitonic sequence) and sort it again, until one segment
// holds the tile's best. Work shrinks by half each round, so small k costs far less than a
// full sort of the tile.
fn selectBest(lid: u32) {
  let size = params.segment;
  for (var block = 2u; block <= size; block <<= 1u) {
    for (var stride = block >> 1u; stride > 0u; stride >>= 1u) {
      for (var c = lid; c < TILE_ROWS / 2u; c += WORKGROUP_SIZE) {
        let i = low(c, stride);
        // The last block size sorts every segment the same way; smaller ones alternate.
        order(i, i + stride, block == size || (i & block) == 0u);
      }
      workgroupBarrier();
    }
  }
  // Live segments start every `span = size << spread` slots; `live` slots are still in play.
  var spread = 0u;
  var live = TILE_ROWS;
  let inSegment = size - 1u;
  while (live > size) {
    let span = size << spread;
    for (var c = lid; c < live / 2u; c += WORKGROUP_SIZE) {
      let at = c & inSegment;
      let a = ((c & ~inSegment) << (spread + 1u)) | at;
      let other = slot(a + span + inSegment - 2u * at);
      if (better(other, slot(a))) {
        put(a, other);
      }
    }
    workgroupBarrier();
    spread++;
    live /= 2u;
    let half = size / 2u;
    for (var stride = half; stride > 0u; stride >>= 1u) {
      for (var c = lid; c < live / 2u; c += WORKGROUP_SIZE) {
        let i = ((c & ~(half - 1u)) << (spread + 1u)) + low(c & (half - 1u), stride);
        order(i, i + stride, true);
      }
      workgroupBarrier();
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) id: vec3<u32>,
  @builtin(num_workgroups) count: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let group = groupIndex(id, count);
  let query = group % params.queries;
  // Uniform per workgroup, so the barriers below stay in uniform control flow.
  let first = (group / params.queries) * params.tileStep;
  let last = min(first + params.tileStep, params.tiles);
  for (var tile = first; tile < last; tile++) {
    scoreTile(tile * TILE_ROWS, params.queryBase + query, lid);
    workgroupBarrier();
    selectBest(lid);
    let out = (query * params.lists + params.tileBase + tile) * params.k;
    for (var j = lid; j < params.k; j += WORKGROUP_SIZE) {
      candidates[out + j] = slot(j);
    }
    // The next tile overwrites the slots just read.
    workgroupBarrier();
  }
}
