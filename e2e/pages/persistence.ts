/**
 * Persistence checks on the real IndexedDB of Chromium. `?step=` picks one: `write` and
 * `read` (reopen with the same recall), `burst` (observe until the page is closed, reporting
 * every acknowledged turn to the spec), `check` (reopen after a burst and audit the records),
 * `wrong-key`, `future`, `corrupt`, `export` / `import` (write and export in one profile,
 * import in another), `porto` then `restate` (two pages restating one anchor at the same moment), and
 * `quota` / `quota-check` (observe until the origin's quota is full, then reopen with room).
 * The page writes JSON into #result; the spec asserts.
 */
import { openDB } from 'idb';
import {
  createMemory,
  IndexedDbStore,
  type Memory,
  type MemoryOptions,
  type TurnRecord,
} from '../../src/index.js';
import { databaseName, SCHEMA_VERSION } from '../../src/store/schema.js';
import { patternExtract } from '../../test/memory-helpers.js';
import { reportTo } from './report.js';

declare global {
  interface Window {
    ack?: (id: string) => Promise<void>;
    exported?: () => Promise<string>;
  }
}

const params = new URLSearchParams(location.search);
const name = params.get('name') ?? 'persistence';
const base: MemoryOptions = { name, gpu: 'cpu', extract: patternExtract };
const QUERIES = ['Where do I live?', 'soup with leeks', 'chapter 12 trains', 'what do I like'];
const said = (i: number) =>
  i % 7 === 0
    ? `I live in City${i} and I like tea${i}.`
    : `Turn ${i}: notes on trains, soup with leeks, and the ${i}th chapter.`;

async function key(byte: number): Promise<CryptoKey> {
  const raw = new Uint8Array(32).fill(byte);
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

async function recalls(memory: Memory) {
  const s = memory.session('chat');
  await s.settled();
  const out = [];
  for (const q of QUERIES) {
    const r = await s.recall(q, { budgetTokens: 300 });
    out.push({ text: r.text, ids: r.items.map((i) => i.id) });
  }
  return out;
}

async function write(options: MemoryOptions = {}) {
  const memory = await createMemory({ ...base, ...options });
  for (let i = 0; i < 40; i++)
    await memory.session('chat').observe({ role: 'user', content: said(i) });
  const out = await recalls(memory);
  await memory.close();
  return out;
}

async function burst() {
  const memory = await createMemory(base);
  const s = memory.session('chat');
  // Observes until the spec closes the page; every resolved observe() is reported at once.
  for (let i = 0; ; i++) {
    const turn = await s.observe({ role: 'user', content: said(i) });
    await window.ack?.(turn.id);
  }
}

async function check() {
  const memory = await createMemory(base);
  await memory.session('chat').settled();
  await memory.close();
  const store = await IndexedDbStore.open(name, { dim: 384, storage: 'f16' });
  const turns = await store.list('turn', 'chat');
  const vectors = await store.list('vector', 'chat');
  await store.close();
  const torn = turns.filter(
    (t) => typeof t.content !== 'string' || t.session !== 'chat' || t.id !== `chat/t${t.seq}`,
  );
  const withVector = new Set(vectors.filter((v) => v.vector.length === 384).map((v) => v.id));
  return {
    turns: turns.map((t) => t.id),
    torn: torn.map((t) => t.id),
    pending: turns.filter((t) => t.pending.length > 0).map((t) => t.id),
    // A long turn is indexed in passages: <turn id>.0, .1, …
    withoutVector: turns
      .filter((t) => !withVector.has(t.id) && !withVector.has(`${t.id}.0`))
      .map((t) => t.id),
  };
}

async function expectError(open: () => Promise<unknown>) {
  try {
    await open();
    return { code: 'none' };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? 'unknown', message: String(error) };
  }
}

async function corrupt() {
  const store = await IndexedDbStore.open(name, { dim: 384, storage: 'f16' });
  const memory = await createMemory({ ...base, storage: store });
  for (let i = 0; i < 30; i++)
    await memory.session('chat').observe({ role: 'user', content: said(i) });
  const before = await recalls(memory);
  await store.flush();
  await memory.close();
  const raw = await openDB(databaseName(name));
  const chunks = await raw.getAll('chunks');
  for (const chunk of chunks) {
    new Uint8Array(chunk.rows as ArrayBuffer)[64]! ^= 0xff;
    await raw.put('chunks', chunk);
  }
  raw.close();
  const reopened = await createMemory(base);
  const after = await recalls(reopened);
  await reopened.close();
  return { chunks: chunks.length, before, after };
}

