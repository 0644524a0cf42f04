/**
 * The options of `createMemory`, their checks and defaults: the settings a memory resolves
 * once, the embedder it loads, and the ids its sessions may have.
 */
import type { Embedder, ProgressEvent } from './embed/embedder.js';
import { hashingEmbedder } from './embed/hashing.js';
import { MemoryError, check } from './errors.js';
import type { AnchorKind } from './extract/anchor.js';
import { extractAnchors, splitSentences } from './extract/extract.js';
import type { GpuOption } from './gpu/device.js';
import { DEFAULT_WEIGHTS, type RecallWeights } from './recall/fuse.js';
import { DEFAULT_SHARES, type PackShares } from './recall/pack.js';
import { estimateTokens, type TokenCounter } from './recall/tokens.js';
import type { ExtractAnchors, Settings } from './shared.js';
import type { Evicted } from './store/evict.js';
import type { MemoryStore } from './store/types.js';
import { DEFAULT_ANCHOR_POLICY } from './tiers/long-term.js';
import type { SplitSentences, Summarize } from './tiers/mid-term.js';
import type { VectorStorage } from './vectors/layout.js';

/** Token budgets of the tiers and of recall. */
export interface MemoryBudgets {
  /** Tokens the short-term window holds (default 1024). */
  windowTokens?: number;
  /** Tokens leaving the window that make one summary (default 512). */
  summaryEveryTokens?: number;
  /** recall()'s budget when the call names none (default 1500). */
  recallTokens?: number;
}

/** Options of {@link createMemory}. */
export interface MemoryOptions {
  /** Names the memory (and its database, with persistent storage). Default `'memkeeper'`. */
  name?: string;
  /**
   * Default: `hashingEmbedder({ dim: 384 })`, which needs no download. An embedder, or a
   * function that loads one with this memory's `onProgress` and `signal`, so that a model's
   * download shows in the same progress stream:
   * `embedder: (load) => transformersEmbedder({ model: 'Xenova/all-MiniLM-L6-v2', ...load })`.
   * An embedder loaded that way is the memory's own: disposed if creation fails.
   */
  embedder?: Embedder | EmbedderLoader;
  /**
   * When the stored vectors were written by another embedder (its `id` differs), never mixing
   * the two: `true` (default) re-embeds every stored session from its text before
   * `createMemory` resolves, reporting `{ kind: 'reembed', done, total, progress }` to
   * `onProgress` (`signal` aborts it; what was done is kept, the rest is done as sessions
   * open); `'lazy'` re-embeds each session when it is first opened; `false` refuses to open
   * with `EMBEDDER_MISMATCH`, leaving the database untouched.
   */
  reembed?: boolean | 'lazy';
  /** `'auto'` (default), `'cpu'`, a `GPUDevice`, or a `GPU` entry point. */
  gpu?: GpuOption;
  /**
   * `'indexeddb'` (the default where IndexedDB exists: one database per `name`), `'memory'`
   * (the default elsewhere, e.g. Node without fake-indexeddb), or a store of your own.
   */
  storage?: 'memory' | 'indexeddb' | MemoryStore;
  /**
   * An AES-GCM `CryptoKey` of the app: text and vectors are encrypted at rest in IndexedDB.
   * The wrong key fails at open with `DECRYPT_FAILED`, before anything is written.
   */
  encryptionKey?: CryptoKey;
  /**
   * A budget for this memory's stored bytes (IndexedDB): past it, the weakest unpinned
   * memories by recall's own score are forgotten, window turns never, and `onEvict` is told.
   */
  maxBytes?: number;
  /** Told what a `maxBytes` eviction removed (ids, sessions, kinds and scores). */
  onEvict?: (evicted: Evicted[]) => void;
  /**
   * Element type of the vector index (default `'f16'`: half the memory and scan time of f32;
   * its rounding, about 1e-3 in a cosine, does not change rank fusion).
   */
  vectorStorage?: VectorStorage;
  budgets?: MemoryBudgets;
  /** Your model's tokenizer; a fast estimate (within 15% of BPE on English) otherwise. */
  countTokens?: TokenCounter;
  /** Abstractive summaries from your own LLM; extractive summaries otherwise. */
  summarize?: Summarize;
  /** Anchor extraction; the built-in one otherwise. */
  extract?: ExtractAnchors;
  /** Sentence splitting for extractive summaries; the built-in one otherwise. */
  splitSentences?: SplitSentences;
  /** Anchor decay and time to live. */
  anchors?: {
    halfLifeMs?: number;
    halfLifeGrowth?: number;
    ttlMs?: Partial<Record<AnchorKind, number>>;
  };
  /** Recall's weights (recency, memory, stale) and budget shares (anchors, window). */
  weights?: Partial<RecallWeights>;
  shares?: Partial<PackShares>;
  /** Candidates recall takes from retrieval (default 32). */
  k?: number;
  /** The clock, in ms since the epoch (tests, replays). */
  now?: () => number;
  /**
   * Progress of creation: the embedder's download when `embedder` is a loader, re-embedding
   * after an embedder change (see `reembed`), then `{ kind: 'ready', what: 'memory' }`.
   */
  onProgress?: (event: ProgressEvent) => void;
  /** Aborts creation. */
  signal?: AbortSignal;
}

