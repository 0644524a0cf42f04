import { MemoryError } from '../errors.js';
import type {
  MemoryStore,
  RecordKind,
  SessionStats,
  StoreChange,
  StoredRecords,
  TurnRecord,
} from './types.js';

/** True when a put may not replace `old` (see `StoreChange`). */
export function stale(change: StoreChange, old: unknown): boolean {
  if (!('put' in change)) return false;
  if (change.create) return true;
  const version = (old as { version?: unknown }).version;
  return change.kind === 'anchor' && typeof version === 'number' && version >= change.put.version;
}

type Table = Map<string, StoredRecords[RecordKind]>;

/**
 * The in-memory store: everything is lost when the page goes. Records are copied in and out,
 * as IndexedDB would, so that the engine never shares objects with its storage.
 *
 * @example
 * const store = new InMemoryStore();
 * await store.write([{ kind: 'meta', put: { id: 'embedder', value: 'hashing-384' } }]);
 */
export class InMemoryStore implements MemoryStore {
  private readonly tables = new Map<RecordKind, Table>();
  private closed = false;

  async write(changes: readonly StoreChange[]): Promise<void> {
    this.open();
    // Checked first and applied after: a batch lands whole or not at all.
    for (const change of changes) {
      const id = 'put' in change ? change.put.id : change.delete;
      if (typeof id !== 'string' || id.length === 0) {
        throw new MemoryError('BAD_INPUT', `a ${change.kind} record has no id`);
      }
    }
    for (const change of changes) {
      if (!('put' in change)) continue;
      const old = this.table(change.kind).get(change.put.id);
      if (old && stale(change, old))
        throw new MemoryError('STALE_VERSION', `${change.kind} ${change.put.id} changed meanwhile`);
    }
    const copies = changes.map((c) => ('put' in c ? structuredClone(c.put) : undefined));
    changes.forEach((change, i) => {
      const table = this.table(change.kind);
      if ('put' in change) table.set(change.put.id, copies[i]!);
      else table.delete(change.delete);
    });
  }

  async get<K extends RecordKind>(kind: K, id: string): Promise<StoredRecords[K] | undefined> {
    this.open();
    const record = this.table(kind).get(id) as StoredRecords[K] | undefined;
    return record && structuredClone(record);
  }

  async list<K extends RecordKind>(kind: K, session?: string): Promise<StoredRecords[K][]> {
    this.open();
    const out: StoredRecords[K][] = [];
    for (const record of this.table(kind).values()) {
      if (session !== undefined && 'session' in record && record.session !== session) continue;
      out.push(structuredClone(record) as StoredRecords[K]);
    }
    if (kind === 'turn')
      out.sort((a, b) => (a as { seq: number }).seq - (b as { seq: number }).seq);
    return out;
  }

  async *pages<K extends RecordKind>(kind: K, size: number): AsyncGenerator<StoredRecords[K][]> {
    this.open();
    const records = [...this.table(kind).values()] as StoredRecords[K][];
    if (kind === 'turn')
      records.sort((a, b) => (a as { seq: number }).seq - (b as { seq: number }).seq);
    // Copied a page at a time, as they are handed out.
    for (let i = 0; i < records.length; i += size)
      yield structuredClone(records.slice(i, i + size));
  }

  async clear(session: string): Promise<void> {
    this.open();
    for (const table of this.tables.values()) {
      for (const [id, record] of table) {
        if ('session' in record && record.session === session) table.delete(id);
      }
    }
  }

  async sessionStats(): Promise<SessionStats[]> {
    this.open();
    return statsOf(this.table('turn').values() as Iterable<TurnRecord>);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tables.clear();
  }

  private table(kind: RecordKind): Table {
    let table = this.tables.get(kind);
    if (!table) this.tables.set(kind, (table = new Map()));
    return table;
  }

  private open(): void {
    if (this.closed) throw new MemoryError('DESTROYED', 'this store was closed');
  }
}

/**
 * Turn count and first and last turn times (by `seq`) per session, in one pass over turns in
 * any order: the fallback of `memory.sessions()` for stores without `sessionStats`.
 *
 * @example
 * statsOf(await store.list('turn')); // [{ session: 'chat-42', turns: 12, firstAt, lastAt }]
 */
export function statsOf(turns: Iterable<TurnRecord>): SessionStats[] {
  const by = new Map<string, SessionStats & { first: number; last: number }>();
  for (const { session, seq, at } of turns) {
    const s = by.get(session);
    if (!s) by.set(session, { session, turns: 1, firstAt: at, lastAt: at, first: seq, last: seq });
    else {
      s.turns++;
      if (seq < s.first) [s.first, s.firstAt] = [seq, at];
      if (seq > s.last) [s.last, s.lastAt] = [seq, at];
    }
  }
  return [...by.values()].map(({ session, turns, firstAt, lastAt }) => ({
    session,
    turns,
    firstAt,
    lastAt,
  }));
}
