import { BackgroundQueue } from './background.js';
import type { Embedder, ProgressEvent } from './embed/embedder.js';
import { hashingEmbedder } from './embed/hashing.js';
import { MemoryError, check } from './errors.js';
import type { AnchorKind } from './extract/anchor.js';
import { extractAnchors, splitSentences } from './extract/extract.js';
import type { GpuOption } from './gpu/device.js';
import { DEFAULT_WEIGHTS, type RecallWeights } from './recall/fuse.js';
import { DEFAULT_SHARES, type PackShares } from './recall/pack.js';
import { estimateTokens, type TokenCounter } from './recall/tokens.js';
import { Session } from './session.js';
import type { ExtractAnchors, Settings, Shared } from './session-state.js';
import { InMemoryStore } from './store/memory-store.js';
import { IndexedDbStore, type RestoreReport } from './store/indexeddb-store.js';
import { loadVectors, resolveStore } from './store/open.js';
import { applyRemote, sessionOfId } from './sync/remote.js';
import { weakest, type Evicted } from './store/evict.js';
import { exportLines, parseImport } from './store/export.js';
import { askPersist, estimate, type StorageReport } from './store/quota.js';
import type { MemoryStore } from './store/types.js';
import { DEFAULT_ANCHOR_POLICY } from './tiers/long-term.js';
import type { SplitSentences, Summarize } from './tiers/mid-term.js';
import { createVectorIndex, type VectorIndex } from './vectors/vector-index.js';
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
  /** Default: `hashingEmbedder({ dim: 384 })`, which needs no download. */
  embedder?: Embedder;
  /**
   * When the stored vectors were written by another embedder (its `id` differs): `true`
   * (default) re-embeds every session from its stored text as it loads, never mixing the two;
   * `false` refuses to open with `EMBEDDER_MISMATCH`, leaving the database untouched.
   */
  reembed?: boolean;
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
  onProgress?: (event: ProgressEvent) => void;
  /** Aborts creation. */
  signal?: AbortSignal;
}

/** Refuses, before anything is written, a memory whose vectors another embedder wrote. */
async function checkEmbedder(store: MemoryStore, embedder: Embedder, reembed: boolean) {
  const stored = await store.get('meta', 'embedder');
  if (reembed || stored === undefined || stored.value === embedder.id) return;
  throw new MemoryError(
    'EMBEDDER_MISMATCH',
    `this memory's vectors were written by ${String(stored.value)}, not ${embedder.id}; ` +
      'open it with that embedder, or with reembed: true to re-embed from the stored text',
  );
}

/** How safely the memory is kept, and its space budget. */
interface Durability {
  persisted: boolean | undefined;
  maxBytes?: number;
  onEvict?: (evicted: Evicted[]) => void;
}

/** Session ids: 1 to 128 letters, digits and `_ . : @ -` (they name records and filters). */
const SESSION_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

/**
 * Creates a memory: three tiers per session, hybrid recall into a token budget.
 *
 * @example
 * const memory = await createMemory({ name: 'chat', budgets: { windowTokens: 800 } });
 * const s = memory.session('chat-42');
 * await s.observe({ role: 'user', content: 'I live in Lisbon.', name: 'Maria' });
 * const { text } = await s.recall('Where does Maria live?', { budgetTokens: 600 });
 */
