// Shared by the vector kernels; the host puts this file ahead of each kernel's own source.

// One candidate: a score and the global row it belongs to.
struct Pair {
  score: f32,
  row: u32,
}

// An empty slot. WGSL has no infinity literal, so empty slots carry the lowest finite f32 and
// a row no index reaches; the host turns them into row -1, score -Infinity.
const NO_ROW: u32 = 0xffffffffu;
const NO_SCORE: f32 = -0x1.fffffep+127f;

// One dispatch's sizes. The host writes one of these per dispatch into a uniform buffer and
// binds it with a dynamic offset, so a whole search is one submission.
struct SearchParams {
  // score-topk: rows of this chunk to score, its first global row, its first candidate list,
  // and its tiles.
  rows: u32,
  rowBase: u32,
  tileBase: u32,
  tiles: u32,
  // score-topk: vec4 words per stored row and per query, mask words, first query of the group.
  rowVec4: u32,
  queryVec4: u32,
  maskWords: u32,
  queryBase: u32,
  // both: queries in this group, candidate lists per query, pairs per list (k), and the
  // power of two >= k that score-topk sorts in.
  queries: u32,
  lists: u32,
  k: u32,
  segment: u32,
  // topk-merge: lists merged into one, lists out per query, and input pairs in all.
  fanIn: u32,
  outLists: u32,
  total: u32,
  // score-topk: tiles one workgroup takes in turn.
  tileStep: u32,
}

// The order of results: higher score first, and on equal scores the lower row first. Empty
// slots lose to every real row, since NO_ROW is the highest row.
fn better(a: Pair, b: Pair) -> bool {
  return a.score > b.score || (a.score == b.score && a.row < b.row);
}

// The hard session filter: ordinal 0 marks a free or removed row and never passes, whatever
// the mask says; ordinals past the mask are not allowed.
fn sessionAllowed(ordinal: u32, maskWord: u32) -> bool {
  return ordinal != 0u && ((maskWord >> (ordinal & 31u)) & 1u) == 1u;
}

// Workgroups beyond maxComputeWorkgroupsPerDimension are folded into a 2-D grid; this is the
// workgroup's place in the unfolded 1-D order.
fn groupIndex(id: vec3<u32>, count: vec3<u32>) -> u32 {
  return id.x + id.y * count.x;
}
