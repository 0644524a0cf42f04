import { MemoryError } from '../errors.js';
import { toHalf } from './half.js';
import { MAX_BATCH, MAX_CANDIDATES, type RowLayout } from './layout.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // wasm32: 4 GiB
const align = (n: number): number => Math.ceil(n / 16) * 16;

/** Byte offsets of every region inside the store's memory. */
export interface Regions {
  /** f32 queries, MAX_BATCH rows of `queryStride`. */
  readonly queries: number;
  /** int8 queries, MAX_BATCH rows of `strideWords * 4` bytes. */
  readonly queriesI8: number;
  /** f32 scale per int8 query. */
  readonly queryScales: number;
  /** Allowed-session bitmask, `maskWords` u32 (bit s of word s>>5 set = ordinal s allowed). */
  readonly mask: number;
  /** i32 result rows, MAX_BATCH × MAX_CANDIDATES. */
  readonly outRows: number;
  /** f32 result scores, MAX_BATCH × MAX_CANDIDATES. */
  readonly outScores: number;
  /** u32 session ordinal per row; 0 = free or removed. */
  readonly sessions: number;
  /** f32 scale per row (int8 storage only). */
  readonly scales: number;
  /**
   * i32 sum of each row's int8 codes (int8 storage only): lets the relaxed-SIMD scan offset
   * the query into 0..127 and take the offset back out per row.
   */
  readonly sums: number;
  /** The stored rows, `strideWords` u32 each. */
  readonly vectors: number;
  /** f32 originals for rescoring (int8 storage only), `queryStride` each. */
  readonly originals: number;
  /** Total bytes used. */
  readonly end: number;
}

function regionsFor(row: RowLayout, capacity: number, maskWords: number): Regions {
  let at = 0;
  const take = (bytes: number): number => {
    const start = at;
    at = align(at + bytes);
    return start;
  };
  const int8 = row.storage === 'int8';
  const queries = take(MAX_BATCH * row.queryStride * 4);
  const queriesI8 = take(MAX_BATCH * row.strideWords * 4);
  const queryScales = take(MAX_BATCH * 4);
  const mask = take(maskWords * 4);
  const outRows = take(MAX_BATCH * MAX_CANDIDATES * 4);
  const outScores = take(MAX_BATCH * MAX_CANDIDATES * 4);
  const sessions = take(capacity * 4);
  const scales = take(int8 ? capacity * 4 : 0);
  const sums = take(int8 ? capacity * 4 : 0);
  const vectors = take(capacity * row.strideWords * 4);
  const originals = take(int8 ? capacity * row.queryStride * 4 : 0);
  return {
    queries,
    queriesI8,
    queryScales,
    mask,
    outRows,
    outScores,
    sessions,
    scales,
    sums,
    vectors,
    originals,
    end: at,
  };
}

/**
 * The host copy of an index: every row in one `WebAssembly.Memory`, so the WASM kernels scan
 * it in place, the TypeScript kernels read it through views, and the GPU mirror uploads its
 * bytes as they are. Capacity grows geometrically; growing lays the regions out anew in a
 * fresh memory (`generation` changes, views must be re-read).
 */
export class HostStore {
  memory: WebAssembly.Memory;
  regions: Regions;
  capacity: number;
  maskWords: number;
  /** Rows in use, live or removed: the scan range. */
  rows = 0;
  /** Bumped whenever `memory` or `regions` change. */
  generation = 0;
  /** Rows written since the GPU mirror last synced: [from, to). */
  dirtyFrom = Infinity;
  dirtyTo = 0;
  private cachedViews: StoreViews | undefined;

  constructor(
    readonly row: RowLayout,
    capacity = 1024,
  ) {
    this.capacity = Math.max(16, capacity);
    this.maskWords = 4;
    this.regions = regionsFor(row, this.capacity, this.maskWords);
    this.memory = allocate(this.regions.end, row, this.capacity);
  }

  /** Typed views over the current memory; re-read after any growth. */
  get views(): StoreViews {
    const cached = this.cachedViews;
    if (cached && cached.buffer === this.memory.buffer) return cached;
    const fresh = new StoreViews(this.memory.buffer, this.regions, this.row, this.capacity, this);
    this.cachedViews = fresh;
    return fresh;
  }

