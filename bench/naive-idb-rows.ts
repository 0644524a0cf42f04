/**
 * The naive peer with its IndexedDB (../peers/naive-idb.ts), as in-browser memory libraries
 * persist it: every row written as one record `{ id, text, vector: number[] }`, the database
 * closed, then reopened by reading every record back (the `reopen` column), and queried with
 * the same JS cosine loop and sort as the naive-js row. Real IndexedDB in Chromium,
 * fake-indexeddb in Node (an in-memory model of the API: its reopen is the clone, not a disk).
 */
import { row } from '../test/data.js';
import { timed } from './measure.js';
import { measureNaive } from './peer-rows.js';
import { NaiveIdb, type NaiveRecord } from './peers/naive-idb.js';
import { textOf, TEXT_WORDS } from './peers/texts.js';
import { emptyRow, label, name, summary, type SetContext } from './rows.js';
import type { Row } from './types.js';

/** One row, up to the naive peer's cap; its database is deleted afterwards. */
export async function naiveIdbRows(context: SetContext, truth: Int32Array): Promise<Row[]> {
  const { config, harness, set } = context;
  const result = emptyRow(context, 'naive-idb', 'idb', 'number[]');
  if (typeof indexedDB === 'undefined') {
    result.notes.push('no IndexedDB here');
    return [result];
  }
  if (set.n > config.naiveMaxN) {
    result.notes.push(`capped at ${label(config.naiveMaxN)} like the naive peer`);
    return [result];
  }
  const dbName = `memkeeper-bench-naive-${set.kind}-${set.n}`;
  try {
    await NaiveIdb.remove(dbName);
    const records: NaiveRecord[] = Array.from({ length: set.n }, (_, i) => {
      const v = row(set.data, i, set.dim);
      return { id: String(i), text: textOf(v, TEXT_WORDS.stored), vector: Array.from(v) };
    });
    const writer = await NaiveIdb.open(dbName);
    const build = await timed(() => writer.write(records));
    writer.close();
    records.length = 0;
    const before = await harness.heapBytes();
    const reopened = await timed(async () => {
      const db = await NaiveIdb.open(dbName);
      const store = await db.load();
      db.close();
      return store;
    });
    const after = await harness.heapBytes();
    if (before !== undefined && after !== undefined) {
      result.heldBytesPerVector = (after - before) / set.n;
    }
    // As the naive-js row: the same loop, queries and plan, over the records read back.
    const measured = await measureNaive(context, reopened.value, truth);
    result.buildMs = build.ms;
    result.reopenMs = reopened.ms;
    result.b1 = measured.b1;
    result.b32 = measured.b32;
    result.notes.push(...measured.notes);
    harness.progress(
      `${name(set)} naive-idb: reopen ${reopened.ms.toFixed(0)} ms, ${summary(result)}`,
    );
  } catch (error) {
    result.notes.push(`error: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await NaiveIdb.remove(dbName).catch(() => undefined);
  }
  return [result];
}
