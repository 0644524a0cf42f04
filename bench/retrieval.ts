/**
 * The retrieval bench, shared by Node and the Chromium page: for each size and data set it
 * measures the bandwidth floor, builds one memkeeper index per storage type at a time (1M f32
 * is 1.5 GB), times every backend on it, then the peers (the naive JS loop, alone and over
 * IndexedDB, hnswlib-wasm, Orama vector and hybrid), and finally turns the timings
 * into ratios within the same environment and run. Nothing here is environment-specific; the
 * {@link Harness} brings data, the GPU device and the peers that only load in one place.
 */
import { measureBandwidth, wasmSimdSupported } from '../src/cpu/wasm-scan.js';
import { createVectorIndex, type VectorIndex, type VectorStorage } from '../src/index.js';
import { exactTopK, row } from '../test/data.js';
import { hostStoreOf } from './internals.js';
import { measureSearch, scanBytesPerRow, streamBytes, timed, type Searcher } from './measure.js';
import { queryPlan, type BenchConfig } from './options.js';
import { oramaRows } from './orama-rows.js';
import { naiveIdbRows } from './naive-idb-rows.js';
import { hnswRows, naiveRows } from './peer-rows.js';
import { emptyRow, label, name, summary, type SetContext } from './rows.js';
import type { EnvResult, Floor, Harness, QuerySet, Row, TruthCheck } from './types.js';

const STORAGES: readonly VectorStorage[] = ['f32', 'f16', 'int8'];
const INSERT_CHUNK = 10_000;