  /** Makes room for `rows` rows and `sessions` session ordinals (ordinal 0 included). */
  reserve(rows: number, sessions: number): void {
    const needWords = Math.ceil(sessions / 32);
    if (rows <= this.capacity && needWords <= this.maskWords) return;
    let capacity = this.capacity;
    while (capacity < rows) capacity *= 2;
    let maskWords = this.maskWords;
    while (maskWords < needWords) maskWords *= 2;
    const regions = regionsFor(this.row, capacity, maskWords);
    const memory = allocate(regions.end, this.row, capacity);
    const from = new Uint8Array(this.memory.buffer);
    const to = new Uint8Array(memory.buffer);
    const keep = (name: keyof Regions, bytesPerRow: number): void => {
      const n = this.rows * bytesPerRow;
      to.set(from.subarray(this.regions[name], this.regions[name] + n), regions[name]);
    };
    keep('sessions', 4);
    keep('vectors', this.row.strideWords * 4);
    if (this.row.storage === 'int8') {
      keep('scales', 4);
      keep('sums', 4);
      keep('originals', this.row.queryStride * 4);
    }
    this.memory = memory;
    this.regions = regions;
    this.capacity = capacity;
    this.maskWords = maskWords;
    this.generation++;
    this.markDirty(0, this.rows);
  }

  /** Stores the unit vector `unit` (length `dim`) at `row` for session ordinal `ordinal`. */
  write(row: number, unit: ArrayLike<number>, ordinal: number): void {
    const v = this.views;
    const { dim, storage, strideWords, queryStride } = this.row;
    v.sessions[row] = ordinal;
    if (storage === 'f32') {
      const base = row * strideWords;
      for (let i = 0; i < dim; i++) v.f32[base + i] = unit[i]!;
    } else if (storage === 'f16') {
      const base = row * strideWords * 2;
      for (let i = 0; i < dim; i++) v.f16[base + i] = toHalf(unit[i]!);
    } else {
      const base = row * queryStride;
      for (let i = 0; i < dim; i++) v.originals[base + i] = unit[i]!;
      this.encode(row);
    }
    if (row >= this.rows) this.rows = row + 1;
    this.markDirty(row, row + 1);
  }

  /**
   * Copies `count` rows already in this layout (normalized, `strideWords` u32 each) to rows
   * `row`.. in one `set`: how a persistent store reloads its chunks without converting. For
   * int8 the rows are the f32 originals (`queryStride` words each), the part of the layout a
   * store keeps; the codes are derived from them exactly as {@link write} derives them.
   */
  writeRows(row: number, words: Uint32Array, count: number, ordinals: ArrayLike<number>): void {
    const v = this.views;
    const { storage, strideWords, queryStride } = this.row;
    if (storage === 'int8') {
      v.originals.set(
        new Float32Array(words.buffer, words.byteOffset, count * queryStride),
        row * queryStride,
      );
      for (let i = row; i < row + count; i++) this.encode(i);
    } else {
      v.u32.set(words.subarray(0, count * strideWords), row * strideWords);
    }
    for (let i = 0; i < count; i++) v.sessions[row + i] = ordinals[i]!;
    if (row + count > this.rows) this.rows = row + count;
    this.markDirty(row, row + count);
  }

  /**
   * The int8 codes, scale and code sum of `row` from its f32 original: from the stored f32
   * values, not the f64 ones they were rounded from, so that a row reloaded from its original
   * gets the very codes it had.
   */
  private encode(row: number): void {
    const v = this.views;
    const { dim, strideWords, queryStride } = this.row;
    const original = v.originals.subarray(row * queryStride, row * queryStride + dim);
    v.scales[row] = quantize(original, dim, v.i8, row * strideWords * 4);
    v.sums[row] = codeSum(v.i8, row * strideWords * 4, dim);
  }

  /** Marks `row` removed: no kernel returns it again. */
  tombstone(row: number): void {
    this.views.sessions[row] = 0;
    this.markDirty(row, row + 1);
  }

  /** Moves `from` onto `to` (to < from), for compaction. */
  move(from: number, to: number): void {
    const v = this.views;
    const words = this.row.strideWords;
    v.u32.copyWithin(to * words, from * words, (from + 1) * words);
    v.sessions[to] = v.sessions[from]!;
    if (this.row.storage === 'int8') {
      const q = this.row.queryStride;
      v.originals.copyWithin(to * q, from * q, (from + 1) * q);
      v.scales[to] = v.scales[from]!;
      v.sums[to] = v.sums[from]!;
    }
    this.markDirty(to, to + 1);
  }

  /** Shrinks the scan range to `rows` after compaction. */
  truncate(rows: number): void {
    this.views.sessions.fill(0, rows, this.rows);
    this.markDirty(rows, this.rows);
    this.rows = rows;
  }

