/**
 * The naive peer with its persistence, the way in-browser memory libraries (LokulMem, EntityDB,
 * IndexedDB vector stores and their kind) keep memories: one IndexedDB record per memory,
 * `{ id, text, vector }`, the vector a `number[]` (`Array.from` of the embedder's output, the
 * common case) or the Float32Array itself. Reopening reads every record back into a JS array
 * (`getAll`); recall embeds the question and runs {@link NaiveStore}'s cosine loop and sort over
 * all of them. One global store, no sessions: these libraries keep one.
 *
 * V8 reads a `number[]` back from structured clone (IndexedDB's serialization) as an array of
 * boxed numbers, not packed doubles: after a reload the records take about three times the heap
 * of freshly built arrays and the loop runs slower over them. That is what these libraries get
 * after a reload, so it is measured here, not avoided.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { NaiveStore, type NaiveEntry } from './naive.js';

export type NaiveVectorType = 'number[]' | 'Float32Array';

/** One stored memory. */
export interface NaiveRecord extends NaiveEntry {
  text: string;
}

interface NaiveSchema extends DBSchema {
  memories: { key: string; value: NaiveRecord };
}

/** Records per write transaction when building (libraries add one by one; the build is not timed against memkeeper). */
const WRITE_BATCH = 1000;

/**
 * The IndexedDB side: write records, read them all back.
 *
 * @example
 * const db = await NaiveIdb.open('naive-10k');
 * await db.write([{ id: 'm1', text: 'I live in Lisbon', vector: [0.1, 0.2] }]);
 * const store = await db.load(); // every record in a NaiveStore
 * store.query([0.1, 0.25], 10);
 */
export class NaiveIdb {
  private constructor(private readonly db: IDBPDatabase<NaiveSchema>) {}

  /** Opens (creating when new) the database `name`. */
  static async open(name: string): Promise<NaiveIdb> {
    const db = await openDB<NaiveSchema>(name, 1, {
      upgrade(db) {
        db.createObjectStore('memories', { keyPath: 'id' });
      },
    });
    return new NaiveIdb(db);
  }

  /** Deletes the database `name` (closed first). */
  static remove(name: string): Promise<void> {
    return deleteDB(name);
  }

  /** Puts records, a transaction per thousand. */
  async write(records: readonly NaiveRecord[]): Promise<void> {
    for (let from = 0; from < records.length; from += WRITE_BATCH) {
      const tx = this.db.transaction('memories', 'readwrite');
      for (const record of records.slice(from, from + WRITE_BATCH)) void tx.store.put(record);
      await tx.done;
    }
  }

  /** Every record, read into the JS array the cosine loop runs over. */
  async load(): Promise<NaiveStore<NaiveRecord>> {
    const store = new NaiveStore<NaiveRecord>();
    for (const record of await this.db.getAll('memories')) store.add(record);
    return store;
  }

  close(): void {
    this.db.close();
  }
}

/** The vector as the library would store it. */
export function asStored(vector: Float32Array, type: NaiveVectorType): NaiveRecord['vector'] {
  return type === 'number[]' ? Array.from(vector) : vector.slice();
}
