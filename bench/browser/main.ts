/**
 * The Chromium half of the retrieval bench: runs the same plan as Node on the page's own
 * WebGPU (navigator.gpu), WASM and JS, plus hnswlib-wasm, which loads only here. Vectors and
 * the exact results come from the bench server, so both halves see the same bytes. Progress
 * goes to the console as `[bench] ...`; the result is written as JSON into #result, with
 * `data-done` set, for the Node runner to read.
 */
import { acquireGpu, type GpuContext } from '../../src/index.js';
import { configFromJson, type DataKind } from '../options.js';
import type { HnswLib } from '../peers/hnsw.js';
import { runRetrieval } from '../retrieval.js';
import type { Harness, QuerySet } from '../types.js';

const output = document.getElementById('result')!;

function progress(line: string): void {
  console.log(`[bench] ${line}`);
}

/** Reads a response body straight into one array: 1M vectors are 1.5 GB, no second copy. */
async function readInto(response: Response, bytes: Uint8Array): Promise<void> {
  const reader = response.body!.getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > bytes.length) throw new Error('the bench server sent too much');
    bytes.set(value, at);
    at += value.length;
  }
  if (at !== bytes.length) throw new Error(`the bench server sent ${at} of ${bytes.length} bytes`);
}

async function loadSet(kind: DataKind, n: number, queries: number, dim: number) {
  const response = await fetch(`/bench-data/set?kind=${kind}&n=${n}&queries=${queries}`);
  if (!response.ok) throw new Error(`no ${kind} data for ${n}: HTTP ${response.status}`);
  const floats = new Float32Array((queries + n) * dim);
  await readInto(response, new Uint8Array(floats.buffer));
  const truthResponse = await fetch(`/bench-data/truth?kind=${kind}&n=${n}`);
  // 204: Node did not find them (it did not run); this page will.
  const truth =
    truthResponse.status === 200 ? new Int32Array(await truthResponse.arrayBuffer()) : undefined;
  const set: QuerySet = {
    kind,
    n,
    dim,
    queries: floats.subarray(0, queries * dim),
    data: floats.subarray(queries * dim),
    truth,
  };
  return set;
}

async function openGpu(wanted: boolean): Promise<{ context?: GpuContext; reason: string }> {
  if (!wanted) return { reason: '--no-gpu' };
  if (!('gpu' in navigator)) return { reason: 'navigator.gpu is missing' };
  try {
    const context = await acquireGpu(navigator.gpu);
    return context?.device ? { context, reason: '' } : { reason: 'no WebGPU device' };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

let hnswlib: Promise<HnswLib> | undefined;
function loadHnsw(): Promise<HnswLib> {
  hnswlib ??= import('hnswlib-wasm').then((m) => m.loadHnswlib() as unknown as Promise<HnswLib>);
  return hnswlib;
}

async function heapBytes(): Promise<number | undefined> {
  (globalThis as { gc?: () => void }).gc?.();
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return memory?.usedJSHeapSize;
}

async function main(): Promise<void> {
  const config = configFromJson(new URLSearchParams(location.search).get('config') ?? '{}');
  const gpu = await openGpu(config.gpu);
  const info = gpu.context?.info;
  const harness: Harness = {
    env: 'chromium',
    gpu: gpu.context?.device,
    gpuInfo: info ? { name: info.name, isFallback: info.isFallback } : null,
    gpuMissing: gpu.reason || undefined,
    loadSet: (kind, n, queries) => loadSet(kind, n, queries, config.dim),
    keepTruth: () => {}, // Chromium runs last; nobody is waiting for its exact results
    loadHnsw,
    heapBytes,
    progress,
  };
  try {
    const result = await runRetrieval(config, harness);
    output.textContent = JSON.stringify({ result });
  } finally {
    gpu.context?.destroy();
  }
}

main()
  .catch((error: unknown) => {
    const message = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
    output.textContent = JSON.stringify({ error: message });
  })
  .finally(() => {
    output.dataset.done = '1';
  });
