import { check, MemoryError } from '../errors.js';
import type { ScanBackend } from '../vectors/backend.js';
import type { HostStore } from '../vectors/host-store.js';
import {
  MAX_BATCH,
  MAX_CANDIDATES,
  type RowLayout,
  type VectorStorage,
} from '../vectors/layout.js';
import { BufferUsage, MAP_READ } from './flags.js';
import { hostView, StoreMirror } from './mirror.js';
import { BufferPool } from './pool.js';
import { ScoreTopK } from './score-topk.js';
import { SEARCH_PARAMS_BYTES, writeSearchParams, type SearchParams } from './search-params.js';
import {
  mergeParams,
  PAIR_BYTES,
  planSearch,
  scoreParams,
  type SearchPlan,
} from './search-plan.js';
import { TopKMerge } from './topk-merge.js';

/** Options of `GpuScan.create`. */
export interface GpuScanOptions {
  /** Builds this storage's score pipeline now rather than on the first scan that needs it. */
  storage?: VectorStorage;
  /**
   * Bytes one binding of stored rows may hold, below the device's own limit; tests lower it to
   * exercise chunked binding without gigabytes of rows.
   */
  maxBindingBytes?: number;
  /** Workgroups per grid dimension, below the device's; tests lower it to exercise folding. */
  maxWorkgroupsPerDimension?: number;
}

/**
 * Workgroups one score dispatch aims at. A GPU wants thousands in flight; a software adapter
 * runs them on a few CPU threads and zeroes each one's 16 KiB of workgroup memory (~1 ms), so
 * there a workgroup takes many tiles in turn.
 */
const GPU_GROUPS = 4096;
const SOFTWARE_GROUPS = 32;

const STORAGE_IN = BufferUsage.STORAGE | BufferUsage.COPY_DST;
const CANDIDATE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC;

/**
 * The WebGPU scan: mirrors a `HostStore` on the GPU (uploading only dirty rows) and finds each
 * query's best k allowed rows with the score-topk and topk-merge kernels, reading back k pairs
 * per query through one reused staging buffer. Results follow `ScanBackend`'s order exactly.
 *
 * @example
 * const scan = await GpuScan.create(device);
 * await scan.scan(store, 1, 10); // store.views.outRows / outScores now hold the best 10
 * console.log(scan.bytes); // GPU bytes held
 * scan.destroy();
 */
