/**
 * Each query's best-k list: a sorted slice of the output region (score descending, then row
 * ascending), padded with row -1 / score -Infinity, kept by the scan kernels.
 */

/**
 * Puts `row` into a full, sorted best-k list if `score` beats the k-th; returns the new k-th
 * score. Rows arrive in ascending order, so an equal score lands after its equals.
 */
export function offer(
  rows: usize,
  scores: usize,
  k: i32,
  threshold: f32,
  row: i32,
  score: f32,
): f32 {
  if (!(score > threshold)) return threshold;
  let lo = 0;
  let hi = k - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<f32>(scores + ((<usize>mid) << 2)) < score) hi = mid;
    else lo = mid + 1;
  }
  const at = (<usize>lo) << 2;
  const tail = (<usize>(k - 1 - lo)) << 2;
  memory.copy(rows + at + 4, rows + at, tail);
  memory.copy(scores + at + 4, scores + at, tail);
  store<i32>(rows + at, row);
  store<f32>(scores + at, score);
  return load<f32>(scores + ((<usize>(k - 1)) << 2));
}

/** Offers rows `row`..`row + 3` with the four scores of `dots`, in ascending row order. */
export function offer4(
  rows: usize,
  scores: usize,
  k: i32,
  threshold: f32,
  row: i32,
  dots: v128,
): f32 {
  let t = offer(rows, scores, k, threshold, row, f32x4.extract_lane(dots, 0));
  t = offer(rows, scores, k, t, row + 1, f32x4.extract_lane(dots, 1));
  t = offer(rows, scores, k, t, row + 2, f32x4.extract_lane(dots, 2));
  return offer(rows, scores, k, t, row + 3, f32x4.extract_lane(dots, 3));
}
