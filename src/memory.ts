import { BackgroundQueue } from './background.js';
import { ChangeFeed, type ChangeListener } from './changes.js';
import { embedChecked, type Embedder, type ProgressEvent } from './embed/embedder.js';
import { MemoryError, check } from './errors.js';
import type { GpuInfo } from './gpu/device.js';
import {
  checkEmbedder,
  checkOptions,
  checkSessionId,
  loadEmbedder,
  resolveSettings,
  type MemoryOptions,
} from './options.js';
import { reembedSessions } from './reembed.js';
import { Session } from './session.js';
import { SessionState } from './session-state.js';
import { listSessions, type SessionInfo } from './session-list.js';
import type { Settings, Shared } from './shared.js';
import { InMemoryStore } from './store/memory-store.js';
import { IndexedDbStore, type RestoreReport } from './store/indexeddb-store.js';
import { loadVectors, resolveStore } from './store/open.js';
import { applyRemote, sessionOfId } from './sync/remote.js';
import type { Announced } from './sync/channel.js';
import { evictWeakest, type Evicted } from './store/evict.js';
import { exportLines, parseImport } from './store/export.js';
import { askPersist, estimate, type StorageReport } from './store/quota.js';
import type { MemoryStore } from './store/types.js';
import { createVectorIndex, type VectorIndex } from './vectors/vector-index.js';

export type { EmbedderLoader, MemoryBudgets, MemoryOptions } from './options.js';
export type { MemoryChange } from './changes.js';
export type { SessionInfo } from './session-list.js';

/** How safely the memory is kept, and its space budget. */
interface Durability {
  persisted: boolean | undefined;
  maxBytes?: number;
  onEvict?: (evicted: Evicted[]) => void;
}

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
  checkOptions(options);
  options.signal?.throwIfAborted();
  const settings = resolveSettings(options);
  const embedder = await loadEmbedder(options);
  try {
    return await open(options, settings, embedder);
  } catch (error) {
    // A loaded embedder is the memory's own; one the app passed stays the app's.
    if (typeof options.embedder === 'function') await embedder.dispose?.();
    throw error;
  }
}

