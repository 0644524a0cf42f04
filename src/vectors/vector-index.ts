import { MemoryError, check } from '../errors.js';
import { TsScan } from '../cpu/scan.js';
import { WasmScan, wasmSimdSupported } from '../cpu/wasm-scan.js';
import { acquireGpu, type GpuContext, type GpuInfo, type GpuOption } from '../gpu/device.js';
import { GpuScan } from '../gpu/scan.js';
import type { BackendName, ScanBackend } from './backend.js';
import { cpuChoice, staticChoice, timeBest, type BackendChoice } from './choose.js';
import { HostStore, QUERY_LEVELS, quantize } from './host-store.js';
import {
  MAX_BATCH,
  int8Candidates,
  restoreStride,
  rowLayout,
  type VectorStorage,
} from './layout.js';
import { checkId, checkK, checkVector } from './validate.js';

/** Options of {@link createVectorIndex}. */
export interface VectorIndexOptions {
  /** Vector length, e.g. 384. */
  dim: number;
  /** Element type on the host and the GPU: `'f32'` (default), `'f16'` or `'int8'`. */
  storage?: VectorStorage;
  /** `'auto'` (default), `'cpu'`, an app's `GPUDevice`, or a `GPU` entry point. */
  gpu?: GpuOption;
  /** `'auto'` (default) lets the index choose and say why; a name forces that backend. */
  backend?: 'auto' | BackendName;
  /** Rows to reserve up front; the index grows geometrically past it. */
  initialCapacity?: number;
}

/** One vector to store. `session` defaults to `'default'`. */
export interface VectorRecord {
  id: string;
  vector: ArrayLike<number>;
  session?: string;
}

/** What `search` keeps: all sessions, or only those named (a hard filter, applied in-kernel). */
export interface SearchFilter {
  session?: string | readonly string[];
}

export interface SearchOptions {
  /** How many results per query, 1 to MAX_K. */
  k: number;
  filter?: SearchFilter;
}

/** One result: the id, its cosine similarity to the query, and its session. */
export interface SearchHit {
  id: string;
  score: number;
  session: string;
}

const DEFAULT_SESSION = 'default';
/** Below this many rows a GPU round trip costs more than a CPU scan; no calibration. */
const CALIBRATE_FROM_ROWS = 4096;

/**
 * Creates a vector index: normalized vectors searched by cosine similarity on the GPU, WASM
 * SIMD or plain TypeScript, with a hard session filter, tombstoned removal and compaction.
 *
 * @example
 * const index = await createVectorIndex({ dim: 384, storage: 'f16' });
 * index.upsert({ id: 'turn-1', vector: embedding, session: 'chat-42' });
 * const hits = await index.search(queryEmbedding, { k: 10, filter: { session: 'chat-42' } });
 * console.log(index.backend.name, index.backend.reason, hits[0]?.id);
 */
export async function createVectorIndex(options: VectorIndexOptions): Promise<VectorIndex> {
  const { dim, storage = 'f32', gpu = 'auto', backend = 'auto', initialCapacity = 1024 } = options;
  check(
    Number.isInteger(dim) && dim > 0 && dim <= 8192,
    `dim must be an integer 1..8192, got ${dim}`,
  );
  check(
    ['f32', 'f16', 'int8'].includes(storage),
    `storage must be f32, f16 or int8, got ${storage}`,
  );
  check(['auto', 'gpu', 'wasm', 'ts'].includes(backend), `unknown backend ${String(backend)}`);
  check(Number.isInteger(initialCapacity) && initialCapacity >= 0, 'initialCapacity must be >= 0');
  const wasm = wasmSimdSupported() ? await WasmScan.create() : undefined;
  const context = await acquireGpu(gpu);
  const index = new VectorIndex(
    new HostStore(rowLayout(dim, storage), initialCapacity),
    wasm,
    context,
  );
  try {
    await index.useBackend(backend);
  } catch (error) {
    index.destroy();
    throw error;
  }
  return index;
}

