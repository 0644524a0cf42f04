/**
 * How records look at rest: as they are, or (with an encryption key) with only the fields that
 * lookups and ordering need left clear — id, session, seq and times, the pending marks of a
 * turn and an anchor's version — and everything else, text and titles included, sealed with
 * AES-GCM.
 */
import { MemoryError } from '../errors.js';
import { unpackRow } from './chunks.js';
import { openBytes, openJson, sealBytes, sealJson } from './crypto.js';
import type { LooseVector, StoredRow, VectorChunk } from './schema.js';
import type { RecordKind, StoredRecords, VectorRecordStored } from './types.js';

/** Object store of each record kind (vectors also live in `chunks`). */
export const STORE_OF = {
  turn: 'turns',
  summary: 'summaries',
  anchor: 'anchors',
  vector: 'vectors',
  meta: 'meta',
  session: 'sessions',
} as const;

/** The fields kept clear per kind (ids, sessions, times; see the file comment). */
const CLEAR: Record<RowKind, readonly string[]> = {
  turn: ['id', 'session', 'seq', 'at', 'pending'],
  summary: ['id', 'session', 'from', 'to'],
  anchor: ['id', 'session', 'firstSeen', 'lastSeen', 'version'],
  session: ['id', 'session', 'at'],
};

type RowKind = 'turn' | 'summary' | 'anchor' | 'session';

/** A turn, summary, anchor or session record as stored. */
export async function encodeRow(
  kind: RowKind,
  record: StoredRecords[RowKind],
  key: CryptoKey | undefined,
): Promise<StoredRow> {
  if (!key) return record as unknown as StoredRow;
  const clear: Record<string, unknown> = {};
  const hidden: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    (CLEAR[kind].includes(field) ? clear : hidden)[field] = value;
  }
  return { ...(clear as { id: string; session: string }), sealed: await sealJson(key, hidden) };
}

/** A turn, summary, anchor or session record read back. */
export async function decodeRow<K extends RowKind>(
  row: StoredRow,
  key: CryptoKey | undefined,
): Promise<StoredRecords[K]> {
  if (!row.sealed) return row as unknown as StoredRecords[K];
  if (!key) throw new Error('unreachable: sealed rows are only read with a key');
  const { sealed, ...clear } = row;
  const hidden = await openJson<Record<string, unknown>>(key, sealed, `record ${row.id}`);
  return { ...clear, ...hidden } as unknown as StoredRecords[K];
}

/** A vector not yet in a chunk, as stored. */
export async function encodeVector(
  record: VectorRecordStored,
  key: CryptoKey | undefined,
): Promise<LooseVector> {
  const { id, session, embedder } = record;
  const vector = Float32Array.from(record.vector);
  if (!key) return { id, session, embedder, vector };
  return { id, session, embedder, sealed: await sealBytes(key, vector) };
}

/** A loose vector read back. */
export async function decodeVector(
  row: LooseVector,
  key: CryptoKey | undefined,
): Promise<VectorRecordStored> {
  const { id, session, embedder } = row;
  if (row.vector) return { id, session, embedder, vector: row.vector };
  if (!row.sealed || !key) throw new Error(`vector ${id} has no values`);
  const bytes = await openBytes(key, row.sealed, `vector ${id}`);
  return { id, session, embedder, vector: new Float32Array(bytes) };
}

/** True for the row kinds (every kind but vectors and meta). */
export function isRowKind(kind: RecordKind): kind is RowKind {
  return kind === 'turn' || kind === 'summary' || kind === 'anchor' || kind === 'session';
}

/** A chunk's clear rows (opened with `key` when sealed). */
export async function chunkRows(
  chunk: VectorChunk,
  key: CryptoKey | undefined,
): Promise<ArrayBuffer> {
  if (chunk.rows) return chunk.rows;
  if (!chunk.sealed || !key)
    throw new MemoryError('DECRYPT_FAILED', `chunk ${chunk.id} has no rows`);
  return openBytes(key, chunk.sealed, `vector chunk ${chunk.id}`);
}

/** The vectors still in a chunk (rows of forgotten or replaced ids left out). */
export async function chunkVectors(
  chunk: VectorChunk,
  key: CryptoKey | undefined,
): Promise<VectorRecordStored[]> {
  const rows = await chunkRows(chunk, key);
  return chunk.ids.flatMap((id, r) =>
    id === null
      ? []
      : [
          {
            id,
            session: chunk.sessions[r]!,
            embedder: chunk.embedder,
            vector: unpackRow(chunk, rows, r),
          },
        ],
  );
}