  /** Hands the dirty row range to the GPU mirror and clears it. */
  takeDirty(): { from: number; to: number } | undefined {
    if (this.dirtyFrom >= this.dirtyTo) return undefined;
    const range = { from: this.dirtyFrom, to: this.dirtyTo };
    this.dirtyFrom = Infinity;
    this.dirtyTo = 0;
    return range;
  }

  /** Bytes of host memory held. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Marks rows [from, to) for upload to the GPU mirror. */
  markDirty(from: number, to: number): void {
    if (from < this.dirtyFrom) this.dirtyFrom = from;
    if (to > this.dirtyTo) this.dirtyTo = to;
  }
}

/** Typed views of the store's regions over one `ArrayBuffer`. */
export class StoreViews {
  /** The stored rows as u32 words (any storage). */
  readonly u32: Uint32Array;
  /** f32 rows (f32 storage). */
  readonly f32: Float32Array;
  /** binary16 rows, two per u32 word, low half first (f16 storage). */
  readonly f16: Uint16Array;
  /** int8 rows (int8 storage). */
  readonly i8: Int8Array;
  readonly sessions: Uint32Array;
  readonly scales: Float32Array;
  readonly sums: Int32Array;
  readonly originals: Float32Array;
  readonly queries: Float32Array;
  readonly queriesI8: Int8Array;
  readonly queryScales: Float32Array;
  readonly mask: Uint32Array;
  readonly outRows: Int32Array;
  readonly outScores: Float32Array;

  constructor(
    readonly buffer: ArrayBuffer,
    r: Regions,
    row: RowLayout,
    capacity: number,
    store: HostStore,
  ) {
    const words = capacity * row.strideWords;
    this.u32 = new Uint32Array(buffer, r.vectors, words);
    this.f32 = new Float32Array(buffer, r.vectors, words);
    this.f16 = new Uint16Array(buffer, r.vectors, words * 2);
    this.i8 = new Int8Array(buffer, r.vectors, words * 4);
    this.sessions = new Uint32Array(buffer, r.sessions, capacity);
    const int8 = row.storage === 'int8';
    this.scales = new Float32Array(buffer, r.scales, int8 ? capacity : 0);
    this.sums = new Int32Array(buffer, r.sums, int8 ? capacity : 0);
    this.originals = new Float32Array(buffer, r.originals, int8 ? capacity * row.queryStride : 0);
    this.queries = new Float32Array(buffer, r.queries, MAX_BATCH * row.queryStride);
    this.queriesI8 = new Int8Array(buffer, r.queriesI8, MAX_BATCH * row.strideWords * 4);
    this.queryScales = new Float32Array(buffer, r.queryScales, MAX_BATCH);
    this.mask = new Uint32Array(buffer, r.mask, store.maskWords);
    this.outRows = new Int32Array(buffer, r.outRows, MAX_BATCH * MAX_CANDIDATES);
    this.outScores = new Float32Array(buffer, r.outScores, MAX_BATCH * MAX_CANDIDATES);
  }
}

/**
 * Symmetric int8 quantization of `dim` values into `out` at `offset`: q = round(x / s) with
 * s = max|x| / levels, so codes lie in -levels..levels. Returns s, so that x ≈ q * s. Rows use
 * 127 levels; queries use {@link QUERY_LEVELS}.
 */
export function quantize(
  values: ArrayLike<number>,
  dim: number,
  out: Int8Array,
  offset: number,
  levels = 127,
): number {
  let max = 0;
  for (let i = 0; i < dim; i++) max = Math.max(max, Math.abs(values[i]!));
  const scale = max > 0 ? max / levels : 1;
  for (let i = 0; i < dim; i++) out[offset + i] = Math.round(values[i]! / scale);
  return scale;
}

/**
 * Levels of an int8 query: -63..63, so that query + 64 fits relaxed SIMD's 7-bit operand. Every
 * backend scans the same codes, so their estimates stay equal; the f32 rescoring of the
 * candidates makes up for the lost bit.
 */
export const QUERY_LEVELS = 63;

/** The sum of `n` int8 codes from `offset`. */
function codeSum(codes: Int8Array, offset: number, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += codes[offset + i]!;
  return sum;
}

function allocate(bytes: number, row: RowLayout, capacity: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) {
    throw new MemoryError(
      'BAD_INPUT',
      `${capacity} vectors of ${row.dim} ${row.storage} do not fit in 4 GiB of host memory`,
    );
  }
  return new WebAssembly.Memory({ initial: pages });
}
