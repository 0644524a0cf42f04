/** The shapes the retrieval bench passes between its environments, report and JSON file. */
import type { DataKind, EnvName } from './options.js';
import type { HnswLib } from './peers/hnsw.js';

/** One data set at one size: stored vectors, the queries, and (when known) their exact top-k. */
export interface QuerySet {
  readonly kind: DataKind;
  readonly n: number;
  readonly dim: number;
  /** n × dim, row i has id `String(i)`. */
  readonly data: Float32Array;
  /** queries × dim, never stored. */
  readonly queries: Float32Array;
  /** queries × k exact row numbers, when an earlier environment of this run found them. */
  readonly truth: Int32Array | undefined;
}

/** What an environment (Node, or the Chromium page) provides to the shared bench. */
export interface Harness {
  readonly env: EnvName;
  /** The WebGPU device the GPU rows run on, or undefined where there is none. */
  readonly gpu: GPUDevice | undefined;
  /** The adapter behind `gpu`, for the machine line. */
  readonly gpuInfo: { name: string; isFallback: boolean } | null;
  /** Why there is no GPU, when there is none. */
  readonly gpuMissing: string | undefined;
  loadSet(kind: DataKind, n: number, queries: number): Promise<QuerySet>;
  /** Hands exact results on to the environments that run later. */
  keepTruth(kind: DataKind, n: number, truth: Int32Array): void;
  /** hnswlib-wasm, where it loads (the browser). */
  loadHnsw: (() => Promise<HnswLib>) | undefined;
  /** Collects garbage where the runtime lets us, then returns the JS heap in use. */
  heapBytes(): Promise<number | undefined>;
  progress(line: string): void;
}

/** Timings of one batch size: median ms per call and per query, and recall@k. */
export interface BatchFigures {
  readonly ms: number;
  readonly msPerQuery: number;
  /** Timed calls (queries for batch 1, batches for batch 32). */
  readonly runs: number;
  readonly recall: number;
}

export interface Row {
  readonly env: EnvName;
  readonly data: DataKind;
  readonly n: number;
  readonly system: 'memkeeper' | 'naive-js' | 'naive-idb' | 'hnswlib-wasm' | 'orama';
  /** memkeeper: gpu | wasm | ts; peers: how they were run. */
  readonly path: string;
  /** f32 | f16 | int8, `number[]` for the naive peers and Orama, `graph` for HNSW. */
  readonly storage: string;
  /** memkeeper: `createVectorIndex` time (WASM compile, GPU pipelines when a device is given). */
  createMs: number | null;
  /** Insert time; for GPU rows plus the first search (the upload). */
  buildMs: number | null;
  /** naive-idb: open its database and read every record back into JS, before the first query. */
  reopenMs: number | null;
  /** Bytes a full scan streams per vector (the bandwidth floor's basis). */
  scanBytesPerVector: number | null;
  /** Bytes held per vector: host (+ GPU for GPU rows), or measured JS heap for the peers. */
  heldBytesPerVector: number | null;
  b1: BatchFigures | null;
  b32: BatchFigures | null;
  /** Time to stream this row's scan bytes once, measured in the same environment and run. */
  floorMs: number | null;
  floorRatio: { b1: number | null; b32: number | null };
  vsNaive: { b1: number | null; b32: number | null };
  readonly notes: string[];
}

export interface Floor {
  readonly data: DataKind;
  readonly n: number;
  readonly storage: string;
  readonly bytes: number;
  readonly ms: number;
  readonly gbPerS: number;
  /** Whose pages were read. */
  readonly pages: string;
}

/** How the exact results were found and how they compared with `exactTopK` on a sample. */
export interface TruthCheck {
  readonly data: DataKind;
  readonly n: number;
  readonly source: string;
  readonly sampled: number;
  readonly recall: number;
}

export interface EnvResult {
  readonly env: EnvName;
  readonly rows: Row[];
  readonly floors: Floor[];
  readonly truthChecks: TruthCheck[];
  readonly gpu: { name: string; isFallback: boolean } | null;
  readonly notes: string[];
  readonly seconds: number;
}
