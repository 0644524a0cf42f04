import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it, vi } from 'vitest';
import { createVectorIndex } from '../vectors/vector-index.js';
import { CHUNK_ROWS } from './chunks.js';
import { IndexedDbStore } from './indexeddb-store.js';
import { statsOf } from './memory-store.js';
import { databaseName, openMemoryDB, SCHEMA_VERSION, type StoredRow } from './schema.js';
import type { TurnRecord } from './types.js';

let serial = 0;
const fresh = () => `store-test-${serial++}-${Math.random().toString(36).slice(2)}`;
const options = { dim: 16, storage: 'f16' as const };

const turn = (seq: number, session = 's', content = `turn ${seq}`): TurnRecord => ({
  id: `${session}/t${seq}`,
  session,
  seq,
  role: 'user',
  content,
  at: 1000 + seq,
  tokens: 2,
  pending: [],
});

function vector(i: number, dim = 16): Float32Array {
  const v = new Float32Array(dim);
  for (let d = 0; d < dim; d++) v[d] = Math.sin(i * 7.1 + d * 1.3) + (d === i % dim ? 2 : 0);
  return v;
}

const key = () =>
  crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

describe('IndexedDbStore', () => {
  it('lands a batch whole or not at all, and lists turns in order by session', async () => {
    const store = await IndexedDbStore.open(fresh(), options);
    await store.write([
      { kind: 'turn', put: turn(1) },
      { kind: 'turn', put: turn(0) },
      { kind: 'turn', put: turn(0, 'other') },
    ]);
    await expect(
      store.write([
        { kind: 'turn', put: turn(2) },
        { kind: 'turn', put: { ...turn(3), id: '' } },
      ]),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect((await store.list('turn', 's')).map((t) => t.seq)).toEqual([0, 1]);
    expect(await store.get('turn', 's/t2')).toBeUndefined();
    await store.clear('s');
    expect(await store.list('turn')).toHaveLength(1);
    await store.close();
    await expect(store.list('turn')).rejects.toMatchObject({ code: 'DESTROYED' });
  });

  it('remove() deletes a memory and everything in it', async () => {
    const name = fresh();
    const store = await IndexedDbStore.open(name, options);
    await store.write([{ kind: 'turn', put: turn(0) }]);
    await store.close();
    await IndexedDbStore.remove(name);
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(databaseName(name));
    const reopened = await IndexedDbStore.open(name, options);
    expect(await reopened.list('turn', 's')).toEqual([]);
    await reopened.close();
  });

  it('refuses a database written by a newer schema and leaves it untouched', async () => {
    const name = fresh();
    const future = await openDB(databaseName(name), SCHEMA_VERSION + 1, {
      upgrade: (db) => void db.createObjectStore('from-the-future'),
    });
    future.close();
    await expect(IndexedDbStore.open(name, options)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/newer memkeeper/),
    });
    const after = await openDB(databaseName(name));
    expect(after.version).toBe(SCHEMA_VERSION + 1);
    expect([...after.objectStoreNames]).toEqual(['from-the-future']);
    after.close();
  });

  it('seals vectors into checksummed chunks that restore the same search results', async () => {
    const name = fresh();
    const store = await IndexedDbStore.open(name, options);
    const n = CHUNK_ROWS + 100;
    const records = Array.from({ length: n }, (_, i) => ({
      id: `v${i}`,
      session: i % 2 ? 'a' : 'b',
      embedder: 'e1',
      vector: vector(i),
    }));
    for (let i = 0; i < n; i += 500)
      await store.write(records.slice(i, i + 500).map((put) => ({ kind: 'vector', put }) as const));
    await store.write([{ kind: 'vector', delete: 'v3' }]);
    await store.close();

    const direct = await createVectorIndex({ dim: 16, storage: 'f16', gpu: 'cpu' });
    direct.upsert(records.filter((r) => r.id !== 'v3'));
    const again = await IndexedDbStore.open(name, options);
    const restored = await createVectorIndex({ dim: 16, storage: 'f16', gpu: 'cpu' });
    const report = await again.restoreIndex(restored, 'e1');
    expect(report).toMatchObject({ vectors: n - 1, chunks: 1, rebuilt: [] });
    const q = vector(5);
    for (const session of ['a', 'b']) {
      const want = await direct.search(q, { k: 10, filter: { session } });
      expect(await restored.search(q, { k: 10, filter: { session } })).toEqual(want);
    }
    expect(await again.get('vector', 'v3')).toBeUndefined();
    expect((await again.get('vector', 'v7'))?.session).toBe('a');
    await again.close();

    // Flip one byte of the chunk's rows: detected, dropped, its sessions reported.
    const raw = await openDB(databaseName(name));
    const [chunk] = await raw.getAll('chunks');
    new Uint8Array(chunk.rows as ArrayBuffer)[100]! ^= 0x40;
    await raw.put('chunks', chunk);
    raw.close();
    const third = await IndexedDbStore.open(name, options);
    const index = await createVectorIndex({ dim: 16, storage: 'f16', gpu: 'cpu' });
    const damaged = await third.restoreIndex(index, 'e1');
    expect(damaged.rebuilt.sort()).toEqual(['a', 'b']);
    expect(damaged.vectors).toBe(100); // the loose ones
    expect(index.has('v0')).toBe(false);
    await third.close();
    direct.destroy();
    restored.destroy();
    index.destroy();
  });

  it('restores an int8 index from its chunks by copying, with the very same search results', async () => {
    const name = fresh();
    const int8 = { dim: 16, storage: 'int8' as const };
    const store = await IndexedDbStore.open(name, int8);
    const records = Array.from({ length: 300 }, (_, i) => ({
      id: `v${i}`,
      session: i % 3 ? 'a' : 'b',
      embedder: 'e1',
      vector: vector(i),
    }));
    await store.write(records.map((put) => ({ kind: 'vector', put }) as const));
    await store.flush();
    await store.write([{ kind: 'vector', put: { ...records[0]!, id: 'loose' } }]);
    await store.close();

    const direct = await createVectorIndex({ ...int8, gpu: 'cpu' });
    direct.upsert([...records, { ...records[0]!, id: 'loose' }]);
    const again = await IndexedDbStore.open(name, int8);
    const restored = await createVectorIndex({ ...int8, gpu: 'cpu' });
    const upsert = vi.spyOn(restored, 'upsert');
    expect(await again.restoreIndex(restored, 'e1')).toMatchObject({ vectors: 301, chunks: 1 });
    // The chunk's rows were copied in (its f32 originals, the codes derived from them as at
    // insert); only the loose vector went through upsert().
    expect(upsert.mock.calls.map(([r]) => (Array.isArray(r) ? r.length : 1))).toEqual([1]);
    for (const i of [5, 77, 123]) {
      for (const session of ['a', 'b']) {
        const want = await direct.search(vector(i), { k: 12, filter: { session } });
        expect(await restored.search(vector(i), { k: 12, filter: { session } })).toEqual(want);
      }
    }
    await again.close();
    direct.destroy();
    restored.destroy();
  });

  it('encrypts text and vectors; the wrong key or none fails at open, nothing written', async () => {
    const name = fresh();
    const right = await key();
    const store = await IndexedDbStore.open(name, { ...options, encryptionKey: right });
    const secret = 'My password hint is purple elephant';
    await store.write([
      { kind: 'turn', put: turn(0, 's', secret) },
      { kind: 'vector', put: { id: 's/t0', session: 's', embedder: 'e', vector: vector(1) } },
    ]);
    await store.flush();
    expect((await store.get('turn', 's/t0'))?.content).toBe(secret);
    await store.close();

    const raw = await openDB(databaseName(name));
    const row = await raw.get('turns', 's/t0');
    expect(JSON.stringify(row)).not.toContain('purple');
    expect(row).toMatchObject({ id: 's/t0', session: 's', seq: 0, at: 1000 });
    expect((await raw.getAll('chunks'))[0].rows).toBeUndefined();
    const before = await raw.getAll('turns');
    raw.close();

    await expect(
      IndexedDbStore.open(name, { ...options, encryptionKey: await key() }),
    ).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    await expect(IndexedDbStore.open(name, options)).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
    });
    const check = await openDB(databaseName(name));
    expect(await check.getAll('turns')).toEqual(before);
    check.close();

    const back = await IndexedDbStore.open(name, { ...options, encryptionKey: right });
    const index = await createVectorIndex({ dim: 16, storage: 'f16', gpu: 'cpu' });
    expect(await back.restoreIndex(index, 'e')).toMatchObject({ vectors: 1, chunks: 1 });
    expect((await back.list('turn', 's'))[0]?.content).toBe(secret);
    await back.close();
    index.destroy();
  });

  it('migrates a schema 1 database to 2 (session records), its data intact', async () => {
    const name = fresh();
    const v1 = await openMemoryDB(name, 1);
    await v1.put('turns', turn(0) as unknown as StoredRow);
    v1.close();
    const store = await IndexedDbStore.open(name, options);
    expect((await store.list('turn', 's')).map((t) => t.id)).toEqual(['s/t0']);
    const title = { id: 's', session: 's', title: 'First', at: 5 };
    await store.write([{ kind: 'session', put: title }]);
    expect(await store.list('session')).toEqual([title]);
    expect(await store.list('session', 's')).toEqual([title]);
    expect(await store.list('session', 'other')).toEqual([]);
    await store.close();
    const raw = await openDB(databaseName(name));
    expect(raw.version).toBe(2);
    expect([...raw.objectStoreNames]).toContain('sessions');
    raw.close();
  });

  it('reads records page by page: turns by session and seq, each once across page ends', async () => {
    const store = await IndexedDbStore.open(fresh(), options);
    // Two turns share (session, seq), as an imported file may have them: paging must keep both.
    const turns = [turn(0, 'b'), turn(2, 'a'), turn(1, 'a'), { ...turn(1, 'a'), id: 'a/x' }];
    await store.write([
      ...turns.map((put) => ({ kind: 'turn', put }) as const),
      ...Array.from({ length: 5 }, (_, i) => ({
        kind: 'summary' as const,
        put: {
          id: `a/s${i}`,
          session: 'a',
          text: `s${i}`,
          sources: [],
          from: 0,
          to: 0,
          tokens: 1,
          method: 'extractive' as const,
        },
      })),
    ]);
    for (const size of [1, 2, 3, 10]) {
      const pages: string[][] = [];
      for await (const page of store.pages('turn', size)) pages.push(page.map((t) => t.id));
      expect(pages.flat()).toEqual(['a/t1', 'a/x', 'a/t2', 'b/t0']);
      expect(pages.every((p) => p.length <= size)).toBe(true);
      const summaries: string[] = [];
      for await (const page of store.pages('summary', size))
        summaries.push(...page.map((x) => x.id));
      expect(summaries).toEqual(['a/s0', 'a/s1', 'a/s2', 'a/s3', 'a/s4']);
    }
    await store.close();
  });

  it('counts turns per session from the index, as the in-memory store does', async () => {
    const store = await IndexedDbStore.open(fresh(), options);
    const turns = [turn(2, 'b'), turn(0, 'a'), turn(5, 'b'), turn(1, 'a'), turn(3, 'a:x')];
    await store.write(turns.map((put) => ({ kind: 'turn', put }) as const));
    const stats = await store.sessionStats();
    expect(stats).toEqual([
      { session: 'a', turns: 2, firstAt: 1000, lastAt: 1001 },
      { session: 'a:x', turns: 1, firstAt: 1003, lastAt: 1003 },
      { session: 'b', turns: 2, firstAt: 1002, lastAt: 1005 },
    ]);
    const fromMemory = statsOf(turns).sort((x, y) => (x.session < y.session ? -1 : 1));
    expect(fromMemory).toEqual(stats);
    expect(await (await IndexedDbStore.open(fresh(), options)).sessionStats()).toEqual([]);
    await store.close();
  });

  it('clears a session whole: records, session record, chunk rows; its bytes counted out', async () => {
    const store = await IndexedDbStore.open(fresh(), options);
    const write = (session: string) =>
      store.write([
        { kind: 'turn', put: turn(0, session) },
        { kind: 'session', put: { id: session, session, title: `t ${session}`, at: 1 } },
        ...Array.from({ length: 40 }, (_, i) => ({
          kind: 'vector' as const,
          put: { id: `${session}/v${i}`, session, embedder: 'e', vector: vector(i) },
        })),
      ]);
    await write('a');
    await store.flush(); // a's vectors in a chunk of their own
    const alone = store.bytes;
    await write('b');
    await store.clear('b'); // loose vectors
    expect(store.bytes).toBe(alone);
    await store.clear('a'); // its chunk emptied: deleted
    expect(store.bytes).toBe(0);
    for (const kind of ['turn', 'session', 'vector'] as const)
      expect(await store.list(kind)).toEqual([]);
    await store.close();
  });
});