async function open(options: MemoryOptions, settings: Settings, embedder: Embedder) {
  const vectorStorage = options.vectorStorage ?? 'f16';
  const name = options.name ?? 'memkeeper';
  const reembed = options.reembed ?? true;
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
  let changed: boolean;
  try {
    options.signal?.throwIfAborted();
    changed = await checkEmbedder(store, embedder, reembed);
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
  const persisted = store instanceof IndexedDbStore ? await askPersist() : undefined;
  const memory = new Memory(name, store, index, embedder, settings, {
    persisted,
    ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
    ...(options.onEvict ? { onEvict: options.onEvict } : {}),
  });
  // Sessions with unfinished work, or whose vectors sat in a damaged chunk, load now: their
  // turns are embedded and extracted again in the background from the stored text.
  for (const id of restored.resume) memory.session(id);
  if (changed && reembed === true) {
    try {
      await memory.reembedStored(options.onProgress, options.signal);
    } catch (error) {
      memory.destroy();
      throw error;
    }
  }
  options.onProgress?.({ kind: 'ready', what: 'memory' });
  return memory;
}

/** See {@link createMemory}. */
export class Memory {
  private readonly opened = new Map<string, Session>();
  private readonly queue = new BackgroundQueue();
  private readonly changes = new ChangeFeed();
  private readonly watchers = new Set<(ids: readonly string[]) => void>();
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
      embed: (texts) => embedChecked(embedder, texts, false),
      embedQuery: async (text) => (await embedChecked(embedder, [text], true))[0]!,
      alive: () => this.alive(),
      wrote: () => this.keepBudget(),
      changed: (session) => this.changes.note(session, 'local'),
      indexed: (ids) => this.watchers.forEach((seen) => seen(ids)),
    };
    if (store instanceof IndexedDbStore) store.sync.listen((changes) => this.remote(changes));
  }

  /**
   * Applies another tab's committed changes, in order, one announcement after another, and
   * tells the change listeners of each session touched.
   */
  private remote(changes: Announced[]): void {
    this.remoteChain = this.remoteChain
      .then(async () => {
        for (const change of changes) {
          if (this.state === 'closed') return;
          if (change.kind === 'meta') continue;
          const id = sessionOfId(change.id);
          if (change.kind === 'clear') await this.cleared(id);
          else {
            const session = this.opened.get(id);
            const state = session ? await session.loaded() : undefined;
            await applyRemote(change, this.shared, state);
          }
          this.changes.note(id, 'remote');
        }
      })
      .catch(() => undefined); // a record gone meanwhile is announced again by its deleter
  }

  /**
   * Another tab deleted a session: its vectors leave the index, and an open Session of it
   * empties. This tab's own background writes to it may have landed after the other tab's
   * clear: the store is cleared once more here, without an announcement (that would echo).
   */
  private async cleared(id: string): Promise<void> {
    this.index.removeSession(id);
    const session = this.opened.get(id);
    const store = this.store;
    if (!session || !(store instanceof IndexedDbStore)) return;
    await session.reset(() => store.clear(id, false));
    if (this.state !== 'closed') this.index.removeSession(id);
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
   * Forgets the weakest unpinned memories of every stored session until the stored bytes are
   * within `maxBytes` (or `limit`); resolves to what was evicted, weakest first. Sessions not
   * open here are read for the moment (their tiers only: no lexical index, no derived work)
   * and let go after.
   */
  async evict(limit = this.durability.maxBytes): Promise<Evicted[]> {
    this.alive();
    const store = this.store;
    if (!(store instanceof IndexedDbStore) || limit === undefined || store.bytes <= limit)
      return [];
    const stored = (await this.sessions()).map((s) => s.id);
    const evicted = await evictWeakest(
      {
        sessions: [...new Set([...this.opened.keys(), ...stored])],
        open: (id) => this.opened.get(id)?.loaded(),
        peek: async (id) => {
          const state = new SessionState(id, this.shared, true);
          await state.load();
          return state;
        },
        bytes: () => store.bytes,
      },
      limit,
      this.shared.settings,
    );
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

  /** The GPU the memory searches on (adapter name, fallback or not); undefined on the CPU. */
  get gpu(): GpuInfo | undefined {
    return this.index.gpuInfo;
  }

  /** The vector index's size: vectors held, bytes in host memory and on the GPU. */
  get indexStats(): { vectors: number; hostBytes: number; gpuBytes: number } {
    const { host, gpu } = this.index.bytes;
    return { vectors: this.index.size, hostBytes: host, gpuBytes: gpu };
  }

  /** A session's memory (created on first use). Ids: 1..128 of `A-Z a-z 0-9 _ . : @ -`. */
  session(id: string): Session {
    this.alive();
    checkSessionId(id);
    let session = this.opened.get(id);
    if (!session) this.opened.set(id, (session = new Session(id, this.shared)));
    return session;
  }

  /**
   * Every conversation stored, including those not opened in this run, newest activity (last
   * turn) first, with its title, turn count and first and last turn times. Reads no turn text
   * where the store can count (IndexedDB walks its turns index).
   *
   * @example
   * for (const { id, title, turns, lastAt } of await memory.sessions())
   *   list.add(title ?? id, `${turns} turns`, new Date(lastAt));
   */
  async sessions(): Promise<SessionInfo[]> {
    this.alive();
    return listSessions(this.store);
  }

  /**
   * Deletes a conversation: every record and vector of it, from the store and the index. An
   * open Session of it throws `DESTROYED` from then on; `memory.session(id)` starts it anew,
   * empty. Other tabs empty their copy and get a change event.
   *
   * @example
   * await memory.deleteSession('chat-42');
   */
  async deleteSession(id: string): Promise<void> {
    this.alive();
    checkSessionId(id);
    const session = this.opened.get(id);
    this.opened.delete(id);
    session?.drop();
    this.index.removeSession(id);
    await this.store.clear(id);
    this.changes.note(id, 'local');
  }

  /**
   * Calls `listener` after stored changes of a session land: observe, background work done
   * (summaries, anchors, vectors), pin, forget, edit, setTitle, deleteSession, import, and
   * another tab's changes once applied here (`source: 'remote'`). Changes are gathered: one
   * event per session per tick, never dropping the last. A listener that throws does not
   * disturb the memory. Returns the unsubscribe.
   *
   * @example
   * const stop = memory.onChange(async ({ session }) => render(await memory.session(session).inspect()));
   * stop();
   */
  onChange(listener: ChangeListener): () => void {
    this.alive();
    check(typeof listener === 'function', 'onChange() takes a function');
    return this.changes.listen(listener);
  }

  /**
   * @internal Re-embeds every stored session now (after an embedder change), telling
   * `onProgress` how far it got; see `MemoryOptions.reembed`.
   */
  async reembedStored(
    onProgress?: (event: ProgressEvent) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    this.alive();
    const sessions = (await this.sessions()).map((s) => s.id);
    await reembedSessions(
      {
        sessions,
        open: (id) => this.session(id).loaded(),
        settled: (id) => this.session(id).settled(),
        index: this.index,
        watch: (seen) => {
          this.watchers.add(seen);
          return () => void this.watchers.delete(seen);
        },
      },
      onProgress,
      signal,
    );
  }

  /**
   * The whole memory as JSON Lines (header, records, vectors in base64, end line), after the
   * background work of the open sessions is done. Lines are yielded as the records are read, a
   * page (or a vector chunk) at a time, so that a large memory streams out in bounded memory.
   */
  async *export(): AsyncGenerator<string> {
    this.alive();
    await Promise.all([...this.opened.values()].map((s) => s.settled()));
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
      const exists = (await this.store.list('turn', id)).length > 0 || this.opened.has(id);
      check(!exists, `session ${id} already exists in memory ${this.name}; import adds sessions`);
    }
    await this.store.write(changes);
    if (vectors.length) this.index.upsert(vectors);
    for (const id of sessions) this.changes.note(id, 'local');
  }

  /** Finishes the background work, then releases everything; the stored data stays. */
  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    await Promise.all([...this.opened.values()].map((s) => s.settled().catch(() => undefined)));
    this.changes.flush(); // the last changes are told before the memory goes
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
    this.changes.stop();
    this.queue.stop();
    this.index.destroy();
    void this.store.close();
    void this.embedder.dispose?.();
  }

  private alive(): void {
    if (this.state === 'closed')
      throw new MemoryError('DESTROYED', `memory ${this.name} was closed or destroyed`);
  }
}