/** Runs the whole plan in one environment. */
export async function runRetrieval(config: BenchConfig, harness: Harness): Promise<EnvResult> {
  const started = performance.now();
  const rows: Row[] = [];
  const floors: Floor[] = [];
  const truthChecks: TruthCheck[] = [];
  const notes: string[] = [];
  if (!wasmSimdSupported()) notes.push('no WebAssembly SIMD: wasm rows missing');
  if (!harness.gpu) notes.push(`no gpu rows: ${harness.gpuMissing ?? 'no WebGPU device'}`);
  if (!harness.loadHnsw) notes.push('hnswlib-wasm loads only in a browser: no HNSW rows here');
  for (const n of config.sizes) {
    for (const kind of config.kinds) {
      const plan = queryPlan(n);
      const set = await harness.loadSet(kind, n, plan.total);
      // Exact results handed over must cover every query of the plan, else they are found anew.
      const truth = set.truth?.length === plan.total * config.k ? set.truth : undefined;
      const context: SetContext = { config, harness, set, floors, earlier: rows, truth };
      const setRows: Row[] = [];
      for (const storage of STORAGES) {
        setRows.push(...(await memkeeperRows(context, storage, truthChecks)));
      }
      setRows.push(...(await naiveRows(context, context.truth!)));
      setRows.push(...(await naiveIdbRows(context, context.truth!)));
      setRows.push(...(await hnswRows(context, context.truth!)));
      setRows.push(...(await oramaRows(context, context.truth!)));
      addRatios(setRows);
      rows.push(...setRows);
    }
  }
  return {
    env: harness.env,
    rows,
    floors,
    truthChecks,
    gpu: harness.gpuInfo,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The time to stream the bytes a scan of this index reads (sessions, int8 scales, rows: one
 * contiguous span of its store) once: the best of three measurements of five reads each, as
 * reads of a few tens of MB swing 2-4x on a shared machine. Read from a fresh memory of the
 * same size when the store is out of reach.
 */
async function measureFloor(context: SetContext, index: VectorIndex): Promise<Floor | undefined> {
  if (!wasmSimdSupported()) return undefined;
  const { set } = context;
  const bytes = streamBytes(set.n * scanBytesPerRow(set.dim, index.storage));
  const store = hostStoreOf(index);
  const where = store ? { memory: store.memory, offset: store.regions.sessions } : {};
  let seconds = Infinity;
  for (let i = 0; i < 3; i++) {
    seconds = Math.min(seconds, (await measureBandwidth(bytes, where)).seconds);
  }
  return {
    data: set.kind,
    n: set.n,
    storage: index.storage,
    bytes,
    ms: seconds * 1000,
    gbPerS: bytes / seconds / 1e9,
    pages: store ? 'the index store' : 'a fresh memory',
  };
}

/** One index of `storage`, timed on each backend in turn, then destroyed. */
async function memkeeperRows(
  context: SetContext,
  storage: VectorStorage,
  truthChecks: TruthCheck[],
): Promise<Row[]> {
  const { config, harness, set } = context;
  const cpu = wasmSimdSupported() ? 'wasm' : 'ts';
  // Creation builds the GPU pipelines when a device is given, which a CPU-only app would not
  // pay: kept apart from the build column, in the JSON as createMs.
  const created = await timed(() =>
    createVectorIndex({
      dim: set.dim,
      storage,
      gpu: harness.gpu ?? 'cpu',
      backend: cpu,
      initialCapacity: set.n,
    }),
  );
  const index = created.value;
  try {
    const build = await timed(() => insert(index, set));
    const floor = await measureFloor(context, index);
    if (floor) context.floors.push(floor);
    const floorLine = floor
      ? `; floor ${floor.ms.toFixed(2)} ms (${floor.gbPerS.toFixed(1)} GB/s)`
      : '';
    harness.progress(
      `${name(set)} ${storage}: inserted in ${(build.ms / 1000).toFixed(1)} s${floorLine}`,
    );
    if (!context.truth) {
      const found = await findTruth(context, index, cpu);
      truthChecks.push(found.check);
      context.truth = found.truth;
      harness.keepTruth(set.kind, set.n, found.truth);
    }
    const rows: Row[] = [];
    const paths = ['wasm', 'ts', 'gpu'] as const;
    for (const path of paths) {
      if ((path === 'wasm' && cpu !== 'wasm') || (path === 'gpu' && !harness.gpu)) continue;
      const row = emptyRow(context, 'memkeeper', path, storage);
      row.createMs = created.ms;
      row.scanBytesPerVector = scanBytesPerRow(set.dim, storage);
      row.floorMs = floor?.ms ?? null;
      rows.push(row);
      if (path === 'gpu' && set.n > config.gpuMaxN) {
        const smaller = context.earlier
          .filter((r) => r.path === 'gpu' && r.storage === storage && r.data === set.kind)
          .filter((r) => r.b1)
          .sort((a, b) => b.n - a.n)[0];
        const measured = smaller
          ? `; ${smaller.b1!.ms.toFixed(0)} ms/query at ${label(smaller.n)}`
          : '';
        row.notes.push(`skipped above ${label(config.gpuMaxN)} (--gpu-1m)${measured}`);
        continue;
      }
      await timePath(context, index, path, row, build.ms);
    }
    return rows;
  } finally {
    index.destroy();
  }
}

async function timePath(
  context: SetContext,
  index: VectorIndex,
  path: 'wasm' | 'ts' | 'gpu',
  row: Row,
  insertMs: number,
): Promise<void> {
  const { config, harness, set } = context;
  try {
    await index.useBackend(path);
    const plan = queryPlan(set.n);
    const gpu = path === 'gpu';
    const measured = await measureSearch(searcherOf(index, set, config.k), {
      b1: gpu ? config.gpuQueries : plan.b1,
      b32: gpu ? 1 : plan.b32,
      b32From: plan.b1,
      k: config.k,
      truth: context.truth!,
      batchCapMs: config.batchCapMs,
      b32EstimateMs: batchEstimate(context, row),
    });
    // The index answers on the CPU when a GPU search fails; such timings are not the GPU's.
    if (index.backend.name !== path) {
      row.notes.push(`answered by ${index.backend.name}: ${index.backend.reason}`);
      return;
    }
    row.b1 = measured.b1;
    row.b32 = measured.b32;
    row.notes.push(...measured.notes);
    row.buildMs = insertMs + (gpu ? measured.firstMs : 0);
    const bytes = index.bytes;
    row.heldBytesPerVector = (bytes.host + (gpu ? bytes.gpu : 0)) / set.n;
    harness.progress(`${name(set)} ${row.storage} ${path}: ${summary(row)}`);
  } catch (error) {
    row.notes.push(`error: ${error instanceof Error ? error.message : String(error)}`);
    harness.progress(`${name(set)} ${row.storage} ${path}: ${row.notes.at(-1)}`);
  }
}

/** This row's batch-32 time predicted from the same path's batch at the largest smaller N. */
function batchEstimate(context: SetContext, row: Row): number | undefined {
  const smaller = context.earlier
    .filter((r) => r.path === row.path && r.storage === row.storage && r.data === row.data)
    .filter((r) => r.b32 && r.n < row.n)
    .sort((a, b) => b.n - a.n)[0];
  return smaller ? (smaller.b32!.ms * row.n) / smaller.n : undefined;
}

function searcherOf(index: VectorIndex, set: QuerySet, k: number): Searcher {
  const queries = Array.from({ length: set.queries.length / set.dim }, (_, i) =>
    row(set.queries, i, set.dim),
  );
  return async (ids) => {
    if (ids.length === 1) {
      const hits = await index.search(queries[ids[0]!]!, { k });
      return [hits.map((h) => h.id)];
    }
    const batch = await index.search(
      ids.map((i) => queries[i]!),
      { k },
    );
    return batch.map((hits) => hits.map((h) => h.id));
  };
}

function insert(index: VectorIndex, set: QuerySet): void {
  for (let start = 0; start < set.n; start += INSERT_CHUNK) {
    const end = Math.min(set.n, start + INSERT_CHUNK);
    index.upsert(
      Array.from({ length: end - start }, (_, j) => ({
        id: String(start + j),
        vector: row(set.data, start + j, set.dim),
      })),
    );
  }
}

/**
 * The exact top-k of every query from the f32 index's own CPU scan (fast), checked against
 * `exactTopK` (float64, every row, sorted: slow) on a few queries.
 */
async function findTruth(context: SetContext, index: VectorIndex, cpu: 'wasm' | 'ts') {
  const { config, set, harness } = context;
  const { k } = config;
  const total = queryPlan(set.n).total;
  const search = searcherOf(index, set, k);
  const truth = new Int32Array(total * k).fill(-1);
  for (let start = 0; start < total; start += 32) {
    const ids = Array.from({ length: Math.min(32, total - start) }, (_, i) => start + i);
    const answers = await search(ids);
    answers.forEach((found, i) => found.forEach((id, j) => (truth[(start + i) * k + j] = +id)));
  }
  const sampled = set.n <= 100_000 ? 3 : 2;
  let agree = 0;
  for (let q = 0; q < sampled; q++) {
    const exact = new Set(
      exactTopK(set.data, set.dim, row(set.queries, q, set.dim), k).map((e) => e.i),
    );
    for (let j = 0; j < k; j++) if (exact.has(truth[q * k + j]!)) agree++;
  }
  const check: TruthCheck = {
    data: set.kind,
    n: set.n,
    source: `memkeeper f32 ${cpu} scan in ${harness.env}`,
    sampled,
    recall: agree / (sampled * k),
  };
  harness.progress(
    `${name(set)}: exact top-${k} of ${total} queries from the f32 ${cpu} scan; ` +
      `matches exactTopK on ${sampled} sampled: recall ${check.recall.toFixed(3)}`,
  );
  return { truth, check };
}

/** Floor ratios and speedups over the naive peer, all within one environment and data set. */
function addRatios(rows: Row[]): void {
  const naive = rows.find((r) => r.system === 'naive-js');
  for (const r of rows) {
    if (r.floorMs) {
      r.floorRatio.b1 = r.b1 ? r.b1.msPerQuery / r.floorMs : null;
      r.floorRatio.b32 = r.b32 ? r.b32.msPerQuery / r.floorMs : null;
    }
    if (naive && r !== naive) {
      r.vsNaive.b1 = naive.b1 && r.b1 ? naive.b1.msPerQuery / r.b1.msPerQuery : null;
      r.vsNaive.b32 = naive.b32 && r.b32 ? naive.b32.msPerQuery / r.b32.msPerQuery : null;
    }
  }
}