export async function createMemory(options: MemoryOptions = {}): Promise<Memory> {
  check(options !== null && typeof options === 'object', 'createMemory() takes an options object');
  options.signal?.throwIfAborted();
  const settings = resolveSettings(options);
  const embedder = options.embedder ?? hashingEmbedder({ dim: 384 });
  check(
    typeof embedder.embed === 'function' && Number.isInteger(embedder.dim) && embedder.dim > 0,
    'embedder must have dim and embed()',
  );
  const vectorStorage = options.vectorStorage ?? 'f16';
  const name = options.name ?? 'memkeeper';
  const store = await resolveStore(options, name, embedder.dim, vectorStorage);
  let index: VectorIndex;
  try {
    index = await createVectorIndex({
      dim: embedder.dim,
      gpu: options.gpu ?? 'auto',
      storage: vectorStorage,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  let restored: RestoreReport & { resume: string[] };
  try {
    options.signal?.throwIfAborted();
    await checkEmbedder(store, embedder, options.reembed ?? true);
    restored = await loadVectors(store, index, embedder.id);
    await store.write([
      { kind: 'meta', put: { id: 'embedder', value: embedder.id } },
      { kind: 'meta', put: { id: 'dim', value: embedder.dim } },
    ]);
    options.signal?.throwIfAborted();
  } catch (error) {
    index.destroy();
    await store.close();
    throw error;
  }
  options.onProgress?.({ kind: 'ready', what: 'memory' });
  check(
    options.maxBytes === undefined || (Number.isFinite(options.maxBytes) && options.maxBytes > 0),
    'maxBytes must be a positive number',
  );
  const persisted = store instanceof IndexedDbStore ? await askPersist() : undefined;
  const memory = new Memory(name, store, index, embedder, settings, {
    persisted,
    ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
    ...(options.onEvict ? { onEvict: options.onEvict } : {}),
  });
  // Sessions with unfinished work, or whose vectors sat in a damaged chunk, load now: their
  // turns are embedded and extracted again in the background from the stored text.
  for (const id of restored.resume) memory.session(id);
  return memory;
}

/** See {@link createMemory}. */
export class Memory {
  private readonly sessions = new Map<string, Session>();
  private readonly queue = new BackgroundQueue();
  private readonly shared: Shared;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private evicting = false;
  private remoteChain: Promise<void> = Promise.resolve();

  /** @internal Use {@link createMemory}. */
  constructor(
    readonly name: string,
    private readonly store: MemoryStore,
    private readonly index: VectorIndex,
    readonly embedder: Embedder,
    settings: Settings,
    private readonly durability: Durability = { persisted: undefined },
  ) {
    this.shared = {
      store,
      index,
      embedder,
      settings,
      queue: this.queue,
      embed: (texts) => this.embed(texts, false),
      embedQuery: async (text) => (await this.embed([text], true))[0]!,
      alive: () => this.alive(),
      wrote: () => this.keepBudget(),
      ...(store instanceof IndexedDbStore ? { idTag: `.${store.sync.tab.slice(0, 6)}` } : {}),
    };
    if (store instanceof IndexedDbStore) store.sync.listen((changes) => this.remote(changes));
  }

  /** Applies another tab's committed changes, in order, one announcement after another. */
  private remote(changes: Parameters<typeof applyRemote>[0][]): void {
    this.remoteChain = this.remoteChain
      .then(async () => {
        for (const change of changes) {
          if (this.state === 'closed') return;
          const session = this.sessions.get(sessionOfId(change.id));
          const state = session ? await session.loaded() : undefined;
          await applyRemote(change, this.shared, state);
        }
      })
      .catch(() => undefined); // a record gone meanwhile is announced again by its deleter
  }

  /**
   * Where the memory is kept and how safely: the browser's answer to `persist()` (asked at
   * open), the origin's usage and quota, and this memory's approximate stored bytes.
   */
  async storageReport(): Promise<StorageReport> {
    this.alive();
    const s = this.store;
    const kind =
      s instanceof IndexedDbStore ? 'indexeddb' : s instanceof InMemoryStore ? 'memory' : 'custom';
    const { usage, quota } = await estimate();
    const bytes = s instanceof IndexedDbStore ? s.bytes : undefined;
    return { storage: kind, persisted: this.durability.persisted, usage, quota, bytes };
  }

  /**
   * Forgets the weakest unpinned memories of the open sessions until the stored bytes are
   * within `maxBytes` (or `limit`); resolves to what was evicted, weakest first.
   */
  async evict(limit = this.durability.maxBytes): Promise<Evicted[]> {
    this.alive();
    const store = this.store;
    if (!(store instanceof IndexedDbStore) || limit === undefined || store.bytes <= limit)
      return [];
    const states = await Promise.all([...this.sessions.values()].map((s) => s.loaded()));
    const { now, weights, anchors } = this.shared.settings;
    const evicted: Evicted[] = [];
    for (const item of weakest(states, now(), weights, anchors)) {
      if (store.bytes <= limit) break;
      const state = states.find((s) => s.id === item.session)!;
      const known =
        state.turns.has(item.id) || state.summaries.has(item.id) || state.long.get(item.id);
      if (!known) continue; // gone with an earlier eviction (an anchor of a forgotten turn)
      await state.forget(item.id);
      evicted.push(item);
    }
    if (evicted.length) this.durability.onEvict?.(evicted);
    return evicted;
  }

  private keepBudget(): void {
    const limit = this.durability.maxBytes;
    const store = this.store;
    if (limit === undefined || this.evicting || !(store instanceof IndexedDbStore)) return;
    if (store.bytes <= limit) return;
    this.evicting = true;
    this.queue.add('sweep', '', async () => {
      try {
        await this.evict(limit);
      } finally {
        this.evicting = false;
      }
    });
  }

  /** The vector index's backend and why it was chosen. */
  get backend(): { name: string; reason: string } {
    return { ...this.index.backend };
  }

  /** A session's memory (created on first use). Ids: 1..128 of `A-Z a-z 0-9 _ . : @ -`. */
  session(id: string): Session {
    this.alive();
    check(
      typeof id === 'string' && SESSION_ID.test(id),
      `session id must be 1..128 of A-Z a-z 0-9 _ . : @ -, got ${JSON.stringify(id)}`,
    );
    let session = this.sessions.get(id);
    if (!session) this.sessions.set(id, (session = new Session(id, this.shared)));
    return session;
  }

  /**
   * The whole memory as JSON Lines (header, records, vectors in base64, end line), one line
   * per step, after the background work is done.
   */
  async *export(): AsyncGenerator<string> {
    this.alive();
    await Promise.all([...this.sessions.values()].map((s) => s.settled()));
    yield* exportLines(this.store, this.embedder.id, this.embedder.dim);
  }

  /**
   * Imports an export (the text, or its lines): every line is checked first, then all of it
   * is written in one batch, or nothing (`BAD_INPUT` naming the line). Its sessions must not
   * exist here yet: an import adds conversations, it never merges into one.
   */
  async import(source: string | Iterable<string> | AsyncIterable<string>): Promise<void> {
    this.alive();
    const lines: string[] = [];
    if (typeof source === 'string') lines.push(...source.split('\n'));
    else for await (const line of source) lines.push(line);
    const { changes, vectors, sessions } = parseImport(lines, this.embedder.id, this.embedder.dim);
    for (const id of sessions) {
      const exists = (await this.store.list('turn', id)).length > 0 || this.sessions.has(id);
      check(!exists, `session ${id} already exists in memory ${this.name}; import adds sessions`);
    }
    await this.store.write(changes);
    if (vectors.length) this.index.upsert(vectors);
  }

  /** Finishes the background work, then releases everything; the stored data stays. */
  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    await Promise.all([...this.sessions.values()].map((s) => s.settled().catch(() => undefined)));
    this.release();
  }

  /**
   * Releases everything now, without waiting for background work (turns keep their pending
   * marks, so a persistent store resumes it on reopen). Idempotent; later calls throw
   * `DESTROYED`.
   */
  destroy(): void {
    if (this.state === 'closed') return;
    this.release();
  }

  private release(): void {
    this.state = 'closed';
    this.queue.stop();
    this.index.destroy();
    void this.store.close();
    void this.embedder.dispose?.();
  }

  private alive(): void {
    if (this.state === 'closed')
      throw new MemoryError('DESTROYED', `memory ${this.name} was closed or destroyed`);
  }

  private async embed(texts: readonly string[], query: boolean): Promise<Float32Array[]> {
    const e = this.embedder;
    let vectors: Float32Array[];
    try {
      vectors = await (query && e.embedQuery ? e.embedQuery(texts) : e.embed(texts));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new MemoryError('EMBED_FAILED', `${e.id}: ${why}`, { cause: error });
    }
    check(
      Array.isArray(vectors) && vectors.length === texts.length,
      `${e.id} returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${texts.length} texts`,
    );
    vectors.forEach((v, i) => {
      if (v?.length !== e.dim)
        throw new MemoryError(
          'DIMENSION_MISMATCH',
          `${e.id} returned ${v?.length} values for text ${i}, declared dim ${e.dim}`,
        );
    });
    return vectors;
  }
}

function positiveInt(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  check(
    Number.isInteger(value) && value > 0,
    `${what} must be a positive integer, got ${String(value)}`,
  );
  return value;
}

function resolveSettings(o: MemoryOptions): Settings {
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
