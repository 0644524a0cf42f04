import { MemoryError, check } from '../errors.js';
import type { ScanBackend } from '../vectors/backend.js';
import type { HostStore } from '../vectors/host-store.js';
import { MAX_BATCH, MAX_CANDIDATES } from '../vectors/layout.js';
import { kernelsBase64, kernelsRelaxedBase64 } from '../wasm/kernels.generated.js';

/** The exports of assembly/scan.ts; pointers are byte offsets into the store's memory. */
interface Kernels {
  scanF32(
    vectors: number,
    sessions: number,
    rows: number,
    strideWords: number,
    queries: number,
    queryStride: number,
    nq: number,
    mask: number,
    maskWords: number,
    k: number,
    outRows: number,
    outScores: number,
  ): void;
  scanF16: Kernels['scanF32'];
  scanI8(
    vectors: number,
    scales: number,
    sums: number,
    sessions: number,
    rows: number,
    strideWords: number,
    queriesI8: number,
    queryScales: number,
    nq: number,
    mask: number,
    maskWords: number,
    k: number,
    outRows: number,
    outScores: number,
  ): void;
  streamSum(ptr: number, bytes: number): number;
}

/** The kernels bound to one memory of one store. */
interface Binding {
  readonly memory: WebAssembly.Memory;
  readonly generation: number;
  readonly kernels: Kernels;
}

// The smallest module that uses a SIMD instruction: (func (result v128) v128.const 0).
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
]);

/**
 * Whether this runtime runs WebAssembly with SIMD (every current browser and Node 16+).
 *
 * @example
 * const backend = wasmSimdSupported() ? await WasmScan.create() : new TsScan();
 */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** Which build of the kernels runs: relaxed SIMD's i8 dot-add where the runtime has it. */
export type WasmFlavour = 'simd' | 'relaxed-simd';

let flavourSeen: WasmFlavour | undefined;

/**
 * The kernel build this runtime takes: relaxed SIMD where it validates and gives the plain
 * build's exact int8 results on a known case, else plain SIMD. The check matters: Node 20's
 * experimental relaxed SIMD (behind a flag) validates but computes an older draft's dot.
 */
export function wasmFlavour(): WasmFlavour {
  flavourSeen ??= relaxedAgrees() ? 'relaxed-simd' : 'simd';
  return flavourSeen;
}

function relaxedAgrees(): boolean {
  const relaxed = decodeBase64(kernelsRelaxedBase64);
  if (!wasmSimdSupported() || !WebAssembly.validate(relaxed)) return false;
  // 8 rows of 32 int8 codes (-127..127, extremes included) with their sums, one query of
  // -63..63 (the extremes again), k = 8.
  const memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = new Int8Array(memory.buffer);
  const sums = new Int32Array(memory.buffer, 640, 8);
  for (let i = 0; i < 8 * 32; i++) {
    bytes[i] = i % 11 === 0 ? 127 : ((i * 37) % 255) - 127;
    sums[i >> 5]! += bytes[i]!;
  }
  for (let i = 0; i < 32; i++) bytes[1024 + i] = i % 3 === 0 ? -63 : ((i * 53) % 127) - 63;
  new Float32Array(memory.buffer, 512, 8).fill(1);
  new Uint32Array(memory.buffer, 768, 8).fill(1);
  new Float32Array(memory.buffer, 1088, 1)[0] = 1;
  new Uint32Array(memory.buffer, 1104, 1)[0] = 2;
  const results = [kernelsBase64, kernelsRelaxedBase64].map((base64) => {
    const kernels = instantiate(new WebAssembly.Module(decodeBase64(base64)), memory);
    kernels.scanI8(0, 512, 640, 768, 8, 8, 1024, 1088, 1, 1104, 1, 8, 2048, 2048 + 32);
    return new Int32Array(memory.buffer, 2048, 16).join();
  });
  return results[0] === results[1];
}

// The compiled module is immutable, so one per process serves every store and instance.
let compiled: Promise<{ module: WebAssembly.Module; flavour: WasmFlavour }> | undefined;