/** Loads an embedder with the memory's progress reporting and abort signal. */
export type EmbedderLoader = (load: {
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}) => Promise<Embedder>;

/**
 * Checks what can be checked of the options before anything is loaded or opened.
 *
 * @example
 * checkOptions({ maxBytes: 0 }); // throws BAD_INPUT
 */
export function checkOptions(o: MemoryOptions): void {
  check(o !== null && typeof o === 'object', 'createMemory() takes an options object');
  check(
    o.maxBytes === undefined || (Number.isFinite(o.maxBytes) && o.maxBytes > 0),
    'maxBytes must be a positive number',
  );
  check(
    o.reembed === undefined || typeof o.reembed === 'boolean' || o.reembed === 'lazy',
    `reembed must be true, false or 'lazy', got ${String(o.reembed)}`,
  );
  check(
    o.onProgress === undefined || typeof o.onProgress === 'function',
    'onProgress must be a function',
  );
}

/**
 * The embedder the options name: given, loaded by the options' loader (with `onProgress` and
 * `signal`), or the default hashing embedder; checked for `dim` and `embed()`.
 *
 * @example
 * const embedder = await loadEmbedder({ embedder: (load) => transformersEmbedder({ model, ...load }) });
 */
export async function loadEmbedder(o: MemoryOptions): Promise<Embedder> {
  const given = o.embedder;
  const load = {
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  };
  const embedder =
    typeof given === 'function' ? await given(load) : (given ?? hashingEmbedder({ dim: 384 }));
  check(
    !!embedder &&
      typeof embedder.embed === 'function' &&
      Number.isInteger(embedder.dim) &&
      embedder.dim > 0,
    'embedder must have dim and embed()',
  );
  return embedder;
}

/**
 * Whether the stored vectors were written by another embedder; with `reembed: false` such a
 * memory is refused with `EMBEDDER_MISMATCH` before anything is written.
 *
 * @example
 * const changed = await checkEmbedder(store, embedder, true);
 */
export async function checkEmbedder(
  store: MemoryStore,
  embedder: Embedder,
  reembed: boolean | 'lazy',
): Promise<boolean> {
  const stored = await store.get('meta', 'embedder');
  const changed = stored !== undefined && stored.value !== embedder.id;
  if (!changed || reembed !== false) return changed;
  throw new MemoryError(
    'EMBEDDER_MISMATCH',
    `this memory's vectors were written by ${String(stored.value)}, not ${embedder.id}; ` +
      'open it with that embedder, or with reembed: true to re-embed from the stored text',
  );
}

/** Session ids: 1 to 128 letters, digits and `_ . : @ -` (they name records and filters). */
const SESSION_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

/**
 * Refuses a session id that is not 1..128 of `A-Z a-z 0-9 _ . : @ -` with `BAD_INPUT`.
 *
 * @example
 * checkSessionId('chat-42');
 */
export function checkSessionId(id: unknown): asserts id is string {
  check(
    typeof id === 'string' && SESSION_ID.test(id),
    `session id must be 1..128 of A-Z a-z 0-9 _ . : @ -, got ${JSON.stringify(id)}`,
  );
}

function positiveInt(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  check(
    Number.isInteger(value) && value > 0,
    `${what} must be a positive integer, got ${String(value)}`,
  );
  return value;
}

/**
 * The instance's settings from the options, defaults filled in and every value checked.
 *
 * @example
 * const settings = resolveSettings({ budgets: { windowTokens: 800 } });
 */
export function resolveSettings(o: MemoryOptions): Settings {
  const b = o.budgets ?? {};
  const anchors = { ...DEFAULT_ANCHOR_POLICY, ...o.anchors, ttlMs: { ...o.anchors?.ttlMs } };
  check(
    anchors.halfLifeMs > 0 && anchors.halfLifeGrowth >= 1,
    'anchors.halfLifeMs must be > 0, halfLifeGrowth >= 1',
  );
  check(
    o.countTokens === undefined || typeof o.countTokens === 'function',
    'countTokens must be a function',
  );
  return {
    windowTokens: positiveInt(b.windowTokens, 1024, 'budgets.windowTokens'),
    summaryEveryTokens: positiveInt(b.summaryEveryTokens, 512, 'budgets.summaryEveryTokens'),
    recallTokens: positiveInt(b.recallTokens, 1500, 'budgets.recallTokens'),
    k: positiveInt(o.k, 32, 'k'),
    count: o.countTokens ?? estimateTokens,
    now: o.now ?? Date.now,
    extract: o.extract ?? ((turn) => extractAnchors(turn)),
    split: o.splitSentences ?? splitSentences,
    ...(o.summarize ? { summarize: o.summarize } : {}),
    anchors,
    weights: { ...DEFAULT_WEIGHTS, ...o.weights },
    shares: { ...DEFAULT_SHARES, ...o.shares },
  };
}