/** See {@link createVectorIndex}. */
export class VectorIndex {
  readonly dim: number;
  readonly storage: VectorStorage;
  private readonly ids: (string | undefined)[] = [];
  private readonly rowOf = new Map<string, number>();
  private readonly sessionNames: string[] = [''];
  private readonly ordinalOf = new Map<string, number>();
  private readonly ts = new TsScan();
  private gpuScan: GpuScan | undefined;
  private forced: BackendName | undefined;
  private choice: BackendChoice;
  private calibratedRows = 0;
  private removed = 0;
  private compactionQueued = false;
  private queue: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  /** @internal Use {@link createVectorIndex}. */
  constructor(
    private readonly store: HostStore,
    private readonly wasm: WasmScan | undefined,
    private readonly gpu: GpuContext | undefined,
  ) {
    this.dim = store.row.dim;
    this.storage = store.row.storage;
    this.choice = cpuChoice(this.abilities, 'not chosen yet');
    gpu?.onLost(() => {
      this.gpuScan?.destroy();
      this.gpuScan = undefined;
    });
  }

  /** Live vectors. */
  get size(): number {
    return this.rowOf.size;
  }

  /** The backend searches run on, and why. */
  get backend(): BackendChoice {
    return this.choice;
  }

  /** The GPU adapter in use, if any (also when the CPU path was chosen over it). */
  get gpuInfo(): GpuInfo | undefined {
    return this.gpu?.info;
  }

  /** Bytes held on the host (WASM memory) and on the GPU. */
  get bytes(): { host: number; gpu: number } {
    return { host: this.store.bytes, gpu: this.gpuScan?.bytes ?? 0 };
  }

  /** True when `id` is stored. */
  has(id: string): boolean {
    this.alive();
    return this.rowOf.has(id);
  }

  /**
   * Stores vectors (normalized here, so search scores are cosines). An existing id is
   * replaced in place. Everything is checked before anything is written.
   */
  upsert(records: VectorRecord | readonly VectorRecord[]): void {
    this.alive();
    const list: readonly VectorRecord[] = Array.isArray(records)
      ? records
      : [records as VectorRecord];
    const norms = list.map((record, i) => {
      check(record && typeof record === 'object', `record ${i} must be an object`);
      checkId(record.id, `record ${i} id`);
      if (record.session !== undefined) checkId(record.session, `record ${i} session`);
      return checkVector(record.vector, this.dim, `record ${i} (${record.id}) vector`);
    });
    const fresh = new Set(list.filter((r) => !this.rowOf.has(r.id)).map((r) => r.id));
    for (const record of list) this.ordinal(record.session ?? DEFAULT_SESSION);
    this.store.reserve(this.store.rows + fresh.size, this.sessionNames.length);
    const unit = new Float64Array(this.dim);
    list.forEach((record, i) => {
      const norm = norms[i]!;
      for (let d = 0; d < this.dim; d++) unit[d] = record.vector[d]! / norm;
      let row = this.rowOf.get(record.id);
      if (row === undefined) {
        row = this.store.rows;
        this.rowOf.set(record.id, row);
        this.ids[row] = record.id;
      }
      this.store.write(row, unit, this.ordinal(record.session ?? DEFAULT_SESSION));
    });
  }

  /**
   * Appends rows already in this index's layout (normalized, as a persistent store's chunks
   * keep them): f16 or f32 rows, one copy, no conversion; for int8 the f32 originals (see
   * {@link restoreStride}), copied, with the codes derived from them. Null ids skip their row.
   */
  restore(
    ids: readonly (string | null)[],
    sessions: readonly string[],
    words: Uint32Array,
    /** Rows about to be restored in all (this call and the next ones): one growth for all. */
    reserveRows = ids.length,
  ): void {
    this.alive();
    check(words.length >= ids.length * restoreStride(this.store.row), 'restore(): rows too short');
    const start = this.store.rows;
    const rows = start + Math.max(ids.length, reserveRows);
    this.store.reserve(rows, this.sessionNames.length + new Set(sessions).size);
    const ordinals = ids.map((id, i) => (id === null ? 0 : this.ordinal(sessions[i]!)));
    this.store.writeRows(start, words, ids.length, ordinals);
    ids.forEach((id, i) => {
      if (id === null) return void this.removed++;
      const old = this.rowOf.get(id);
      if (old !== undefined) {
        this.store.tombstone(old);
        this.ids[old] = undefined;
        this.removed++;
      }
      this.rowOf.set(id, start + i);
      this.ids[start + i] = id;
    });
  }