/** One of two tabs observing into the same session at once; reports what it holds at the end. */
async function tab() {
  const label = params.get('tab') ?? 'x';
  const total = Number(params.get('total') ?? 40);
  const memory = await createMemory({ ...base, budgets: { windowTokens: 8000 } });
  const s = memory.session('chat');
  for (let i = 0; i < total / 2; i++)
    await s.observe({ role: 'user', content: `Tab ${label} note ${i} about the trains.` });
  await s.settled();
  const state = await s.loaded();
  // The other tab's last announcements may still be on their way: wait for all its turns.
  for (let i = 0; i < 200 && state.turns.size < total; i++)
    await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  const ids = [
    ...state.turns.keys(),
    ...state.summaries.keys(),
    ...[...state.long.anchors].map((a) => a.id),
  ].sort();
  const hits = await s.recall('Tab note about the trains', { budgetTokens: 4000, k: 64 });
  await memory.close();
  return { ids, recalled: hits.items.length };
}

/**
 * Resolves once the other page called `meet` with the same key (over a BroadcastChannel): two
 * pages held here go on at the same moment.
 */
function meet(key: string, label: string): Promise<void> {
  const channel = new BroadcastChannel(`meet:${name}`);
  return new Promise((resolve) => {
    channel.onmessage = (event: MessageEvent<{ key: string; from: string }>) => {
      if (event.data.key !== key || event.data.from === label) return;
      channel.postMessage({ key, from: label }); // the other page may have come after our call
      channel.close();
      resolve();
    };
    channel.postMessage({ key, from: label });
  });
}

/**
 * One of two pages restating the anchor of an earlier turn at the same moment (their
 * extraction is held until both are there): one write lands, the other is refused as stale
 * and must be re-read and restated, never failed. Reports what this page ends up holding.
 */
async function restate() {
  const label = params.get('tab') ?? 'x';
  const memory = await createMemory({
    ...base,
    extract: async (turn) => {
      if (turn.content.includes(`says page ${label}`)) await meet('restated', label);
      return patternExtract(turn);
    },
  });
  const s = memory.session('chat');
  await s.settled();
  // Both pages loaded first: neither resumes the other's turn as unfinished work.
  await meet('loaded', label);
  await s.observe({ role: 'user', content: `I live in Porto still, says page ${label}.` });
  let settled = 'ok';
  await s.settled().catch((error: { code?: string }) => (settled = error.code ?? 'failed'));
  const state = await s.loaded();
  // The other page's restatement reaches this one as an announcement: wait for it.
  const sources = () => [...state.long.anchors][0]?.sources.length ?? 0;
  for (let i = 0; i < 200 && sources() < 3; i++) await new Promise((r) => setTimeout(r, 50));
  const anchors = [...state.long.anchors].map(({ id, key, sources, strength, version }) => ({
    id,
    key,
    sources: [...sources].sort(),
    strength,
    version,
  }));
  await memory.close();
  return { settled, anchors };
}

/** Random text that no compression shrinks: the quota fills at the rate it is written. */
/** Recall's budget in the quota steps: room for one passage of noise and its headers. */
const QUOTA_RECALL_TOKENS = 2000;

function noise(bytes: number): string {
  const parts: string[] = [];
  for (let left = bytes; left > 0; left -= 4096) {
    const raw = crypto.getRandomValues(new Uint8Array((Math.min(left, 4096) * 3) / 4));
    parts.push(btoa(String.fromCharCode(...raw)));
  }
  return parts.join('');
}

const digest = (text: string) =>
  [...text].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261) >>> 0;

/**
 * Observes until the origin's quota (set small by the spec) refuses a write; then tries one
 * batch of turns too large for what is left. Reports the refusals and what the store holds.
 */
async function quota() {
  const memory = await createMemory({ ...base, budgets: { windowTokens: 200 } });
  const s = memory.session('chat');
  const acked: { id: string; digest: number }[] = [];
  let failure: { code?: string; cause?: string } | undefined;
  for (let i = 0; i < 2000 && !failure; i++) {
    const content = `Turn ${i}: ${noise(6000)}`;
    try {
      acked.push({ id: (await s.observe({ role: 'user', content })).id, digest: digest(content) });
    } catch (error) {
      const e = error as { code?: string; cause?: { name?: string } };
      failure = { code: e.code ?? String(error), cause: e.cause?.name ?? 'none' };
    }
  }
  // A passage of base64 noise is 1,200 characters, up to ~500 tokens: the budget must hold one.
  const recalled = (await s.recall('Turn 3', { budgetTokens: QUOTA_RECALL_TOKENS })).items.length;
  memory.destroy(); // work left unfinished stays marked pending in the store
  const store = await IndexedDbStore.open(name, { dim: 384, storage: 'f16' });
  const bytes = store.bytes;
  const big = (i: number): TurnRecord => ({
    id: `chat/big${i}`,
    session: 'chat',
    seq: 10_000 + i,
    role: 'user',
    content: noise(400_000),
    at: Date.now(),
    tokens: 1,
    pending: [],
  });
  let batch = 'none';
  await store
    .write([0, 1, 2].map((i) => ({ kind: 'turn', put: big(i) }) as const))
    .catch((error: { code?: string }) => (batch = error.code ?? String(error)));
  const turns = await store.list('turn', 'chat');
  const after = store.bytes;
  await store.close();
  return {
    failure,
    recalled,
    acked,
    stored: turns.map((t) => ({ id: t.id, digest: digest(t.content) })),
    batch,
    bytes: { before: bytes, after },
  };
}

