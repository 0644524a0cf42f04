/**
 * The IndexedDB schema of a memory: one database per memory name, one object store per record
 * kind, vectors in chunks of thousands of rows. Migrations run in `upgrade` by `oldVersion`; a
 * database written by a newer schema is refused before anything touches it.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { MemoryError } from '../errors.js';
import type { MetaRecord } from './types.js';

/** The schema this code writes. Raise it with a new step in `MIGRATIONS`. */
export const SCHEMA_VERSION = 2;

/** Text and vectors of a record, encrypted (AES-GCM, a fresh 12-byte IV per record). */
export interface Sealed {
  iv: Uint8Array;
  data: ArrayBuffer;
}

/**
 * A stored turn, summary, anchor or session record: the record itself, or with encryption only the fields
 * that must stay clear for lookups and ordering (id, session, seq and time) plus `sealed`.
 */
export interface StoredRow {
  id: string;
  session: string;
  seq?: number;
  at?: number;
  sealed?: Sealed;
  [field: string]: unknown;
}

/** A vector not yet sealed into a chunk: the engine's f32 values as given. */
export interface LooseVector {
  id: string;
  session: string;
  embedder: string;
  vector?: Float32Array;
  sealed?: Sealed;
}

/**
 * Thousands of vectors in one record, rows in the index's own layout (normalized, `storage`
 * elements, `strideWords` u32 per row), so that reopening copies bytes instead of converting.
 * `ids[i]` is null once row i was forgotten or replaced. `checksum` covers the clear rows.
 */
export interface VectorChunk {
  id: number;
  embedder: string;
  dim: number;
  storage: 'f16' | 'f32';
  strideWords: number;
  ids: (string | null)[];
  sessions: string[];
  rows?: ArrayBuffer;
  sealed?: Sealed;
  checksum: number;
}

/** The typed schema, for `idb`. */
export interface MemoryDB extends DBSchema {
  meta: { key: string; value: MetaRecord | (MetaRecord & { sealed: Sealed }) };
  turns: {
    key: string;
    value: StoredRow;
    indexes: { session: [string, number]; pending: string };
  };
  summaries: { key: string; value: StoredRow; indexes: { session: string } };
  anchors: { key: string; value: StoredRow; indexes: { session: string } };
  vectors: { key: string; value: LooseVector; indexes: { session: string } };
  chunks: { key: number; value: VectorChunk; indexes: { ids: string } };
  sessions: { key: string; value: StoredRow };
}

/** The database name of a memory. */
export function databaseName(memoryName: string): string {
  return `memkeeper:${memoryName}`;
}

type Upgrade = (db: IDBPDatabase<MemoryDB>) => void;

/** Step i brings a database from version i to i + 1. */
const MIGRATIONS: readonly Upgrade[] = [
  (db) => {
    db.createObjectStore('meta', { keyPath: 'id' });
    const turns = db.createObjectStore('turns', { keyPath: 'id' });
    turns.createIndex('session', ['session', 'seq']);
    // Turns with derived work left: found at open without reading every turn.
    turns.createIndex('pending', 'pending', { multiEntry: true });
    db.createObjectStore('summaries', { keyPath: 'id' }).createIndex('session', 'session');
    db.createObjectStore('anchors', { keyPath: 'id' }).createIndex('session', 'session');
    db.createObjectStore('vectors', { keyPath: 'id' }).createIndex('session', 'session');
    // multiEntry: a vector id finds its chunk in one index read, in any tab.
    db.createObjectStore('chunks', { keyPath: 'id' }).createIndex('ids', 'ids', {
      multiEntry: true,
    });
  },
  // 2: a record per conversation (its title), keyed by the session id.
  (db) => {
    db.createObjectStore('sessions', { keyPath: 'id' });
  },
];

/**
 * Opens (creating or migrating) a memory's database. A newer schema is refused with
 * `BAD_INPUT`, the database untouched; `blocked` means another tab holds an older version open.
 *
 * @example
 * const db = await openMemoryDB('chat');
 */
export async function openMemoryDB(
  memoryName: string,
  version = SCHEMA_VERSION,
  migrations: readonly Upgrade[] = MIGRATIONS,
): Promise<IDBPDatabase<MemoryDB>> {
  const name = databaseName(memoryName);
  let db: IDBPDatabase<MemoryDB>;
  try {
    db = await openDB<MemoryDB>(name, version, {
      upgrade(db, oldVersion) {
        for (let v = oldVersion; v < version; v++) migrations[v]!(db);
      },
      blocking() {
        // Another tab wants a newer schema: step aside so that it can migrate.
        db.close();
      },
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'VersionError') {
      throw new MemoryError(
        'BAD_INPUT',
        `database ${name} was written by a newer memkeeper (schema above ${version}); ` +
          'update the app to open it (it was left untouched)',
        { cause: error },
      );
    }
    throw error;
  }
  return db;
}