  /** Removes vectors by id (tombstones, compacted in the background). Unknown ids throw. */
  remove(ids: string | readonly string[]): void {
    this.alive();
    const list = typeof ids === 'string' ? [ids] : ids;
    check(Array.isArray(list), 'remove() takes an id or an array of ids');
    for (const id of list) {
      checkId(id);
      check(this.rowOf.has(id), `unknown id ${id}`);
    }
    for (const id of new Set(list)) {
      const row = this.rowOf.get(id)!;
      this.store.tombstone(row);
      this.rowOf.delete(id);
      this.ids[row] = undefined;
      this.removed++;
    }
    if (this.removed > Math.max(256, this.store.rows / 4) && !this.compactionQueued) {
      this.compactionQueued = true;
      setTimeout(() => void this.compact().catch(() => undefined), 0);
    }
  }

  /**
   * Removes every vector of a session (tombstones, like `remove`); returns how many.
   *
   * @example
   * index.removeSession('chat-42'); // 17
   */
  removeSession(session: string): number {
    this.alive();
    checkId(session, 'session');
    const ordinal = this.ordinalOf.get(session);
    if (ordinal === undefined) return 0;
    const rows = this.store.views.sessions;
    const ids: string[] = [];
    for (const [id, row] of this.rowOf) if (rows[row] === ordinal) ids.push(id);
    if (ids.length) this.remove(ids);
    return ids.length;
  }

  /** The best `k` vectors for one query (cosine, highest first; ties: earlier insert first). */
  search(query: ArrayLike<number>, options: SearchOptions): Promise<SearchHit[]>;
  /** The best `k` vectors for each query of a batch. */
  search(queries: readonly ArrayLike<number>[], options: SearchOptions): Promise<SearchHit[][]>;
  async search(
    input: ArrayLike<number> | readonly ArrayLike<number>[],
    options: SearchOptions,
  ): Promise<SearchHit[] | SearchHit[][]> {
    this.alive();
    const batch = Array.isArray(input) && input.length > 0 && typeof input[0] === 'object';
    const queries = (batch ? input : [input]) as readonly ArrayLike<number>[];
    check(options && typeof options === 'object', 'search() needs options with k');
    const k = checkK(options.k);
    const units = queries.map((q, i) => {
      const norm = checkVector(q, this.dim, batch ? `query ${i}` : 'query');
      const unit = new Float32Array(this.store.row.queryStride);
      for (let d = 0; d < this.dim; d++) unit[d] = q[d]! / norm;
      return unit;
    });
    const allowed = this.allowedOrdinals(options.filter);
    const results = await this.serial(() => this.run(units, k, allowed));
    return batch ? results : results[0]!;
  }

  /** Moves live rows over removed ones so scans stop paying for them. */
  compact(): Promise<void> {
    this.alive();
    return this.serial(() => {
      this.compactionQueued = false;
      const sessions = this.store.views.sessions;
      let to = 0;
      for (let from = 0; from < this.store.rows; from++) {
        if (sessions[from] === 0) continue;
        if (from !== to) {
          this.store.move(from, to);
          const id = this.ids[from]!;
          this.ids[to] = id;
          this.rowOf.set(id, to);
        }
        to++;
      }
      this.store.truncate(to);
      this.ids.length = to;
      this.removed = 0;
    });
  }