/**
 * Reopens the memory filled by `quota` (the spec has given the origin room again): its work
 * left pending is finished, then the store is audited as after a burst.
 */
async function quotaCheck() {
  const audit = await check();
  const memory = await createMemory(base);
  const recalled = (
    await memory.session('chat').recall('Turn 3', { budgetTokens: QUOTA_RECALL_TOKENS })
  ).items;
  await memory.close();
  return { ...audit, recalled: recalled.length };
}

/** A small maxBytes budget: the weakest memories go, each eviction reported, the rest intact. */
async function budget() {
  const evicted: string[] = [];
  const maxBytes = 30_000;
  const memory = await createMemory({
    ...base,
    budgets: { windowTokens: 80 },
    maxBytes,
    onEvict: (items) => evicted.push(...items.map((i) => i.id)),
  });
  const s = memory.session('chat');
  for (let i = 0; i < 60; i++) await s.observe({ role: 'user', content: said(i) });
  await s.settled();
  await new Promise((r) => setTimeout(r, 300));
  await memory.evict();
  const report = await memory.storageReport();
  const recall = await s.recall('soup with leeks', { budgetTokens: 400 });
  await memory.close();
  return { maxBytes, evicted, report, recalled: recall.items.length };
}

/** Writes a memory and exports it: the export's text, and what the memory recalled. */
async function exportAll() {
  const before = await write();
  const memory = await createMemory(base);
  const lines: string[] = [];
  for await (const line of memory.export()) lines.push(line);
  await memory.close();
  return { recalls: before, text: lines.join('\n') };
}

/** Imports the spec's export into this (fresh) profile; reopens it and recalls. */
async function importAll() {
  const databasesBefore = (await indexedDB.databases()).map((d) => d.name);
  const text = await window.exported!();
  const memory = await createMemory(base);
  await memory.import(text);
  await memory.close();
  const reopened = await createMemory(base);
  const out = await recalls(reopened);
  await reopened.close();
  return { databasesBefore, recalls: out };
}

async function main(): Promise<unknown> {
  switch (params.get('step')) {
    case 'write':
      return { recalls: await write() };
    case 'read': {
      const memory = await createMemory(base);
      const out = await recalls(memory);
      await memory.close();
      return { recalls: out };
    }
    case 'burst':
      return burst();
    case 'check':
      return check();
    case 'wrong-key': {
      await write({ encryptionKey: await key(1) });
      return {
        wrongKey: await expectError(async () =>
          createMemory({ ...base, encryptionKey: await key(2) }),
        ),
        none: await expectError(() => createMemory(base)),
        right: (await recalls(await createMemory({ ...base, encryptionKey: await key(1) }))).length,
      };
    }
    case 'future': {
      const db = await openDB(databaseName(name), SCHEMA_VERSION + 1, {
        upgrade: (d) => void d.createObjectStore('later'),
      });
      db.close();
      const refused = await expectError(() => createMemory(base));
      const after = await openDB(databaseName(name));
      const stores = [...after.objectStoreNames];
      after.close();
      return { refused, version: after.version, stores };
    }
    case 'corrupt':
      return corrupt();
    case 'tab':
      return tab();
    case 'budget':
      return budget();
    case 'export':
      return exportAll();
    case 'import':
      return importAll();
    case 'porto': {
      const memory = await createMemory(base);
      await memory.session('chat').observe({ role: 'user', content: 'I live in Porto.' });
      await memory.session('chat').settled();
      await memory.close();
      return {};
    }
    case 'restate':
      return restate();
    case 'quota':
      return quota();
    case 'quota-check':
      return quotaCheck();
    default:
      throw new Error(`unknown step ${params.get('step')}`);
  }
}

reportTo(document, main);
