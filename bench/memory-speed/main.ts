/**
 * `npm run bench:memory`: observe() and recall() latency with the hashing embedder on the CPU.
 * observe() is timed on a scripted dialogue with the full background pipeline (extraction,
 * summaries, embedding); recall() at 100k stored memories, and while the queue is busy.
 * Prints p50/p95 and PASS/FAIL against the targets; `--json FILE` also writes every figure.
 *
 * Usage: npm run bench:memory -- [--memories 100000] [--turns 2000] [--json FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createMemory, type MemoryOptions } from '../../src/memory.js';
import type { Session } from '../../src/session.js';
import { generateDialogue } from '../quality/dialogue.js';

const OBSERVE_P95_MS = 5;
const RECALL_P95_MS = 30;

function quantiles(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), n: sorted.length };
}

const fmt = (q: ReturnType<typeof quantiles>) =>
  `p50 ${q.p50.toFixed(2)} ms, p95 ${q.p95.toFixed(2)} ms (n=${q.n})`;
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function open(options: MemoryOptions = {}) {
  let now = 0;
  const memory = await createMemory({ gpu: 'cpu', now: () => now, ...options });
  return { memory, session: memory.session('bench'), setNow: (t: number) => (now = t) };
}

/** observe() of each turn, the background queue running in the pauses between turns. */
async function observeLatency(turns: number) {
  const { memory, session, setNow } = await open();
  const dialogue = generateDialogue(turns, 7);
  const times: number[] = [];
  for (const turn of dialogue.turns) {
    setNow(turn.at);
    const t = performance.now();
    await session.observe(turn);
    times.push(performance.now() - t);
    await pause();
  }
  const t = performance.now();
  await session.settled();
  const drain = performance.now() - t;
  memory.destroy();
  return { observe: quantiles(times), drainMs: drain };
}

async function recallTimes(session: Session, questions: readonly string[]) {
  const times: number[] = [];
  let pending = 0;
  for (const question of questions) {
    const t = performance.now();
    const r = await session.recall(question, { budgetTokens: 1500 });
    times.push(performance.now() - t);
    pending = Math.max(pending, r.explain.pending);
  }
  return { ...quantiles(times), pending };
}

/**
 * recall() with `memories` stored turns. Seeding skips anchor extraction (about 5 ms a turn
 * with compromise, which would make seeding 100k turns take minutes); recall's path is the same.
 */
async function recallLatency(memories: number) {
  const { memory, session, setNow } = await open({ extract: () => [] });
  const dialogue = generateDialogue(memories, 11);
  const seedStart = performance.now();
  for (const turn of dialogue.turns) {
    setNow(turn.at);
    await session.observe(turn);
  }
  await session.settled();
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const questions = dialogue.probes.slice(0, 300).map((p) => p.question);
  // Steady state: the seed's garbage collected (with --expose-gc) and the recall path warm.
  (globalThis as { gc?: () => void }).gc?.();
  await recallTimes(session, questions.slice(0, 20));
  const settled = await recallTimes(session, questions);
  // Busy queue: observe a burst without waiting, then recall at once.
  const extra = generateDialogue(2000, 12).turns;
  for (const turn of extra) void session.observe(turn);
  await pause();
  const busy = await recallTimes(session, questions.slice(0, 100));
  const backend = memory.backend;
  await session.settled();
  memory.destroy();
  return { settled, busy, seedSeconds, backend };
}

export async function main(args: string[]): Promise<number> {
  const arg = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const memories = arg('--memories', 100_000);
  const turns = arg('--turns', 2000);
  console.log(`memkeeper memory speed: hashing embedder (384-d), CPU, Node ${process.version}\n`);
  const a = await observeLatency(turns);
  console.log(`observe(), ${turns} turns, full pipeline: ${fmt(a.observe)}`);
  console.log(`  background drain after the last turn: ${a.drainMs.toFixed(0)} ms`);
  const b = await recallLatency(memories);
  console.log(
    `recall(), ${memories} stored turns (seeded in ${b.seedSeconds.toFixed(1)} s), budget 1500: ${fmt(b.settled)}`,
  );
  console.log(`  backend: ${b.backend.name} (${b.backend.reason})`);
  console.log(
    `recall() during a 2,000-turn burst, up to ${b.busy.pending} jobs queued: ${fmt(b.busy)}\n`,
  );
  const results: [string, boolean][] = [
    [
      `observe() p95 < ${OBSERVE_P95_MS} ms: ${a.observe.p95.toFixed(2)} ms`,
      a.observe.p95 < OBSERVE_P95_MS,
    ],
    [
      `recall() p95 < ${RECALL_P95_MS} ms at ${memories} memories: ${b.settled.p95.toFixed(2)} ms`,
      b.settled.p95 < RECALL_P95_MS,
    ],
    [
      `recall() does not wait for the queue (${b.busy.pending} jobs pending): p95 ${b.busy.p95.toFixed(2)} ms`,
      b.busy.pending > 0 && b.busy.p95 < RECALL_P95_MS,
    ],
  ];
  for (const [line, ok] of results) console.log(`${ok ? 'PASS' : 'FAIL'}  ${line}`);
  const json = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  if (json) {
    const file = resolve(json);
    mkdirSync(dirname(file), { recursive: true });
    const figures = {
      node: process.version,
      embedder: 'hashing 384-d',
      turns,
      memories,
      observe: a.observe,
      drainMs: a.drainMs,
      seedSeconds: b.seedSeconds,
      recall: b.settled,
      busy: b.busy,
      backend: b.backend,
      targets: results.map(([line, pass]) => ({ line, pass })),
    };
    writeFileSync(file, JSON.stringify(figures, null, 2));
    console.log(`wrote ${file}`);
  }
  return results.every(([, ok]) => ok) ? 0 : 1;
}
