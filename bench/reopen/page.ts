/**
 * The browser half of `npm run bench:reopen`, one step per page load (`?step=`): `build` a
 * memory of n items straight through the store (the engine's own write path, minus extraction),
 * `reopen` it cold and answer the first recall, `disk` (bytes on disk per 10k, plain or
 * encrypted), `observe` (throughput of observe() with write-through), and the naive peer's
 * `naive-build` / `naive-reopen` (./naive.ts) on the same memories. Writes JSON to #result.
 */
import {
  createMemory,
  createVectorIndex,
  hashingEmbedder,
  IndexedDbStore,
} from '../../src/index.js';
import type { StoreChange } from '../../src/store/types.js';
import type { NaiveVectorType } from '../peers/naive-idb.js';
import { naiveBuild, naiveReopen } from './naive.js';
import { BATCH, FIRST_QUESTION, percentiles, QUESTIONS, say } from './texts.js';

const params = new URLSearchParams(location.search);
const name = params.get('name') ?? 'bench';
const n = Number(params.get('n') ?? 10000);
const sessions = Number(params.get('sessions') ?? 100);

async function key(): Promise<CryptoKey> {
  const raw = new Uint8Array(32).fill(7);
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** Writes n turns with their vectors, spread over `sessions` sessions, as the engine would. */
async function build(encrypted: boolean) {
  const embedder = hashingEmbedder({ dim: 384 });
  const store = await IndexedDbStore.open(name, {
    dim: 384,
    storage: 'f16',
    ...(encrypted ? { encryptionKey: await key() } : {}),
  });
  const start = performance.now();
  for (let from = 0; from < n; from += BATCH) {
    const texts = Array.from({ length: Math.min(BATCH, n - from) }, (_, j) => say(from + j));
    const vectors = await embedder.embed(texts);
    const changes: StoreChange[] = texts.flatMap((content, j) => {
      const i = from + j;
      const session = `s${i % sessions}`;
      const seq = Math.floor(i / sessions);
      const id = `${session}/t${seq}`;
      return [
        {
          kind: 'turn',
          put: { id, session, seq, role: 'user', content, at: 1.7e12 + i, tokens: 20, pending: [] },
        },
        { kind: 'vector', put: { id, session, embedder: embedder.id, vector: vectors[j]! } },
      ];
    });
    await store.write(changes);
  }
  await store.flush();
  await store.close();
  return { items: n, buildMs: performance.now() - start };
}

async function reopen(encrypted: boolean) {
  const encryptionKey = encrypted ? await key() : undefined;
  const t0 = performance.now();
  const memory = await createMemory({ name, ...(encryptionKey ? { encryptionKey } : {}) });
  const t1 = performance.now();
  const session = memory.session('s0');
  const recall = await session.recall(FIRST_QUESTION, { budgetTokens: 800 });
  const t2 = performance.now();
  const times: number[] = [];
  for (const question of QUESTIONS) {
    const t = performance.now();
    await session.recall(question, { budgetTokens: 800 });
    times.push(performance.now() - t);
  }
  const result = {
    openMs: t1 - t0,
    firstRecallMs: t2 - t1,
    totalMs: t2 - t0,
    items: recall.items.length,
    backend: memory.backend.name,
    recallMs: { ...percentiles(times), n: times.length },
  };
  memory.destroy();
  return result;
}

/** Where a cold open spends its time: the index (and GPU probe), the store, the chunks. */
async function parts(encrypted: boolean) {
  const encryptionKey = encrypted ? await key() : undefined;
  const t0 = performance.now();
  const index = await createVectorIndex({ dim: 384, storage: 'f16' });
  const t1 = performance.now();
  const store = await IndexedDbStore.open(name, {
    dim: 384,
    storage: 'f16',
    ...(encryptionKey ? { encryptionKey } : {}),
  });
  const t2 = performance.now();
  const report = await store.restoreIndex(index, hashingEmbedder({ dim: 384 }).id);
  const t3 = performance.now();
  await navigator.storage.persist();
  const t4 = performance.now();
  index.destroy();
  await store.close();
  return {
    indexMs: t1 - t0,
    storeMs: t2 - t1,
    restoreMs: t3 - t2,
    persistMs: t4 - t3,
    ...report.ms,
    vectors: report.vectors,
  };
}

async function disk(encrypted: boolean) {
  const before = (await navigator.storage.estimate()).usage ?? 0;
  await build(encrypted);
  // LevelDB writes a log first; a moment lets it settle into table files.
  await new Promise((r) => setTimeout(r, 1500));
  const after = (await navigator.storage.estimate()).usage ?? 0;
  return { items: n, bytes: after - before };
}

async function observe() {
  const memory = await createMemory({ name });
  const s = memory.session('chat');
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await s.observe({
      role: i % 2 ? 'assistant' : 'user',
      content: `${say(i)} I like tea${i % 9}.`,
    });
    times.push(performance.now() - t);
  }
  const elapsed = performance.now() - start;
  await s.settled();
  const settledMs = performance.now() - start;
  await memory.close();
  const { p50, p95 } = percentiles(times);
  return { turns: n, perSecond: (n / elapsed) * 1000, p50Ms: p50, p95Ms: p95, settledMs };
}

async function main(): Promise<unknown> {
  switch (params.get('step')) {
    case 'build':
      return build(params.get('encrypted') === '1');
    case 'reopen':
      return reopen(params.get('encrypted') === '1');
    case 'parts':
      return parts(params.get('encrypted') === '1');
    case 'disk':
      return disk(params.get('encrypted') === '1');
    case 'observe':
      return observe();
    case 'naive-build':
      return naiveBuild(name, n, (params.get('vector') ?? 'number[]') as NaiveVectorType);
    case 'naive-reopen':
      return naiveReopen(name);
    default:
      throw new Error(`unknown step ${params.get('step')}`);
  }
}

const out = document.querySelector('#result')!;
main().then(
  (value) => {
    out.textContent = JSON.stringify({ result: value });
    out.setAttribute('data-done', '');
  },
  (error: unknown) => {
    out.textContent = JSON.stringify({ error: String((error as Error)?.stack ?? error) });
    out.setAttribute('data-done', '');
  },
);