export class GpuScan implements ScanBackend {
  readonly name = 'gpu' as const;
  private readonly pool: BufferPool;
  private readonly staging: GPUBuffer;
  /** Bound where a kernel wants a buffer the storage type does not use. */
  private readonly placeholder: GPUBuffer;
  private readonly maxBindingBytes: number;
  private readonly maxPerDimension: number;
  private readonly paramsStride: number;
  private readonly groupsPerDispatch: number;
  private paramWords = new Uint32Array(0);
  private params: GPUBuffer | undefined;
  private store: HostStore | undefined;
  private mirror: StoreMirror | undefined;
  private queries: GPUBuffer | undefined;
  private queryScales: GPUBuffer | undefined;
  private mask: GPUBuffer | undefined;
  private candidates: [GPUBuffer | undefined, GPUBuffer | undefined] = [undefined, undefined];
  /** Bumped when any buffer a bind group names is replaced. */
  private version = 0;
  private groups: { key: string; score: GPUBindGroup[]; merge: GPUBindGroup[] } | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private destroyed = false;
  private lost = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly merge: TopKMerge,
    options: GpuScanOptions,
  ) {
    const { limits } = device;
    this.pool = new BufferPool(device, 'gpu-scan');
    this.maxBindingBytes = Math.min(
      limits.maxStorageBufferBindingSize,
      limits.maxBufferSize,
      options.maxBindingBytes ?? Infinity,
    );
    this.maxPerDimension = Math.min(
      limits.maxComputeWorkgroupsPerDimension,
      options.maxWorkgroupsPerDimension ?? Infinity,
    );
    this.paramsStride = Math.max(SEARCH_PARAMS_BYTES, limits.minUniformBufferOffsetAlignment);
    const info = device.adapterInfo as GPUAdapterInfo | undefined;
    this.groupsPerDispatch = info?.isFallbackAdapter ? SOFTWARE_GROUPS : GPU_GROUPS;
    this.staging = this.pool.acquire(
      'staging',
      MAX_BATCH * MAX_CANDIDATES * PAIR_BYTES,
      BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    );
    this.placeholder = this.pool.acquire('placeholder', 16, BufferUsage.STORAGE);
    void device.lost.then(() => {
      this.lost = true;
    });
  }

  /** Builds the kernels' pipelines for `device`. */
  static async create(device: GPUDevice, options: GpuScanOptions = {}): Promise<GpuScan> {
    const { maxBindingBytes = Infinity, maxWorkgroupsPerDimension = Infinity } = options;
    check(maxBindingBytes >= 16, 'maxBindingBytes must be at least 16');
    check(maxWorkgroupsPerDimension >= 1, 'maxWorkgroupsPerDimension must be at least 1');
    const merge = await TopKMerge.create(device);
    if (options.storage) await ScoreTopK.create(device, options.storage);
    return new GpuScan(device, merge, options);
  }

  /** GPU bytes held: the row mirror, query and candidate buffers, staging. */
  get bytes(): number {
    return this.pool.bytes;
  }

  /** See `ScanBackend.scan`; scans queue behind each other. */
  scan(store: HostStore, nq: number, k: number): Promise<void> {
    const run = this.tail.then(() => this.run(store, nq, k));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Frees every GPU buffer; idempotent. A scan in flight rejects with `DESTROYED`. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.mirror?.destroy();
    this.pool.destroy();
    this.groups = undefined;
    this.mirror = undefined;
    this.store = undefined;
  }

  private alive(): void {
    if (this.destroyed) throw new MemoryError('DESTROYED', 'GpuScan');
    if (this.lost) throw new MemoryError('DEVICE_LOST', 'GpuScan');
  }

  private async run(store: HostStore, nq: number, k: number): Promise<void> {
    this.alive();
    check(Number.isInteger(nq) && nq >= 0 && nq <= MAX_BATCH, `nq must be 0..${MAX_BATCH}`);
    check(Number.isInteger(k) && k >= 1 && k <= MAX_CANDIDATES, `k must be 1..${MAX_CANDIDATES}`);
    const scorer = await ScoreTopK.create(this.device, store.row.storage);
    this.alive();
    this.follow(store);
    if (nq === 0) return;
    if (store.rows === 0) return writeEmpty(store, nq, k);
    const plan = planSearch(this.mirror!.chunks, store.rows, nq, k, this.maxBindingBytes);
    this.stageQueries(store, nq);
    const groups = this.bindGroups(scorer, plan, nq);
    const encoder = this.device.createCommandEncoder({ label: 'gpu-scan/search' });
    let slot = 0;
    for (let q0 = 0; q0 < nq; q0 += plan.groupSize) {
      const n = Math.min(plan.groupSize, nq - q0);
      const pass = encoder.beginComputePass({ label: `gpu-scan/search q${q0}` });
      for (const [i, chunk] of plan.chunks.entries()) {
        const step = Math.max(1, Math.ceil((n * chunk.tiles) / this.groupsPerDispatch));
        const offset = this.writeParams(slot++, scoreParams(store, plan, chunk, q0, n, step));
        const chunkGroup = groups.score[i]!;
        scorer.encode(pass, chunkGroup, offset, n, chunk.tiles, step, this.maxPerDimension);
      }
      for (let p = 0; p + 1 < plan.lists.length; p++) {
        const params = mergeParams(plan, p, n);
        const offset = this.writeParams(slot++, params);
        // Passes alternate between the two candidate buffers: a→b, b→a, ...
        const group = groups.merge[p % 2]!;
        this.merge.encode(pass, group, offset, params.total, this.maxPerDimension);
      }
      pass.end();
      const result = this.candidates[(plan.lists.length - 1) % 2]!;
      const bytes = n * plan.k * PAIR_BYTES;
      encoder.copyBufferToBuffer(result, 0, this.staging, q0 * plan.k * PAIR_BYTES, bytes);
    }
    this.device.queue.writeBuffer(
      this.params!,
      0,
      this.paramWords,
      0,
      (slot * this.paramsStride) / 4,
    );
    this.device.queue.submit([encoder.finish({ label: 'gpu-scan/search' })]);
    await this.readBack(store, nq, k);
  }

  /** Starts mirroring `store` (a new one or a new layout) or brings its mirror up to date. */
  private follow(store: HostStore): void {
    const fresh = store !== this.store || !sameLayout(this.mirror?.row, store.row);
    if (fresh) {
      this.mirror?.destroy();
      this.pool.release(this.queries);
      const bytesPerRow =
        store.row.storage === 'int8' ? store.row.strideWords : store.row.queryStride;
      this.queries = this.pool.acquire('queries', MAX_BATCH * bytesPerRow * 4, STORAGE_IN);
      const rowBytes = store.row.strideWords * 4;
      const chunkRows = Math.max(1, Math.floor(this.maxBindingBytes / rowBytes));
      this.mirror = new StoreMirror(this.device, this.pool, store.row, chunkRows);
      this.store = store;
      this.version++;
    }
    this.mirror!.sync(store, fresh);
    const maskBytes = store.maskWords * 4;
    if (!this.mask || this.mask.size < maskBytes) {
      this.pool.release(this.mask);
      this.mask = this.pool.acquire('mask', maskBytes, STORAGE_IN);
      this.version++;
    }
    if (store.row.storage === 'int8' && !this.queryScales) {
      this.queryScales = this.pool.acquire('query-scales', MAX_BATCH * 4, STORAGE_IN);
      this.version++;
    }
  }

  /** Copies the staged queries (and int8 scales) and the session mask to the GPU. */
  private stageQueries(store: HostStore, nq: number): void {
    const v = store.views;
    const { storage, strideWords, queryStride } = store.row;
    const queue = this.device.queue;
    if (storage === 'int8') {
      queue.writeBuffer(this.queries!, 0, hostView(v.queriesI8), 0, nq * strideWords * 4);
      queue.writeBuffer(this.queryScales!, 0, hostView(v.queryScales), 0, nq);
    } else {
      queue.writeBuffer(this.queries!, 0, hostView(v.queries), 0, nq * queryStride);
    }
    queue.writeBuffer(this.mask!, 0, hostView(v.mask), 0, store.maskWords);
  }

  /** Grows the candidate and params buffers to `plan`, and rebuilds bind groups when stale. */
  private bindGroups(scorer: ScoreTopK, plan: SearchPlan, nq: number) {
    const group = plan.groupSize;
    this.ensureCandidates(0, group * plan.lists[0]! * plan.k * PAIR_BYTES);
    this.ensureCandidates(1, group * (plan.lists[1] ?? 1) * plan.k * PAIR_BYTES);
    const slots = Math.ceil(nq / group) * (plan.chunks.length + plan.lists.length - 1);
    if (!this.params || this.params.size < slots * this.paramsStride) {
      this.pool.release(this.params);
      const bytes = Math.max(slots, 8) * this.paramsStride * 2;
      this.params = this.pool.acquire('params', bytes, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
      this.paramWords = new Uint32Array(bytes / 4);
      this.version++;
    }
    const key = `${scorer.storage} ${this.version} ${this.mirror!.generation}`;
    if (this.groups?.key === key) return this.groups;
    const [a, b] = this.candidates as [GPUBuffer, GPUBuffer];
    const params = this.params;
    const shared = {
      queries: this.queries!,
      queryScales: this.queryScales ?? this.placeholder,
      mask: this.mask!,
      candidates: a,
      params,
    };
    const score = this.mirror!.chunks.map((chunk) =>
      scorer.bind(
        {
          ...shared,
          vectors: chunk.vectors,
          sessions: chunk.sessions,
          scales: chunk.scales ?? this.placeholder,
        },
        `rows[${chunk.index}]`,
      ),
    );
    const merge = [
      this.merge.bind({ source: a, merged: b, params }, 'a→b'),
      this.merge.bind({ source: b, merged: a, params }, 'b→a'),
    ];
    this.groups = { key, score, merge };
    return this.groups;
  }

  /** Candidate buffer `which` of at least `bytes`, grown geometrically up to one binding. */
  private ensureCandidates(which: 0 | 1, bytes: number): void {
    const have = this.candidates[which];
    if (have && have.size >= bytes) return;
    this.pool.release(have);
    const size = Math.min(Math.max(bytes, 2 * (have?.size ?? 0)), this.maxBindingBytes);
    this.candidates[which] = this.pool.acquire(`candidates.${'ab'[which]}`, size, CANDIDATE_USAGE);
    this.version++;
  }

  /** Writes one dispatch's params into slot `slot`; returns its byte offset. */
  private writeParams(slot: number, params: SearchParams): number {
    writeSearchParams(this.paramWords, (slot * this.paramsStride) / 4, params);
    return slot * this.paramsStride;
  }

  /** Maps the staging buffer and writes k results per query into the store's out views. */
  private async readBack(store: HostStore, nq: number, k: number): Promise<void> {
    const bytes = nq * k * PAIR_BYTES;
    try {
      await this.staging.mapAsync(MAP_READ, 0, bytes);
    } catch (cause) {
      this.alive();
      throw new MemoryError('DEVICE_LOST', 'reading search results back failed', { cause });
    }
    try {
      const range = this.staging.getMappedRange(0, bytes);
      const scores = new Float32Array(range);
      const rows = new Int32Array(range);
      // Views are read after the await: the store may have grown into a new memory meanwhile.
      const v = store.views;
      for (let i = 0; i < nq * k; i++) {
        const row = rows[2 * i + 1]!; // NO_ROW reads as -1
        v.outRows[i] = row;
        v.outScores[i] = row < 0 ? -Infinity : scores[2 * i]!;
      }
    } finally {
      this.staging.unmap();
    }
  }
}

function sameLayout(a: RowLayout | undefined, b: RowLayout): boolean {
  return !!a && a.dim === b.dim && a.storage === b.storage;
}

/** No rows: every slot is empty. */
function writeEmpty(store: HostStore, nq: number, k: number): void {
  const v = store.views;
  v.outRows.fill(-1, 0, nq * k);
  v.outScores.fill(-Infinity, 0, nq * k);
}
