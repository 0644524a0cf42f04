/**
 * Reading every record of a kind a page at a time, so that a large memory streams out (export)
 * without being held whole: each page is its own short read (a transaction cannot stay open
 * while the reader waits), resumed after the last key seen. Turns come by session, in order;
 * vectors chunk by chunk, then the loose ones.
 */
import type { IDBPDatabase } from 'idb';
import { chunkVectors, decodeRow, decodeVector, STORE_OF } from './codec.js';
import type { MemoryDB, StoredRow } from './schema.js';
import type { RecordKind, StoredRecords } from './types.js';

/**
 * Pages of at most `size` records of `kind`, decoded (opened with `key` when encrypted).
 *
 * @example
 * for await (const page of recordPages(db, 'turn', 256, undefined)) send(page);
 */
export async function* recordPages<K extends RecordKind>(
  db: IDBPDatabase<MemoryDB>,
  kind: K,
  size: number,
  key: CryptoKey | undefined,
): AsyncGenerator<StoredRecords[K][]> {
  if (kind === 'vector') {
    yield* vectorPages(db, size, key) as AsyncGenerator<StoredRecords[K][]>;
    return;
  }
  if (kind === 'meta') {
    const meta = (await db.getAll('meta')).filter((m) => m.id !== 'keyCheck');
    if (meta.length) yield meta as StoredRecords[K][];
    return;
  }
  if (kind === 'turn') {
    yield* turnPages(db, size, key) as AsyncGenerator<StoredRecords[K][]>;
    return;
  }
  const name = STORE_OF[kind as 'summary' | 'anchor' | 'session'];
  let after: string | undefined;
  for (;;) {
    const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
    const rows = await db.getAll(name, range, size);
    if (!rows.length) return;
    after = rows[rows.length - 1]!.id;
    yield (await Promise.all(rows.map((r) => decodeRow(r, key)))) as StoredRecords[K][];
    if (rows.length < size) return;
  }
}

/**
 * Turns by session and seq (the `session` index), each page resumed after the last (index
 * key, id) seen: records sharing an index key (a seq imported twice) are neither lost nor
 * repeated at a page boundary.
 */
async function* turnPages(
  db: IDBPDatabase<MemoryDB>,
  size: number,
  key: CryptoKey | undefined,
): AsyncGenerator<StoredRecords['turn'][]> {
  let after: { at: IDBValidKey; id: string } | undefined;
  for (;;) {
    const rows: StoredRow[] = [];
    const index = db.transaction('turns').store.index('session');
    let cursor = await index.openCursor(after && IDBKeyRange.lowerBound(after.at));
    while (
      cursor &&
      after &&
      indexedDB.cmp(cursor.key, after.at) === 0 &&
      cursor.primaryKey <= after.id
    )
      cursor = await cursor.continue();
    while (cursor && rows.length < size) {
      rows.push(cursor.value);
      if (rows.length < size) cursor = await cursor.continue();
    }
    if (!rows.length) return;
    const last = rows[rows.length - 1]!;
    after = { at: [last.session, last.seq!], id: last.id };
    yield await Promise.all(rows.map((r) => decodeRow<'turn'>(r, key)));
    if (rows.length < size) return;
  }
}

/**
 * Vectors chunk by chunk (one chunk read at a time), then the loose ones by id. A vector put
 * again since its chunk was sealed is loose too: the loose copy is the current one, and its
 * chunk row is skipped.
 */
async function* vectorPages(
  db: IDBPDatabase<MemoryDB>,
  size: number,
  key: CryptoKey | undefined,
): AsyncGenerator<StoredRecords['vector'][]> {
  const loose = new Set(await db.getAllKeys('vectors'));
  let after: number | undefined;
  for (;;) {
    const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
    const [chunk] = await db.getAll('chunks', range, 1);
    if (!chunk) break;
    after = chunk.id;
    const vectors = (await chunkVectors(chunk, key)).filter((v) => !loose.has(v.id));
    for (let i = 0; i < vectors.length; i += size) yield vectors.slice(i, i + size);
  }
  let last: string | undefined;
  for (;;) {
    const range = last === undefined ? undefined : IDBKeyRange.lowerBound(last, true);
    const rows = await db.getAll('vectors', range, size);
    if (!rows.length) return;
    last = rows[rows.length - 1]!.id;
    yield await Promise.all(rows.map((r) => decodeVector(r, key)));
    if (rows.length < size) return;
  }
}
