/**
 * The storage interface the memory engine writes through: records of six kinds, read by id
 * or by session, written in batches that land whole or not at all. `memory-store.ts` keeps
 * them in memory; the IndexedDB store implements the same interface.
 */
import type { AnchorKind } from '../extract/anchor.js';

/** Who spoke a turn. */
export type Role = 'user' | 'assistant' | 'system' | 'tool';

/** One observed turn, as stored. `pending` lists derived work not yet done (resumed on open). */
export interface TurnRecord {
  id: string;
  session: string;
  /** Order within the session, from 0. */
  seq: number;
  role: Role;
  content: string;
  name?: string;
  /** Milliseconds since the epoch. */
  at: number;
  tokens: number;
  pending: ('embed' | 'extract')[];
}

/** A mid-term summary of consecutive turns. */
export interface SummaryRecord {
  id: string;
  session: string;
  text: string;
  /** Ids of the turns it summarizes, in order. */
  sources: string[];
  /** Time of its first and last turn. */
  from: number;
  to: number;
  tokens: number;
  /** `'extractive'` or `'abstractive'` (the app's summarize function). */
  method: 'extractive' | 'abstractive';
}

/** A long-term anchor: a fact, preference, intent or entity, with its strength and decay. */
export interface AnchorRecord {
  id: string;
  session: string;
  kind: AnchorKind;
  key: string;
  value: string;
  text: string;
  sources: string[];
  firstSeen: number;
  lastSeen: number;
  /** 0..1, raised by every restatement. */
  strength: number;
  /** Times recalled; each one lengthens the half-life. */
  recalls: number;
  /** When it was last restated or recalled: decay counts from here. */
  reinforcedAt: number;
  pinned: boolean;
  /** Removed by the sweep after this time (ms since the epoch), if set. */
  expiresAt?: number;
  /** The anchor that replaced this one; superseded anchors are kept, not recalled by default. */
  supersededBy?: string;
  supersedes?: string;
  /** Raised on every write (multi-tab stores refuse stale versions). */
  version: number;
}

/** A vector of a turn passage, summary or anchor, and the embedder that wrote it. */
export interface VectorRecordStored {
  id: string;
  session: string;
  embedder: string;
  vector: Float32Array;
}

/**
 * A conversation's own record: its title. Keyed by the session id (`id` and `session` are the
 * same), so that clearing the session removes it with the rest.
 */
export interface SessionRecord {
  id: string;
  session: string;
  title: string;
  /** When the title was set (ms since the epoch). */
  at: number;
}

/** A session's turns at a glance: how many, and the times of its first and last (by `seq`). */
export interface SessionStats {
  session: string;
  turns: number;
  firstAt: number;
  lastAt: number;
}

/** A small setting of the memory as a whole (embedder id, dimension, schema version). */
export interface MetaRecord {
  id: string;
  value: string | number;
}

/** The record type of each kind. */
export interface StoredRecords {
  turn: TurnRecord;
  summary: SummaryRecord;
  anchor: AnchorRecord;
  vector: VectorRecordStored;
  meta: MetaRecord;
  session: SessionRecord;
}

/** A kind of record. */
export type RecordKind = keyof StoredRecords;

/**
 * One change of a batch: put a record (insert or replace by id), or delete one by id. With
 * `create`, the put must insert: a record already there (another tab took the id) refuses the
 * batch with `STALE_VERSION`. An anchor put whose `version` is not above the stored one is
 * refused the same way: it was based on a stale read.
 */
export type StoreChange = {
  [K in RecordKind]:
    { kind: K; put: StoredRecords[K]; create?: boolean } | { kind: K; delete: string };
}[RecordKind];

/**
 * What the engine needs from storage, and nothing more.
 *
 * @example
 * await store.write([{ kind: 'turn', put: turn }, { kind: 'vector', put: vector }]);
 * const turns = await store.list('turn', 'chat-42');
 */
export interface MemoryStore {
  /** Applies every change, or none (then rejects, everything earlier intact). */
  write(changes: readonly StoreChange[]): Promise<void>;
  /** One record by id. */
  get<K extends RecordKind>(kind: K, id: string): Promise<StoredRecords[K] | undefined>;
  /** A session's records (turns ordered by `seq`); `meta` and `vector` without one list all. */
  list<K extends RecordKind>(kind: K, session?: string): Promise<StoredRecords[K][]>;
  /** Drops a session's records of every kind, in one batch. */
  clear(session: string): Promise<void>;
  /**
   * Optional: the turn counts and first and last times of every session with turns, without
   * reading every turn (an index walk). Without it, `memory.sessions()` lists all turns.
   */
  sessionStats?(): Promise<SessionStats[]>;
  /**
   * Optional: every record of a kind, at most `size` per page, read page by page, so that a
   * large memory streams out (export) without being held whole. Without it, export lists each
   * kind whole.
   */
  pages?<K extends RecordKind>(kind: K, size: number): AsyncIterable<StoredRecords[K][]>;
  /** Releases the store; later calls reject. Idempotent. */
  close(): Promise<void>;
}
