/**
 * WebAssembly SIMD scan kernels over a HostStore's memory (imported, never allocated in):
 * the same contract as `ScanBackend.scan` in src/vectors/backend.ts, row for row and tie for
 * tie with the TypeScript twin in src/cpu/scan.ts.
 *
 * Each query's best-k list lives in its own slice of the output region, sorted by score
 * descending then row ascending, padded with row -1 / score -Infinity; a row costs one compare
 * against the k-th score unless it enters. Rows are visited in blocks of 64 (one u64 of
 * allowed-row bits) and every query runs over a block while it is in cache, so a batch of 32
 * reads memory once, not 32 times. Dots are computed four rows at a time so each query load
 * serves four rows and four dependency chains hide the add latency.
 */

// Rows per block: the allowed rows of a block fit one u64.
const BLOCK = 64;

/** Best k rows per query, f32 rows of `strideWords` words, f32 queries. */
export function scanF32(
  vectorsPtr: usize,
  sessionsPtr: usize,
  rows: i32,
  strideWords: i32,
  queriesPtr: usize,
  queryStride: i32,
  nq: i32,
  maskPtr: usize,
  k: i32,
  outRowsPtr: usize,
  outScoresPtr: usize,
): void {
  scan<f32>(
    vectorsPtr,
    0,
    0,
    sessionsPtr,
    rows,
    strideWords,
    queriesPtr,
    queryStride,
    0,
    nq,
    maskPtr,
    k,
    outRowsPtr,
    outScoresPtr,
  );
}

/** Best k rows per query, binary16 rows (two per u32, low half first), f32 queries. */
export function scanF16(
  vectorsPtr: usize,
  sessionsPtr: usize,
  rows: i32,
  strideWords: i32,
  queriesPtr: usize,
  queryStride: i32,
  nq: i32,
  maskPtr: usize,
  k: i32,
  outRowsPtr: usize,
  outScoresPtr: usize,
): void {
  scan<u16>(
    vectorsPtr,
    0,
    0,
    sessionsPtr,
    rows,
    strideWords,
    queriesPtr,
    queryStride,
    0,
    nq,
    maskPtr,
    k,
    outRowsPtr,
    outScoresPtr,
  );
}

/**
 * Best k rows per query by the int8 estimate f32(q·v) · qScale · vScale; int8 queries have the
 * rows' stride.
 */
export function scanI8(
  vectorsPtr: usize,
  scalesPtr: usize,
  sumsPtr: usize,
  sessionsPtr: usize,
  rows: i32,
  strideWords: i32,
  queriesI8Ptr: usize,
  queryScalesPtr: usize,
  nq: i32,
  maskPtr: usize,
  k: i32,
  outRowsPtr: usize,
  outScoresPtr: usize,
): void {
  // Relaxed SIMD dots the rows with the query shifted into 0..127: shift it once here and back
  // after, rather than in the inner loop (the caller's queries are left as they were).
  const queryBytes = <usize>nq * ((<usize>strideWords) << 2);
  if (ASC_FEATURE_RELAXED_SIMD) shiftCodes(queriesI8Ptr, queryBytes, 64);
  scan<i8>(
    vectorsPtr,
    scalesPtr,
    sumsPtr,
    sessionsPtr,
    rows,
    strideWords,
    queriesI8Ptr,
    strideWords,
    queryScalesPtr,
    nq,
    maskPtr,
    k,
    outRowsPtr,
    outScoresPtr,
  );
  if (ASC_FEATURE_RELAXED_SIMD) shiftCodes(queriesI8Ptr, queryBytes, -64);
}

/** Adds `by` to each of `bytes` int8 codes at `ptr` (a multiple of 16 bytes). */
function shiftCodes(ptr: usize, bytes: usize, by: i8): void {
  const step = i8x16.splat(by);
  for (let o: usize = 0; o < bytes; o += 16)
    v128.store(ptr + o, i8x16.add(v128.load(ptr + o), step));
}

/** Reads `bytes` bytes from `ptr` with SIMD loads and returns their i32 sum: the bandwidth floor. */
export function streamSum(ptr: usize, bytes: usize): i32 {
  let a = i32x4.splat(0);
  let b = a;
  let c = a;
  let d = a;
  let p = ptr;
  const end64 = ptr + (bytes & ~63);
  for (; p < end64; p += 64) {
    a = i32x4.add(a, v128.load(p));
    b = i32x4.add(b, v128.load(p, 16));
    c = i32x4.add(c, v128.load(p, 32));
    d = i32x4.add(d, v128.load(p, 48));
  }
  const end16 = ptr + (bytes & ~15);
  for (; p < end16; p += 16) a = i32x4.add(a, v128.load(p));
  const sum = sum4I32(a, b, c, d);
  return (
    i32x4.extract_lane(sum, 0) +
    i32x4.extract_lane(sum, 1) +
    i32x4.extract_lane(sum, 2) +
    i32x4.extract_lane(sum, 3)
  );
}

