import { deleteDB, type IDBPDatabase } from 'idb';
import { MemoryError } from '../errors.js';
import type { VectorIndex } from '../vectors/vector-index.js';
import { CHUNK_ROWS, checksum, chunkStorage, packRows, unpackRow } from './chunks.js';
import {
  chunkRows,
  chunkVectors,
  decodeRow,
  decodeVector,
  encodeRow,
  encodeVector,
  isRowKind,
  STORE_OF,
} from './codec.js';
import { KEY_CHECK, checkKey, openBytes, sealBytes } from './crypto.js';
import { TabSync } from '../sync/channel.js';
import { stale } from './memory-store.js';
import { sizeOf } from './quota.js';
import { announced, clearSession, settle, transact, unchunk, type StoreName } from './tx.js';
import {
  databaseName,
  openMemoryDB,
  type MemoryDB,
  type StoredRow,
  type VectorChunk,
} from './schema.js';
import { recordPages } from './pages.js';
import { turnStats } from './session-stats.js';
import type { MemoryStore, RecordKind, SessionStats, StoreChange, StoredRecords } from './types.js';

/** Options of {@link IndexedDbStore.open}. */
export interface IndexedDbStoreOptions {
  /** Vector length and the index's element type: chunks are kept in the index's layout. */
  dim: number;
  storage: 'f32' | 'f16' | 'int8';
  /** AES-GCM key of the app: text and vectors are encrypted at rest (see codec.ts). */
  encryptionKey?: CryptoKey;
}

/** What reopening the vector index found. */
export interface RestoreReport {
  /** Vectors copied into the index. */
  vectors: number;
  /** Chunks read. */
  chunks: number;
  /** Sessions whose vectors sat in a damaged chunk: dropped, to be embedded again from text. */
  rebuilt: string[];
  /** Where the time went, in ms: reading the chunks, checking them, copying them in. */
  ms?: { read: number; verify: number; copy: number };
}

const ALL: StoreName[] = ['meta', 'turns', 'summaries', 'anchors', 'vectors', 'chunks', 'sessions'];

/**
 * The IndexedDB store: one database per memory, every `write` one transaction (whole or not
 * at all), vectors first stored one per record and sealed into chunks of {@link CHUNK_ROWS}
 * once that many are loose, so that reopening reads a few large records.
 *
 * @example
 * const store = await IndexedDbStore.open('chat', { dim: 384, storage: 'f16' });
 * await store.write([{ kind: 'turn', put: turn }]);
 */
export class IndexedDbStore implements MemoryStore {
  private chain: Promise<unknown> = Promise.resolve();
  private loose = 0;
  private size = 0;
  private closed = false;
  /** The Web Lock and BroadcastChannel of this memory (multi-tab). */
  readonly sync: TabSync;

  private constructor(
    readonly name: string,
    private readonly db: IDBPDatabase<MemoryDB>,
    private readonly options: IndexedDbStoreOptions,
  ) {
    this.sync = new TabSync(name);
  }

  /**
   * Deletes a memory's database and everything in it. Close the memory first: a tab that still
   * holds it open delays the deletion until it closes.
   *
   * @example
   * await memory.close();
   * await IndexedDbStore.remove('chat');
   */
  static async remove(name: string): Promise<void> {
    await deleteDB(databaseName(name));
  }

