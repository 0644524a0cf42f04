/**
 * The retrieval bench's settings: parsed from the command line in Node, handed to the
 * Chromium page as JSON, so both environments run the same plan.
 */

export type DataKind = 'clustered' | 'isotropic';
export type EnvName = 'node' | 'chromium';

export interface BenchConfig {
  readonly dim: number;
  readonly k: number;
  readonly sizes: readonly number[];
  readonly kinds: readonly DataKind[];
  readonly envs: readonly EnvName[];
  /** Run the WebGPU rows at all. */
  readonly gpu: boolean;
  /** Largest N with GPU rows; SwiftShader takes seconds per query at 1M. */
  readonly gpuMaxN: number;
  /** Batch-1 queries per GPU row (SwiftShader is slow, so few). */
  readonly gpuQueries: number;
  /** Largest N the naive JS peer runs at: its number[] rows take ~3 KB each. */
  readonly naiveMaxN: number;
  /** Largest N hnswlib-wasm is built at (a 100k build took minutes here). */
  readonly hnswMaxN: number;
  /** Skip a batch-32 row when batch 1 × 32 predicts more than this. */
  readonly batchCapMs: number;
  readonly json: string | undefined;
}

/** The seed of each data set's stream (queries first, then the stored vectors). */
export const SEEDS: Readonly<Record<DataKind, number>> = { clustered: 384_001, isotropic: 384_002 };

/**
 * Query rows at the head of every data stream. Queries come from the same generator as the
 * data (same cluster centres) but are never stored, and a smaller N's stream is a prefix of a
 * larger one's, so one cached file serves every size.
 */
export const QUERY_ROWS = 256;

/** How many queries each size runs: batch-1 queries and batches of 32 after them. */
export function queryPlan(n: number): { b1: number; b32: number; total: number } {
  const b1 = n <= 10_000 ? 100 : n <= 100_000 ? 40 : 20;
  const b32 = n <= 10_000 ? 4 : n <= 100_000 ? 3 : 2;
  return { b1, b32, total: b1 + 32 * b32 };
}

export const USAGE = `npm run bench:retrieval -- [options]
  --quick               N = 10k only (development)
  --sizes 10000,100000  sizes to run (default 10000,100000,1000000)
  --data clustered,isotropic
  --env node,chromium   environments to run (default both)
  --no-gpu              no WebGPU rows
  --gpu-1m              also run the GPU rows at 1M (SwiftShader: minutes)
  --gpu-queries N       batch-1 queries per GPU row (default 5)
  --hnsw-100k           also build hnswlib-wasm at 100k (minutes)
  --json FILE           also write every figure as JSON`;

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];

/** Parses the command line; throws with the usage text on anything unknown. */
export function parseArgs(argv: readonly string[]): BenchConfig {
  let sizes = DEFAULT_SIZES;
  let kinds: DataKind[] = ['clustered', 'isotropic'];
  let envs: EnvName[] = ['node', 'chromium'];
  let gpu = true;
  let gpuMaxN = 100_000;
  let gpuQueries = 5;
  let hnswMaxN = 10_000;
  let json: string | undefined;
  const args = [...argv];
  const value = (flag: string): string => {
    const next = args.shift();
    if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
    return next;
  };
  while (args.length) {
    const flag = args.shift()!;
    if (flag === '--quick') sizes = [10_000];
    else if (flag === '--sizes') sizes = list(value(flag)).map(toSize);
    else if (flag === '--data')
      kinds = list(value(flag)).map((s) => oneOf(s, ['clustered', 'isotropic']));
    else if (flag === '--env') envs = list(value(flag)).map((s) => oneOf(s, ['node', 'chromium']));
    else if (flag === '--no-gpu') gpu = false;
    else if (flag === '--gpu-1m') gpuMaxN = Infinity;
    else if (flag === '--gpu-queries') gpuQueries = toCount(value(flag));
    else if (flag === '--hnsw-100k') hnswMaxN = 100_000;
    else if (flag === '--json') json = value(flag);
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return {
    dim: 384,
    k: 10,
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    kinds,
    envs,
    gpu,
    gpuMaxN,
    gpuQueries,
    naiveMaxN: 100_000,
    hnswMaxN,
    batchCapMs: 8_000,
    json,
  };
}

const list = (text: string): string[] => text.split(',').filter(Boolean);

function toSize(text: string): number {
  const n = Number(text.replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
  if (!Number.isInteger(n) || n < 100) throw new Error(`bad size ${text}`);
  return n;
}

function toCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad count ${text}`);
  return n;
}

function oneOf<T extends string>(text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new Error(`${text} is not one of ${allowed.join(', ')}`);
  }
  return text as T;
}

/** Infinity does not survive JSON; the page gets this form and turns it back. */
export function configToJson(config: BenchConfig): string {
  return JSON.stringify(config, (_key, v: unknown) => (v === Infinity ? 'Infinity' : v));
}

export function configFromJson(text: string): BenchConfig {
  return JSON.parse(text, (_key, v: unknown) => (v === 'Infinity' ? Infinity : v)) as BenchConfig;
}