  /** Forces a backend (`'gpu'`, `'wasm'`, `'ts'`), or `'auto'` to let the index choose. */
  async useBackend(name: 'auto' | BackendName): Promise<void> {
    this.alive();
    if (name === 'gpu' && !this.gpu?.device) {
      throw new MemoryError(
        'WEBGPU_UNAVAILABLE',
        'backend "gpu" was asked for but there is no GPU device',
      );
    }
    if (name === 'wasm' && !this.wasm) throw new MemoryError('WASM_UNAVAILABLE');
    this.forced = name === 'auto' ? undefined : name;
    this.calibratedRows = 0;
    await this.serial(() => this.pick());
  }

  /** Frees host memory and GPU buffers; idempotent. Any later call throws `DESTROYED`. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.gpuScan?.destroy();
    this.gpuScan = undefined;
    this.gpu?.destroy();
    this.rowOf.clear();
  }

  private get abilities() {
    return { wasm: this.wasm?.flavour, gpu: this.gpu };
  }

  private alive(): void {
    if (this.destroyed) throw new MemoryError('DESTROYED', 'this vector index was destroyed');
  }

  private ordinal(session: string): number {
    let ordinal = this.ordinalOf.get(session);
    if (ordinal === undefined) {
      ordinal = this.sessionNames.length;
      this.sessionNames.push(session);
      this.ordinalOf.set(session, ordinal);
    }
    return ordinal;
  }

  private allowedOrdinals(filter: SearchFilter | undefined): number[] | undefined {
    if (filter?.session === undefined) return undefined;
    const names = typeof filter.session === 'string' ? [filter.session] : filter.session;
    check(Array.isArray(names), 'filter.session must be a session id or an array of them');
    names.forEach((name) => checkId(name, 'filter.session'));
    return names.flatMap((name) => this.ordinalOf.get(name) ?? []);
  }

  private serial<T>(work: () => T | Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(units: Float32Array[], k: number, allowed: number[] | undefined) {
    const results: SearchHit[][] = [];
    const kScan = this.storage === 'int8' ? int8Candidates(k) : k;
    for (let start = 0; start < units.length; start += MAX_BATCH) {
      this.alive();
      const group = units.slice(start, start + MAX_BATCH);
      const backend = await this.pick();
      await this.scan(backend, group, kScan, allowed);
      for (let q = 0; q < group.length; q++) results.push(this.collect(group[q]!, q, kScan, k));
    }
    return results;
  }

  /** Stages queries and mask into the store, then scans; a GPU lost mid-scan falls back. */
  private async scan(backend: ScanBackend, group: Float32Array[], k: number, allowed?: number[]) {
    this.stage(group, allowed);
    try {
      await backend.scan(this.store, group.length, k);
    } catch (error) {
      if (backend.name !== 'gpu') throw error;
      // A device lost mid-search (its loss event may not have fired yet) or any other GPU
      // failure: the host copy is whole, so the CPU answers and the caller sees no error.
      const why = error instanceof Error ? error.message : String(error);
      this.choice = cpuChoice(this.abilities, `the GPU search failed (${why})`);
      this.stage(group, allowed); // the store may have grown into a new memory meanwhile
      await this.cpuBackend().scan(this.store, group.length, k);
    }
  }

  private stage(group: Float32Array[], allowed: number[] | undefined): void {
    const v = this.store.views;
    const { queryStride, strideWords } = this.store.row;
    group.forEach((unit, q) => {
      v.queries.set(unit, q * queryStride);
      if (this.storage === 'int8') {
        v.queriesI8.fill(0, q * strideWords * 4, (q + 1) * strideWords * 4);
        v.queryScales[q] = quantize(unit, this.dim, v.queriesI8, q * strideWords * 4, QUERY_LEVELS);
      }
    });
    if (allowed) {
      v.mask.fill(0);
      for (const s of allowed) v.mask[s >>> 5]! |= 1 << (s & 31);
    } else {
      v.mask.fill(0xffffffff);
      v.mask[0]! &= ~1; // ordinal 0: removed rows
    }
  }