  /**
   * Opens a memory's database. A newer schema is refused (`BAD_INPUT`); a wrong key, or no key
   * for an encrypted memory, gives `DECRYPT_FAILED` before anything is written.
   */
  static async open(name: string, options: IndexedDbStoreOptions): Promise<IndexedDbStore> {
    const key = options.encryptionKey;
    if (key !== undefined) checkKey(key);
    const db = await openMemoryDB(name);
    try {
      const check = await db.get('meta', 'keyCheck');
      if (check && 'sealed' in check) {
        if (!key)
          throw new MemoryError(
            'DECRYPT_FAILED',
            `memory ${name} is encrypted; pass its encryptionKey`,
          );
        await openBytes(key, check.sealed, `memory ${name}`);
      } else if (key) {
        if ((await db.count('turns')) > 0)
          throw new MemoryError('BAD_INPUT', `memory ${name} was stored without encryption`);
        const sealed = await sealBytes(key, new TextEncoder().encode(KEY_CHECK));
        await db.put('meta', { id: 'keyCheck', value: 'aes-gcm', sealed });
      }
      const store = new IndexedDbStore(name, db, options);
      store.loose = await db.count('vectors');
      store.size = Number((await db.get('meta', 'bytes'))?.value ?? 0);
      return store;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  write(changes: readonly StoreChange[]): Promise<void> {
    this.open();
    for (const change of changes) {
      const id = 'put' in change ? change.put.id : change.delete;
      if (typeof id !== 'string' || id.length === 0)
        return Promise.reject(new MemoryError('BAD_INPUT', `a ${change.kind} record has no id`));
    }
    return this.serial(async () => {
      // Encrypted before the transaction opens: an await on WebCrypto would commit it early.
      const encoded = await Promise.all(changes.map((c) => this.encode(c)));
      const tx = this.db.transaction(ALL, 'readwrite');
      let size = 0;
      await transact(tx, async () => {
        // What each change replaces, read first: the byte count stays exact across tabs.
        const before = await Promise.all(
          changes.map((c) =>
            tx.objectStore(STORE_OF[c.kind]).get('put' in c ? c.put.id : c.delete),
          ),
        );
        size = Number((await tx.objectStore('meta').get('bytes'))?.value ?? 0);
        for (const [i, change] of changes.entries()) {
          const store = tx.objectStore(STORE_OF[change.kind]);
          if (before[i] && stale(change, before[i]))
            throw new MemoryError(
              'STALE_VERSION',
              `${change.kind} ${'put' in change ? change.put.id : ''} changed in another tab`,
            );
          size += sizeOf(encoded[i]) - sizeOf(before[i]);
          if ('put' in change) settle(store.put(encoded[i] as never));
          else settle(store.delete(change.delete));
          if (change.kind === 'vector' && 'delete' in change) await unchunk(tx, [change.delete]);
        }
        settle(tx.objectStore('meta').put({ id: 'bytes', value: Math.max(0, size) }));
      });
      this.size = Math.max(0, size);
      this.sync.announce(changes.map(announced));
      this.loose += changes.filter((c) => c.kind === 'vector' && 'put' in c).length;
      if (this.loose >= CHUNK_ROWS) await this.sealChunk();
    });
  }

  async get<K extends RecordKind>(kind: K, id: string): Promise<StoredRecords[K] | undefined> {
    this.open();
    const key = this.options.encryptionKey;
    if (kind === 'vector') {
      const loose = await this.db.get('vectors', id);
      if (loose) return (await decodeVector(loose, key)) as StoredRecords[K];
      const chunk = await this.chunkOf(id);
      return (
        chunk &&
        ((await chunkVectors(chunk, this.options.encryptionKey)).find(
          (v) => v.id === id,
        ) as StoredRecords[K])
      );
    }
    const row = await this.db.get(STORE_OF[kind], id);
    if (!row) return undefined;
    return (isRowKind(kind) ? await decodeRow(row as StoredRow, key) : row) as StoredRecords[K];
  }

  async list<K extends RecordKind>(kind: K, session?: string): Promise<StoredRecords[K][]> {
    this.open();
    const key = this.options.encryptionKey;
    if (kind === 'meta')
      return (await this.db.getAll('meta')).filter(
        (m) => m.id !== 'keyCheck',
      ) as StoredRecords[K][];
    if (kind === 'vector') {
      const chunks = await this.db.getAll('chunks');
      const fromChunks = (
        await Promise.all(chunks.map((c) => chunkVectors(c, this.options.encryptionKey)))
      ).flat();
      const loose = await Promise.all(
        (await this.db.getAll('vectors')).map((v) => decodeVector(v, key)),
      );
      const byId = new Map([...fromChunks, ...loose].map((v) => [v.id, v]));
      return [...byId.values()].filter(
        (v) => session === undefined || v.session === session,
      ) as StoredRecords[K][];
    }
    const name = STORE_OF[kind as 'turn' | 'summary' | 'anchor' | 'session'];
    let rows: StoredRow[];
    if (session === undefined) rows = await this.db.getAll(name);
    else if (name === 'sessions') rows = [await this.db.get(name, session)].filter((r) => !!r);
    else if (name === 'turns')
      rows = await this.db.getAllFromIndex(
        'turns',
        'session',
        IDBKeyRange.bound([session, -Infinity], [session, Infinity]),
      );
    else rows = await this.db.getAllFromIndex(name, 'session', session);
    const records = await Promise.all(rows.map((r) => decodeRow(r, key)));
    if (kind === 'turn' && session === undefined)
      records.sort((a, b) => (a as { seq: number }).seq - (b as { seq: number }).seq);
    return records as StoredRecords[K][];
  }

  /** Drops a session's records; other tabs are told (`announce`), so that they empty theirs. */
  clear(session: string, announce = true): Promise<void> {
    this.open();
    return this.serial(async () => {
      const tx = this.db.transaction(ALL, 'readwrite');
      let size = 0;
      await transact(tx, async () => {
        // What goes is counted out of `bytes`, so that a maxBytes budget sees the space freed.
        const freed = await clearSession(tx, session);
        size = Number((await tx.objectStore('meta').get('bytes'))?.value ?? 0) - freed;
        settle(tx.objectStore('meta').put({ id: 'bytes', value: Math.max(0, size) }));
      });
      this.size = Math.max(0, size);
      this.loose = await this.db.count('vectors');
      if (announce) this.sync.announce([{ kind: 'clear', id: session, deleted: true }]);
    });
  }

  /** Records of a kind page by page (see pages.ts): what export streams from. */
  pages<K extends RecordKind>(kind: K, size: number): AsyncIterable<StoredRecords[K][]> {
    this.open();
    return recordPages(this.db, kind, size, this.options.encryptionKey);
  }

  /** Turn counts and first and last times per session, from one walk of the turns index. */
  sessionStats(): Promise<SessionStats[]> {
    this.open();
    return turnStats(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sync.close();
    await this.chain.catch(() => undefined);
    this.db.close();
  }

  /** Approximate bytes of this memory's records, kept in the meta record `bytes`. */
  get bytes(): number {
    return this.size;
  }

  /**
   * Fills `index` from the stored chunks (one copy each when the layouts match) and the loose
   * vectors of `embedder`. A chunk whose checksum fails is deleted, never searched; its
   * sessions are reported so that the engine embeds their records again from their text.
   */
  async restoreIndex(index: VectorIndex, embedder: string): Promise<RestoreReport> {
    this.open();
    const report: RestoreReport = { vectors: 0, chunks: 0, rebuilt: [] };
    const damaged: VectorChunk[] = [];
    const t0 = performance.now();
    const chunks = (await this.db.getAll('chunks')).filter(
      (c) => c.embedder === embedder && c.dim === index.dim,
    );
    const t1 = performance.now();
    const rows = await Promise.all(
      chunks.map((c) => chunkRows(c, this.options.encryptionKey).catch(() => undefined)),
    );
    const good: { chunk: VectorChunk; rows: ArrayBuffer }[] = [];
    chunks.forEach((chunk, i) => {
      const r = rows[i];
      if (r && checksum(new Uint32Array(r)) === chunk.checksum) good.push({ chunk, rows: r });
      else damaged.push(chunk);
    });
    const t2 = performance.now();
    report.chunks = good.length;
    report.vectors = good.reduce((n, g) => n + g.chunk.ids.filter((id) => id !== null).length, 0);
    // Chunks in the layout this index loads (f16 as is, f32 as is or as int8's originals).
    const raw = good.filter((g) => g.chunk.storage === chunkStorage(index.storage));
    // The first call reserves room for every row: the index grows once, not chunk by chunk.
    let left = raw.reduce((n, g) => n + g.chunk.ids.length, 0);
    for (const { chunk, rows: r } of raw) {
      index.restore(chunk.ids, chunk.sessions, new Uint32Array(r), left);
      left -= chunk.ids.length;
    }
    for (const { chunk, rows: r } of good.filter((g) => !raw.includes(g))) {
      index.upsert(
        chunk.ids.flatMap((id, i) =>
          id === null ? [] : [{ id, session: chunk.sessions[i]!, vector: unpackRow(chunk, r, i) }],
        ),
      );
    }
    report.ms = { read: t1 - t0, verify: t2 - t1, copy: performance.now() - t2 };
    const loose = await Promise.all(
      (await this.db.getAll('vectors')).map((v) => decodeVector(v, this.options.encryptionKey)),
    );
    const usable = loose.filter((v) => v.embedder === embedder);
    if (usable.length) index.upsert(usable);
    report.vectors += usable.length;
    if (damaged.length) {
      await this.serial(async () => {
        const tx = this.db.transaction('chunks', 'readwrite');
        for (const chunk of damaged) settle(tx.store.delete(chunk.id));
        await tx.done;
      });
      report.rebuilt = [...new Set(damaged.flatMap((c) => c.sessions))];
    }
    return report;
  }

  /** Sessions with turns whose derived work (embedding, extraction) was not finished. */
  async pendingSessions(): Promise<string[]> {
    this.open();
    const ids = await this.db.getAllKeysFromIndex('turns', 'pending');
    const rows = await Promise.all([...new Set(ids)].map((id) => this.db.get('turns', id)));
    return [...new Set(rows.flatMap((r) => (r ? [r.session] : [])))];
  }

  /** Seals every loose vector into chunks now (otherwise done each {@link CHUNK_ROWS}). */
  flush(): Promise<void> {
    this.open();
    return this.serial(async () => {
      while (this.loose > 0) await this.sealChunk();
    });
  }

  /** Moves up to CHUNK_ROWS loose vectors into one new chunk, in one transaction. */
  private async sealChunk(): Promise<void> {
    const key = this.options.encryptionKey;
    const rows = await this.db.getAll('vectors', undefined, CHUNK_ROWS);
    if (!rows.length) return void (this.loose = 0);
    // One embedder per chunk: the first one's vectors go now, the rest in a later chunk.
    const embedder = rows[0]!.embedder;
    const vectors = (await Promise.all(rows.map((r) => decodeVector(r, key)))).filter(
      (v) => v.embedder === embedder,
    );
    const storage = chunkStorage(this.options.storage);
    const packed = packRows(
      vectors.map((v) => v.vector),
      this.options.dim,
      storage,
    );
    const chunk: VectorChunk = {
      id: Date.now() * 1000 + Math.floor(Math.random() * 1000),
      embedder,
      dim: this.options.dim,
      storage,
      strideWords: packed.strideWords,
      ids: vectors.map((v) => v.id),
      sessions: vectors.map((v) => v.session),
      checksum: checksum(new Uint32Array(packed.rows)),
      ...(key ? { sealed: await sealBytes(key, packed.rows) } : { rows: packed.rows }),
    };
    const tx = this.db.transaction(ALL, 'readwrite');
    await transact(tx, async () => {
      const ids = chunk.ids as string[];
      await unchunk(tx, ids);
      for (const id of ids) settle(tx.objectStore('vectors').delete(id));
      settle(tx.objectStore('chunks').put(chunk));
      const moved = rows.filter((r) => r.embedder === embedder);
      const size = Number((await tx.objectStore('meta').get('bytes'))?.value ?? 0);
      this.size = Math.max(0, size + sizeOf(chunk) - moved.reduce((n, r) => n + sizeOf(r), 0));
      settle(tx.objectStore('meta').put({ id: 'bytes', value: this.size }));
    });
    this.loose = await this.db.count('vectors');
  }

  private async encode(change: StoreChange): Promise<unknown> {
    if (!('put' in change)) return undefined;
    const key = this.options.encryptionKey;
    if (change.kind === 'vector') return encodeVector(change.put, key);
    if (isRowKind(change.kind))
      return encodeRow(change.kind, change.put as StoredRecords['turn'], key);
    return change.put;
  }

  private async chunkOf(id: string): Promise<VectorChunk | undefined> {
    const key = await this.db.getKeyFromIndex('chunks', 'ids', id);
    return key === undefined ? undefined : this.db.get('chunks', key);
  }

  /** One write at a time in this tab, and under the memory's Web Lock across tabs. */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const work = () => this.sync.exclusive(job);
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private open(): void {
    if (this.closed) throw new MemoryError('DESTROYED', `store ${this.name} was closed`);
  }
}
