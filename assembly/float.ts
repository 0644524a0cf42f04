/**
 * The f32 and binary16 dots: four rows against one f32 query, two accumulators per row so the
 * add latency hides behind independent chains.
 */
import { sum4F32 } from './lanes';

/** Four f32 dots of rows p0..p3 with `query`, over `chunks` groups of four. */
export function dot4F32(
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  query: usize,
  chunks: i32,
): v128 {
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let b0 = a0;
  let b1 = a0;
  let b2 = a0;
  let b3 = a0;
  const pairs = (<usize>(chunks >>> 1)) << 5;
  let o: usize = 0;
  for (; o < pairs; o += 32) {
    const q0 = v128.load(query + o);
    const q1 = v128.load(query + o, 16);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(p0 + o), q0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(p1 + o), q0));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(p2 + o), q0));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(p3 + o), q0));
    b0 = f32x4.add(b0, f32x4.mul(v128.load(p0 + o, 16), q1));
    b1 = f32x4.add(b1, f32x4.mul(v128.load(p1 + o, 16), q1));
    b2 = f32x4.add(b2, f32x4.mul(v128.load(p2 + o, 16), q1));
    b3 = f32x4.add(b3, f32x4.mul(v128.load(p3 + o, 16), q1));
  }
  if (chunks & 1) {
    const q0 = v128.load(query + o);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(p0 + o), q0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(p1 + o), q0));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(p2 + o), q0));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(p3 + o), q0));
  }
  return sum4F32(f32x4.add(a0, b0), f32x4.add(a1, b1), f32x4.add(a2, b2), f32x4.add(a3, b3));
}

/**
 * Four dots of binary16 rows with an f32 query of `queryStride` elements. The u32 lane holding
 * halves (even, odd) is (odd << 16 | even); a half h sitting in a lane's high 16 bits becomes
 * the f32 with bits (lane >> 3, arithmetic) & 0x8fffe000, which is h · 2^-112 for every finite
 * h, subnormals and zeros included, so odd halves need no shuffle and even ones one shift.
 * The query is scaled by 2^112 instead (exact) and split into even and odd lanes to match.
 */
export function dot4F16(
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  query: usize,
  queryStride: i32,
): v128 {
  const zero = i32x4.splat(0);
  const bits = i32x4.splat(0x8fffe000);
  const scale = f32x4.splat(reinterpret<f32>(0x77800000)); // 2^112
  let a0 = zero;
  let a1 = zero;
  let a2 = zero;
  let a3 = zero;
  let b0 = zero;
  let b1 = zero;
  let b2 = zero;
  let b3 = zero;
  // Eight halves (16 row bytes) meet eight query floats (32 bytes); a row padded past the
  // query's last four floats is read only in its low half, as the query ends there.
  const full = (<usize>(queryStride >>> 3)) << 4;
  let o: usize = 0;
  for (; o < full; o += 16) {
    const q0 = v128.load(query + (o << 1));
    const q1 = v128.load(query + (o << 1), 16);
    const even = f32x4.mul(i32x4.shuffle(q0, q1, 0, 2, 4, 6), scale);
    const odd = f32x4.mul(i32x4.shuffle(q0, q1, 1, 3, 5, 7), scale);
    let h = v128.load(p0 + o);
    a0 = f32x4.add(a0, f32x4.mul(highHalves(i32x4.shl(h, 16), bits), even));
    b0 = f32x4.add(b0, f32x4.mul(highHalves(h, bits), odd));
    h = v128.load(p1 + o);
    a1 = f32x4.add(a1, f32x4.mul(highHalves(i32x4.shl(h, 16), bits), even));
    b1 = f32x4.add(b1, f32x4.mul(highHalves(h, bits), odd));
    h = v128.load(p2 + o);
    a2 = f32x4.add(a2, f32x4.mul(highHalves(i32x4.shl(h, 16), bits), even));
    b2 = f32x4.add(b2, f32x4.mul(highHalves(h, bits), odd));
    h = v128.load(p3 + o);
    a3 = f32x4.add(a3, f32x4.mul(highHalves(i32x4.shl(h, 16), bits), even));
    b3 = f32x4.add(b3, f32x4.mul(highHalves(h, bits), odd));
  }
  if (queryStride & 4) {
    const q0 = v128.load(query + (o << 1));
    const even = f32x4.mul(i32x4.shuffle(q0, zero, 0, 2, 4, 4), scale);
    const odd = f32x4.mul(i32x4.shuffle(q0, zero, 1, 3, 4, 4), scale);
    let h = v128.load(p0 + o);
    a0 = f32x4.add(a0, f32x4.mul(highHalves(i32x4.shl(h, 16), bits), even));
    b0 = f32x4.add(b0, f32x4.mul(highHalves(h, bits), odd));
    h = v128.load(p1 + o);
    a1 = f32x4.add(a1, f32x4.mul(highHalves(i32x4.shl(h, 16), bits), even));
    b1 = f32x4.add(b1, f32x4.mul(highHalves(h, bits), odd));
    h = v128.load(p2 + o);
    a2 = f32x4.add(a2, f32x4.mul(highHalves(i32x4.shl(h, 16), bits), even));
    b2 = f32x4.add(b2, f32x4.mul(highHalves(h, bits), odd));
    h = v128.load(p3 + o);
    a3 = f32x4.add(a3, f32x4.mul(highHalves(i32x4.shl(h, 16), bits), even));
    b3 = f32x4.add(b3, f32x4.mul(highHalves(h, bits), odd));
  }
  return sum4F32(f32x4.add(a0, b0), f32x4.add(a1, b1), f32x4.add(a2, b2), f32x4.add(a3, b3));
}

/** The half in the high 16 bits of each u32 lane as f32 · 2^-112 (the low bits are dropped). */
function highHalves(lanes: v128, bits: v128): v128 {
  return v128.and(i32x4.shr_s(lanes, 3), bits);
}
