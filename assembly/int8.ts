/**
 * The int8 dots: exact i32 sums of row codes times query codes. Plain SIMD widens to i16 and
 * uses i16 dot products; relaxed SIMD takes one i8·i7 dot-add per sixteen bytes, with the
 * query shifted into 0..127 by the caller and 64·Σv taken back out per row. Both give the same
 * integers, so both builds return the same bits.
 */
import { sum4I32 } from './lanes';
import { offer4 } from './topk';

/** Four exact i32 dots of int8 rows with an int8 query, over `chunks` groups of sixteen. */
export function dot4I8(
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  query: usize,
  chunks: i32,
  sums: usize,
  i0: i32,
  i1: i32,
  i2: i32,
  i3: i32,
): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    // dot(v, q) = dot(v, q + 64) - 64 · Σv, with Σv stored per row at insert.
    let rowSums = i32x4.splat(load<i32>(sums + ((<usize>i0) << 2)));
    rowSums = i32x4.replace_lane(rowSums, 1, load<i32>(sums + ((<usize>i1) << 2)));
    rowSums = i32x4.replace_lane(rowSums, 2, load<i32>(sums + ((<usize>i2) << 2)));
    rowSums = i32x4.replace_lane(rowSums, 3, load<i32>(sums + ((<usize>i3) << 2)));
    return i32x4.sub(dot4I8Relaxed(p0, p1, p2, p3, query, chunks), i32x4.shl(rowSums, 6));
  }
  let a0 = i32x4.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  const end = (<usize>chunks) << 4;
  for (let o: usize = 0; o < end; o += 16) {
    const q = v128.load(query + o);
    const qLow = i16x8.extend_low_i8x16_s(q);
    const qHigh = i16x8.extend_high_i8x16_s(q);
    a0 = i32x4.add(a0, dotI8(v128.load(p0 + o), qLow, qHigh));
    a1 = i32x4.add(a1, dotI8(v128.load(p1 + o), qLow, qHigh));
    a2 = i32x4.add(a2, dotI8(v128.load(p2 + o), qLow, qHigh));
    a3 = i32x4.add(a3, dotI8(v128.load(p3 + o), qLow, qHigh));
  }
  return sum4I32(a0, a1, a2, a3);
}

/**
 * The four dots of rows with the query offset by 64, with relaxed SIMD's i8·i7 dot-add: one
 * instruction for sixteen products where SIMD needs six. Its second operand must lie in 0..127
 * to be exact everywhere, hence queries of -63..63 (QUERY_LEVELS) shifted up by 64. Rows hold
 * -127..127, so the i16 pair sums inside the instruction stay within ±32258 and never
 * saturate: after the caller takes 64·Σv back out, the result equals the SIMD path's bits.
 */
function dot4I8Relaxed(
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  query: usize,
  chunks: i32,
): v128 {
  let a0 = i32x4.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  const end = (<usize>chunks) << 4;
  for (let o: usize = 0; o < end; o += 16) {
    const q = v128.load(query + o); // already shifted by scanI8
    a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(p0 + o), q, a0);
    a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(p1 + o), q, a1);
    a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(p2 + o), q, a2);
    a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(p3 + o), q, a3);
  }
  return sum4I32(a0, a1, a2, a3);
}

/**
 * Offers `count` consecutive allowed rows (a multiple of eight) from row `base`, stored from
 * `first`, in ascending order: the scan's path for a block with nothing filtered out. Eight
 * rows share each query load (twice the four-row path's reuse), and their scales and code
 * sums load as vectors instead of lane by lane. Scores are the four-row path's, bit for bit.
 * `scales` and `sums` point at row `base`'s entries.
 */
export function offerRunI8(
  first: usize,
  stride: usize,
  scales: usize,
  sums: usize,
  count: i32,
  query: usize,
  chunks: i32,
  qScale: f32,
  topRows: usize,
  topScores: usize,
  k: i32,
  base: i32,
): void {
  let threshold = load<f32>(topScores + ((<usize>(k - 1)) << 2));
  const end = (<usize>chunks) << 4;
  for (let i = 0; i < count; i += 8) {
    const p = first + <usize>i * stride;
    let a0 = i32x4.splat(0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    let a4 = a0;
    let a5 = a0;
    let a6 = a0;
    let a7 = a0;
    for (let o: usize = 0; o < end; o += 16) {
      const q = v128.load(query + o);
      const r = p + o;
      if (ASC_FEATURE_RELAXED_SIMD) {
        a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(r), q, a0);
        a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(r + stride), q, a1);
        a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(r + 2 * stride), q, a2);
        a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(r + 3 * stride), q, a3);
        a4 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(r + 4 * stride), q, a4);
        a5 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(r + 5 * stride), q, a5);
        a6 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(r + 6 * stride), q, a6);
        a7 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(r + 7 * stride), q, a7);
      } else {
        const qLow = i16x8.extend_low_i8x16_s(q);
        const qHigh = i16x8.extend_high_i8x16_s(q);
        a0 = i32x4.add(a0, dotI8(v128.load(r), qLow, qHigh));
        a1 = i32x4.add(a1, dotI8(v128.load(r + stride), qLow, qHigh));
        a2 = i32x4.add(a2, dotI8(v128.load(r + 2 * stride), qLow, qHigh));
        a3 = i32x4.add(a3, dotI8(v128.load(r + 3 * stride), qLow, qHigh));
        a4 = i32x4.add(a4, dotI8(v128.load(r + 4 * stride), qLow, qHigh));
        a5 = i32x4.add(a5, dotI8(v128.load(r + 5 * stride), qLow, qHigh));
        a6 = i32x4.add(a6, dotI8(v128.load(r + 6 * stride), qLow, qHigh));
        a7 = i32x4.add(a7, dotI8(v128.load(r + 7 * stride), qLow, qHigh));
      }
    }
    let low = sum4I32(a0, a1, a2, a3);
    let high = sum4I32(a4, a5, a6, a7);
    const at = (<usize>i) << 2;
    if (ASC_FEATURE_RELAXED_SIMD) {
      low = i32x4.sub(low, i32x4.shl(v128.load(sums + at), 6));
      high = i32x4.sub(high, i32x4.shl(v128.load(sums + at, 16), 6));
    }
    const qs = f32x4.splat(qScale);
    const s0 = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(low), qs), v128.load(scales + at));
    const s1 = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(high), qs), v128.load(scales + at, 16));
    const t = f32x4.splat(threshold);
    if (!v128.any_true(v128.or(f32x4.gt(s0, t), f32x4.gt(s1, t)))) continue;
    threshold = offer4(topRows, topScores, k, threshold, base + i, s0);
    threshold = offer4(topRows, topScores, k, threshold, base + i + 4, s1);
  }
}

function dotI8(v: v128, qLow: v128, qHigh: v128): v128 {
  return i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(v), qLow),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(v), qHigh),
  );
}