/** The scan of every storage; `T` (f32, u16 for binary16, i8) picks the dot at compile time. */
function scan<T>(
  vectors: usize,
  scales: usize,
  sums: usize,
  sessions: usize,
  rows: i32,
  strideWords: i32,
  queries: usize,
  queryStride: i32,
  queryScales: usize,
  nq: i32,
  mask: usize,
  k: i32,
  outRows: usize,
  outScores: usize,
): void {
  if (k <= 0 || nq <= 0) return;
  for (let i = 0; i < nq * k; i++) {
    store<i32>(outRows + ((<usize>i) << 2), -1);
    store<f32>(outScores + ((<usize>i) << 2), -Infinity);
  }
  const stride = (<usize>strideWords) << 2;
  const queryBytes = (<usize>queryStride) << 2; // f32 elements, or u32 words of int8
  for (let base = 0; base < rows; base += BLOCK) {
    const allowed = allowedRows(sessions, mask, base, min(BLOCK, rows - base));
    if (allowed == 0) continue;
    const first = vectors + <usize>base * stride;
    for (let q = 0; q < nq; q++) {
      const topRows = outRows + ((<usize>(q * k)) << 2);
      const topScores = outScores + ((<usize>(q * k)) << 2);
      const query = queries + <usize>q * queryBytes;
      const qScale = sizeof<T>() == 1 ? load<f32>(queryScales + ((<usize>q) << 2)) : 1;
      let threshold = load<f32>(topScores + ((<usize>(k - 1)) << 2));
      let bits = allowed;
      while (bits != 0) {
        // Up to four allowed rows in ascending order; missing ones repeat the last, unoffered.
        const i0 = <i32>ctz(bits);
        bits &= bits - 1;
        let i1 = i0;
        let i2 = i0;
        let i3 = i0;
        let count = 1;
        if (bits != 0) {
          i1 = i2 = i3 = <i32>ctz(bits);
          bits &= bits - 1;
          count = 2;
          if (bits != 0) {
            i2 = i3 = <i32>ctz(bits);
            bits &= bits - 1;
            count = 3;
            if (bits != 0) {
              i3 = <i32>ctz(bits);
              bits &= bits - 1;
              count = 4;
            }
          }
        }
        const p0 = first + <usize>i0 * stride;
        const p1 = first + <usize>i1 * stride;
        const p2 = first + <usize>i2 * stride;
        const p3 = first + <usize>i3 * stride;
        let dots: v128;
        if (sizeof<T>() == 4) {
          dots = dot4F32(p0, p1, p2, p3, query, strideWords >>> 2);
        } else if (sizeof<T>() == 2) {
          dots = dot4F16(p0, p1, p2, p3, query, queryStride);
        } else {
          const s = scales + ((<usize>base) << 2);
          let vScales = f32x4.splat(load<f32>(s + ((<usize>i0) << 2)));
          vScales = f32x4.replace_lane(vScales, 1, load<f32>(s + ((<usize>i1) << 2)));
          vScales = f32x4.replace_lane(vScales, 2, load<f32>(s + ((<usize>i2) << 2)));
          vScales = f32x4.replace_lane(vScales, 3, load<f32>(s + ((<usize>i3) << 2)));
          const dot = f32x4.convert_i32x4_s(
            dot4I8(
              p0,
              p1,
              p2,
              p3,
              query,
              strideWords >>> 2,
              sums + ((<usize>base) << 2),
              i0,
              i1,
              i2,
              i3,
            ),
          );
          dots = f32x4.mul(f32x4.mul(dot, f32x4.splat(qScale)), vScales);
        }
        if (!v128.any_true(f32x4.gt(dots, f32x4.splat(threshold)))) continue;
        threshold = offer(topRows, topScores, k, threshold, base + i0, f32x4.extract_lane(dots, 0));
        if (count < 2) continue;
        threshold = offer(topRows, topScores, k, threshold, base + i1, f32x4.extract_lane(dots, 1));
        if (count < 3) continue;
        threshold = offer(topRows, topScores, k, threshold, base + i2, f32x4.extract_lane(dots, 2));
        if (count < 4) continue;
        threshold = offer(topRows, topScores, k, threshold, base + i3, f32x4.extract_lane(dots, 3));
      }
    }
  }
}

/** Bit i set when row base + i has a session ordinal whose mask bit is set. */
function allowedRows(sessions: usize, mask: usize, base: i32, n: i32): u64 {
  let bits: u64 = 0;
  const at = sessions + ((<usize>base) << 2);
  for (let i = 0; i < n; i++) {
    const s = load<u32>(at + ((<usize>i) << 2));
    const word = load<u32>(mask + ((<usize>(s >>> 5)) << 2));
    bits |= (<u64>((word >>> (s & 31)) & 1)) << i;
  }
  return bits;
}

/**
 * Puts `row` into a full, sorted best-k list if `score` beats the k-th; returns the new k-th
 * score. Rows arrive in ascending order, so an equal score lands after its equals.
 */
function offer(rows: usize, scores: usize, k: i32, threshold: f32, row: i32, score: f32): f32 {
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

/** Four f32 dots of rows p0..p3 with `query`, over `chunks` groups of four. */
function dot4F32(p0: usize, p1: usize, p2: usize, p3: usize, query: usize, chunks: i32): v128 {
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
function dot4F16(p0: usize, p1: usize, p2: usize, p3: usize, query: usize, queryStride: i32): v128 {
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

/** Four exact i32 dots of int8 rows with an int8 query, over `chunks` groups of sixteen. */
function dot4I8(
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

function dotI8(v: v128, qLow: v128, qHigh: v128): v128 {
  return i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(v), qLow),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(v), qHigh),
  );
}

/**
 * Lane sums of a, b, c, d as one vector, each summed in the same order (0+2)+(1+3), so equal
 * rows score equal bits whichever lane they took.
 */
function sum4F32(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

function sum4I32(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = i32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}