  /** Reads query q's rows; for int8, rescores the candidates exactly against f32 originals. */
  private collect(unit: Float32Array, q: number, kScan: number, k: number): SearchHit[] {
    const v = this.store.views;
    let picked: { row: number; score: number }[] = [];
    for (let j = 0; j < kScan; j++) {
      const row = v.outRows[q * kScan + j]!;
      if (row < 0) break;
      picked.push({ row, score: v.outScores[q * kScan + j]! });
    }
    if (this.storage === 'int8') {
      const stride = this.store.row.queryStride;
      for (const hit of picked) {
        let dot = 0;
        for (let d = 0; d < this.dim; d++) dot += unit[d]! * v.originals[hit.row * stride + d]!;
        hit.score = dot;
      }
      picked.sort((a, b) => b.score - a.score || a.row - b.row);
      picked = picked.slice(0, k);
    }
    return picked.flatMap(({ row, score }) => {
      const id = this.ids[row];
      return id === undefined ? [] : [{ id, score, session: this.sessionNames[v.sessions[row]!]! }];
    });
  }

  private cpuBackend(): ScanBackend {
    return this.wasm ?? this.ts;
  }

  /** Resolves the backend for the next scan: forced, fixed by the facts, or calibrated. */
  private async pick(): Promise<ScanBackend> {
    if (this.forced === 'ts')
      return this.settle({ name: 'ts', reason: 'forced by the app' }, this.ts);
    if (this.forced === 'wasm')
      return this.settle({ name: 'wasm', reason: 'forced by the app' }, this.wasm!);
    if (this.forced === 'gpu' && this.gpu?.device) {
      return this.settle({ name: 'gpu', reason: 'forced by the app' }, await this.gpuBackend());
    }
    const fixed = staticChoice(this.abilities);
    if (fixed) return this.settle(fixed, this.cpuBackend());
    const gpu = await this.gpuBackend();
    const rows = this.store.rows;
    if (rows < CALIBRATE_FROM_ROWS) {
      return this.settle(
        cpuChoice(this.abilities, `${rows} rows: a GPU round trip costs more than a CPU scan`),
        this.cpuBackend(),
      );
    }
    if (rows >= 2 * this.calibratedRows || rows * 2 < this.calibratedRows) {
      await this.calibrate(gpu, rows);
    }
    return this.choice.name === 'gpu' ? gpu : this.cpuBackend();
  }

  private settle(choice: BackendChoice, backend: ScanBackend): ScanBackend {
    this.choice = choice;
    return backend;
  }

  private async gpuBackend(): Promise<GpuScan> {
    // A fresh GpuScan uploads every row of a store it has not seen: after a device loss the
    // new device gets the whole host copy. Its storage's pipeline is built up front.
    this.gpuScan ??= await GpuScan.create(this.gpu!.device!, { storage: this.storage });
    return this.gpuScan;
  }

  /** Times one search of the current rows on the GPU and the CPU and keeps the faster. */
  private async calibrate(gpu: GpuScan, rows: number): Promise<void> {
    this.stage(
      [new Float32Array(this.store.row.queryStride).fill(1 / Math.sqrt(this.dim))],
      undefined,
    );
    const cpu = this.cpuBackend();
    const gpuMs = await timeBest(() => gpu.scan(this.store, 1, 10));
    const cpuMs = await timeBest(() => cpu.scan(this.store, 1, 10));
    this.calibratedRows = rows;
    const figures = `${rows} rows: GPU ${gpuMs.toFixed(2)} ms vs ${cpu.name} ${cpuMs.toFixed(2)} ms`;
    this.choice =
      gpuMs < cpuMs
        ? { name: 'gpu', reason: `calibrated at ${figures}` }
        : cpuChoice(this.abilities, `calibrated at ${figures}`);
  }
}
