/**
 * Export and import as JSON Lines: a header line (format, schema, embedder, dimension), one
 * line per turn, summary, anchor, session record (title) and vector (vectors as base64 little-endian f32), and an end
 * line with the count, so that a truncated file is caught. Import checks every line before it
 * writes anything, then writes all of it in one batch.
 */
import { MemoryError } from '../errors.js';
import { SCHEMA_VERSION } from './schema.js';
import type {
  MemoryStore,
  RecordKind,
  StoreChange,
  StoredRecords,
  VectorRecordStored,
} from './types.js';

/** The export format this code writes and reads. */
export const EXPORT_FORMAT = 1;

const KINDS = ['turn', 'summary', 'anchor', 'session'] as const;

/** What the header says. */
export interface ExportHeader {
  type: 'memkeeper';
  format: number;
  schema: number;
  embedder: string;
  dim: number;
}

function toBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Float32Array | undefined {
  try {
    const s = atob(text);
    if (s.length % 4) return undefined;
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  } catch {
    return undefined;
  }
}

/** Records read per page while exporting: what an export holds at a time, besides a chunk. */
export const EXPORT_PAGE = 256;

/** A store's records of `kind`, page by page where it can (else its whole list, once). */
async function* pagesOf<K extends RecordKind>(
  store: MemoryStore,
  kind: K,
  size: number,
): AsyncGenerator<StoredRecords[K][]> {
  if (store.pages) yield* store.pages(kind, size);
  else yield await store.list(kind);
}

/**
 * Every line of a store's export, header first, end line last, each yielded as its record is
 * read: records come a page of `pageSize` at a time (vectors a chunk at a time), so that a
 * large memory streams out instead of being held whole.
 *
 * @example
 * const text = (await Array.fromAsync(exportLines(store, 'hashing-384', 384))).join('\n');
 */
export async function* exportLines(
  store: MemoryStore,
  embedder: string,
  dim: number,
  pageSize = EXPORT_PAGE,
): AsyncGenerator<string> {
  const header: ExportHeader = {
    type: 'memkeeper',
    format: EXPORT_FORMAT,
    schema: SCHEMA_VERSION,
    embedder,
    dim,
  };
  yield JSON.stringify(header);
  let count = 0;
  for (const kind of KINDS) {
    for await (const page of pagesOf(store, kind, pageSize)) {
      for (const record of page) {
        count++;
        yield JSON.stringify({ type: kind, record });
      }
    }
  }
  for await (const page of pagesOf(store, 'vector', pageSize)) {
    for (const v of page) {
      count++;
      const { id, session, embedder: by } = v;
      yield JSON.stringify({
        type: 'vector',
        id,
        session,
        embedder: by,
        vector: toBase64(Float32Array.from(v.vector)),
      });
    }
  }
  yield JSON.stringify({ type: 'end', count });
}

function fail(line: number, why: string): never {
  throw new MemoryError('BAD_INPUT', `import line ${line}: ${why}`);
}

const isString = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

/** The fields every record of a kind must have, with their types. */
const REQUIRED: Record<(typeof KINDS)[number], Record<string, 'string' | 'number' | 'object'>> = {
  turn: {
    id: 'string',
    session: 'string',
    seq: 'number',
    role: 'string',
    content: 'string',
    at: 'number',
    tokens: 'number',
    pending: 'object',
  },
  summary: {
    id: 'string',
    session: 'string',
    text: 'string',
    sources: 'object',
    from: 'number',
    to: 'number',
  },
  anchor: {
    id: 'string',
    session: 'string',
    kind: 'string',
    key: 'string',
    text: 'string',
    sources: 'object',
    strength: 'number',
    version: 'number',
  },
  session: { id: 'string', session: 'string', title: 'string', at: 'number' },
};

/**
 * Checks every line of an export and returns the batch to write; the first problem throws
 * `BAD_INPUT` naming its line (1-based). Vectors of another embedder or dimension are left
 * out (their records are embedded again), never mixed in.
 */
export function parseImport(
  lines: readonly string[],
  embedder: string,
  dim: number,
): { changes: StoreChange[]; vectors: VectorRecordStored[]; sessions: Set<string> } {
  const body = lines.length && lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
  if (!body.length) fail(1, 'the file is empty');
  const parsed = body.map((text, i) => {
    try {
      const value = JSON.parse(text) as unknown;
      if (!value || typeof value !== 'object') fail(i + 1, 'not a JSON object');
      return value as Record<string, unknown>;
    } catch (error) {
      if (error instanceof MemoryError) throw error;
      return fail(i + 1, `not valid JSON (${(error as Error).message})`);
    }
  });
  const header = parsed[0]!;
  if (header.type !== 'memkeeper') fail(1, 'not a memkeeper export (no memkeeper header)');
  if (header.format !== EXPORT_FORMAT)
    fail(1, `export format ${String(header.format)}, this version reads ${EXPORT_FORMAT}`);
  if (typeof header.schema !== 'number' || header.schema > SCHEMA_VERSION)
    fail(1, `schema ${String(header.schema)} is newer than ${SCHEMA_VERSION}`);
  const end = parsed[parsed.length - 1]!;
  if (parsed.length < 2 || end.type !== 'end')
    fail(parsed.length, 'truncated: the end line is missing');
  if (end.count !== parsed.length - 2)
    fail(
      parsed.length,
      `the end line counts ${String(end.count)} records, the file has ${parsed.length - 2}`,
    );
  const changes: StoreChange[] = [];
  const vectors: VectorRecordStored[] = [];
  const sessions = new Set<string>();
  const ids = new Set<string>();
  parsed.slice(1, -1).forEach((line, i) => {
    const n = i + 2;
    if (line.type === 'vector') {
      if (!isString(line.id) || !isString(line.session) || !isString(line.embedder))
        fail(n, 'a vector needs id, session and embedder');
      const vector = isString(line.vector) ? fromBase64(line.vector) : undefined;
      if (!vector || !vector.every(Number.isFinite))
        fail(n, 'the vector is not base64 of finite f32 values');
      if (line.embedder !== embedder || vector.length !== dim) return;
      const v = { id: line.id, session: line.session, embedder, vector };
      vectors.push(v);
      changes.push({ kind: 'vector', put: v });
      return;
    }
    const kind = line.type as (typeof KINDS)[number];
    if (!KINDS.includes(kind)) fail(n, `unknown line type ${JSON.stringify(line.type)}`);
    const record = line.record as Record<string, unknown> | undefined;
    if (!record || typeof record !== 'object') fail(n, `a ${kind} line needs a record`);
    for (const [field, type] of Object.entries(REQUIRED[kind])) {
      if (typeof record[field] !== type || record[field] === null)
        fail(n, `${kind} field ${field} must be a ${type}`);
    }
    if (ids.has(record.id as string)) fail(n, `duplicate id ${String(record.id)}`);
    ids.add(record.id as string);
    sessions.add(record.session as string);
    changes.push({ kind, put: record } as unknown as StoreChange);
  });
  return { changes, vectors, sessions };
}