function kernelsModule(): Promise<{ module: WebAssembly.Module; flavour: WasmFlavour }> {
  if (!wasmSimdSupported()) return Promise.reject(new MemoryError('WASM_UNAVAILABLE'));
  const flavour = wasmFlavour();
  const bytes = decodeBase64(flavour === 'relaxed-simd' ? kernelsRelaxedBase64 : kernelsBase64);
  compiled ??= WebAssembly.compile(bytes).then(
    (module) => ({ module, flavour }),
    (cause: unknown) => {
      compiled = undefined; // let a later call try again
      throw new MemoryError('WASM_UNAVAILABLE', 'the SIMD kernels did not compile', { cause });
    },
  );
  return compiled;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernels {
  // Synchronous on purpose: the module is a few KiB, far below any browser's main-thread limit.
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as Kernels;
}

/**
 * The WebAssembly SIMD scan: the CPU path where WebGPU is missing or slower. It reads the
 * store's rows in place (the store's memory is the module's memory), keeps each query's best
 * k inside WASM, and matches the TypeScript twin (`TsScan`) row for row.
 *
 * @example
 * const scan = await WasmScan.create();
 * scan.scan(store, 1, 10); // results in store.views.outRows / outScores
 */
export class WasmScan implements ScanBackend {
  readonly name = 'wasm' as const;
  private bindings = new WeakMap<HostStore, Binding>();
  private destroyed = false;

  private constructor(
    private readonly module: WebAssembly.Module,
    /** The kernel build in use: `'relaxed-simd'` scans int8 with one dot-add per 16 bytes. */
    readonly flavour: WasmFlavour,
  ) {}

  /**
   * Compiles the kernels (once per process) and returns a scan; throws `WASM_UNAVAILABLE`
   * where WebAssembly SIMD is missing.
   */
  static async create(): Promise<WasmScan> {
    const { module, flavour } = await kernelsModule();
    return new WasmScan(module, flavour);
  }

  /** Scans synchronously; see {@link ScanBackend.scan} for what it reads and writes. */
  scan(store: HostStore, nq: number, k: number): void {
    if (this.destroyed) throw new MemoryError('DESTROYED', 'this WASM scan was destroyed');
    // The kernels write nq × k results unchecked: bound them to the output regions.
    check(Number.isInteger(nq) && nq >= 1 && nq <= MAX_BATCH, `nq must be 1..${MAX_BATCH}`);
    check(Number.isInteger(k) && k >= 1 && k <= MAX_CANDIDATES, `k must be 1..${MAX_CANDIDATES}`);
    const kernels = this.kernelsFor(store);
    const r = store.regions;
    const { storage, strideWords, queryStride } = store.row;
    if (storage === 'int8') {
      kernels.scanI8(
        r.vectors,
        r.scales,
        r.sums,
        r.sessions,
        store.rows,
        strideWords,
        r.queriesI8,
        r.queryScales,
        nq,
        r.mask,
        store.maskWords,
        k,
        r.outRows,
        r.outScores,
      );
      return;
    }
    const kernel = storage === 'f32' ? kernels.scanF32 : kernels.scanF16;
    kernel(
      r.vectors,
      r.sessions,
      store.rows,
      strideWords,
      r.queries,
      queryStride,
      nq,
      r.mask,
      store.maskWords,
      k,
      r.outRows,
      r.outScores,
    );
  }

  /** Drops every instance; idempotent. A later `scan` throws `DESTROYED`. */
  destroy(): void {
    this.destroyed = true;
    this.bindings = new WeakMap();
  }

  /** The kernels over the store's current memory; a grown store has a new one. */
  private kernelsFor(store: HostStore): Kernels {
    const bound = this.bindings.get(store);
    if (bound && bound.generation === store.generation && bound.memory === store.memory) {
      return bound.kernels;
    }
    const kernels = instantiate(this.module, store.memory);
    this.bindings.set(store, { memory: store.memory, generation: store.generation, kernels });
    return kernels;
  }
}

/** One bandwidth measurement: the best of several SIMD reads of the same bytes. */
export interface Bandwidth {
  readonly bytes: number;
  /** Seconds the fastest read took. */
  readonly seconds: number;
  readonly bytesPerSecond: number;
  /** The i32 sum of the bytes read as little-endian words (wrapping), for a caller to check. */
  readonly checksum: number;
}

/** Where {@link measureBandwidth} reads. */
export interface BandwidthOptions {
  /** Reads to time; the fastest counts. Default 5. */
  repeats?: number;
  /**
   * Memory to read, e.g. a store's, so a scan and its floor are timed over the same pages.
   * Default: a fresh memory of `bytes` bytes, written first so that reads touch real pages.
   */
  memory?: WebAssembly.Memory;
  /** Byte offset of the read in `memory`, a multiple of 16. Default 0. */
  offset?: number;
}

/**
 * Measures how fast this machine streams `bytes` bytes through WASM SIMD loads: the floor that
 * a scan of as many bytes cannot beat.
 *
 * @example
 * const floor = await measureBandwidth(100_000 * 384 * 4);
 * console.log(`${(floor.bytesPerSecond / 1e9).toFixed(1)} GB/s`);
 */
export async function measureBandwidth(
  bytes: number,
  { repeats = 5, memory, offset = 0 }: BandwidthOptions = {},
): Promise<Bandwidth> {
  check(Number.isInteger(bytes) && bytes > 0 && bytes % 16 === 0, 'bytes must be a multiple of 16');
  check(Number.isInteger(offset) && offset >= 0 && offset % 16 === 0, 'offset must be 16-aligned');
  const { module } = await kernelsModule();
  let target = memory;
  if (!target) {
    target = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const words = new Uint32Array(target.buffer, 0, bytes / 4);
    for (let i = 0; i < words.length; i++) words[i] = i;
  }
  check(offset + bytes <= target.buffer.byteLength, 'the read runs past the end of the memory');
  const kernels = instantiate(module, target);
  let seconds = Infinity;
  let checksum = 0;
  for (let i = 0; i < Math.max(1, repeats); i++) {
    const start = performance.now();
    checksum = kernels.streamSum(offset, bytes);
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
  }
  return { bytes, seconds, bytesPerSecond: bytes / seconds, checksum };
}
