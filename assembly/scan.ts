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
 * serves four rows and four dependency chains hide the add latency. An int8 block with every
 * row allowed (the usual unfiltered search) takes a straight path: eight consecutive rows per
 * query load, scales and code sums loaded as vectors, no bit scanning.
 *
 * `mask` holds `maskWords` u32 words; when it allows every ordinal but 0 (no filter), a row is
 * allowed exactly when it is live, which SIMD compares find sixteen rows at a time.
 */
import { dot4F16, dot4F32 } from './float';
import { dot4I8, offerRunI8 } from './int8';
import { sum4I32 } from './lanes';
import { offer } from './topk';

// Rows per block: the allowed rows of a block fit one u64.
const BLOCK = 64;
const ALL_ROWS: u64 = ~(<u64>0);

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
  maskWords: i32,
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
    maskWords,
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
  maskWords: i32,
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
    maskWords,
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
  maskWords: i32,
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
    maskWords,
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
  maskWords: i32,
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
  const everyLive = allowsEveryLiveRow(mask, maskWords);
  for (let base = 0; base < rows; base += BLOCK) {
    const n = min(BLOCK, rows - base);
    const allowed = everyLive ? liveRows(sessions, base, n) : allowedRows(sessions, mask, base, n);
    if (allowed == 0) continue;
    const first = vectors + <usize>base * stride;
    for (let q = 0; q < nq; q++) {
      const topRows = outRows + ((<usize>(q * k)) << 2);
      const topScores = outScores + ((<usize>(q * k)) << 2);
      const query = queries + <usize>q * queryBytes;
      const qScale = sizeof<T>() == 1 ? load<f32>(queryScales + ((<usize>q) << 2)) : 1;
      if (sizeof<T>() == 1 && allowed == ALL_ROWS) {
        const at = (<usize>base) << 2;
        offerRunI8(
          first,
          stride,
          scales + at,
          sums + at,
          BLOCK,
          query,
          strideWords >>> 2,
          qScale,
          topRows,
          topScores,
          k,
          base,
        );
        continue;
      }
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

/** Whether the mask's `words` words allow every session ordinal but 0 (removed rows). */
function allowsEveryLiveRow(mask: usize, words: i32): bool {
  if (words < 1 || load<u32>(mask) != 0xfffffffe) return false;
  for (let i = 1; i < words; i++)
    if (load<u32>(mask + ((<usize>i) << 2)) != 0xffffffff) return false;
  return true;
}

/** Bit i set when row base + i is live (session ordinal not 0). */
function liveRows(sessions: usize, base: i32, n: i32): u64 {
  const at = sessions + ((<usize>base) << 2);
  let bits: u64 = 0;
  if (n < BLOCK) {
    for (let i = 0; i < n; i++) bits |= (<u64>(load<u32>(at + ((<usize>i) << 2)) != 0)) << i;
    return bits;
  }
  // Sixteen ordinals per step: compare with 0, narrow the lane masks to bytes, take the bits.
  const zero = i32x4.splat(0);
  for (let i = 0; i < BLOCK; i += 16) {
    const p = at + ((<usize>i) << 2);
    const low = i16x8.narrow_i32x4_s(
      i32x4.ne(v128.load(p), zero),
      i32x4.ne(v128.load(p, 16), zero),
    );
    const high = i16x8.narrow_i32x4_s(
      i32x4.ne(v128.load(p, 32), zero),
      i32x4.ne(v128.load(p, 48), zero),
    );
    bits |= (<u64>i8x16.bitmask(i8x16.narrow_i16x8_s(low, high))) << i;
  }
  return bits;
}
