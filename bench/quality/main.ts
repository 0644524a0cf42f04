/**
 * `npm run bench:quality`: scripted dialogues of 200, 1,000 and 5,000 turns through memkeeper
 * and two baselines, a probe every 5 turns, a 1,500-token budget. Prints accuracy, head
 * retention, superseded-fact errors and context tokens (cl100k), then PASS/FAIL per target.
 *
 * Usage: npm run bench:quality -- [--sizes 200,1000,5000] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { generateDialogue, type Probe } from './dialogue.js';
import {
  bm25System,
  memkeeperSystem,
  recentWindowSystem,
  type Context,
  type System,
} from './systems.js';

const BUDGET = 1500;

interface Score {
  system: string;
  turns: number;
  probes: number;
  accuracy: number;
  head: number;
  headProbes: number;
  stalePresent: number;
  staleOnly: number;
  staleProbes: number;
  tokens: number;
  recallMsP50: number;
  seconds: number;
}

/** Correct: an item whose sources include a turn stating the current answer carries the answer. */
function judge(probe: Probe, context: Context) {
  const has = (text: string, value: string) => new RegExp(`\\b${value}\\b`, 'i').test(text);
  const correct = context.items.some(
    (i) => i.sources.some((s) => probe.answerTurns.includes(s)) && has(i.text, probe.answer),
  );
  const stale = probe.stale !== undefined && has(context.text, probe.stale);
  return { correct, stale, staleOnly: stale && !has(context.text, probe.answer) };
}

async function run(make: () => Promise<System> | System, length: number): Promise<Score> {
  const dialogue = generateDialogue(length, length);
  const system = await make();
  const start = performance.now();
  const tally = {
    correct: 0,
    head: 0,
    headProbes: 0,
    stale: 0,
    staleOnly: 0,
    staleProbes: 0,
    tokens: 0,
  };
  const times: number[] = [];
  let probeAt = 0;
  for (let i = 0; i < dialogue.turns.length; i++) {
    await system.observe(dialogue.turns[i]!, i);
    while (dialogue.probes[probeAt]?.after === i + 1) {
      const probe = dialogue.probes[probeAt++]!;
      await system.settle?.();
      const t = performance.now();
      const context = await system.recall(probe.question, BUDGET);
      times.push(performance.now() - t);
      const verdict = judge(probe, context);
      if (!verdict.correct && process.env.BENCH_DEBUG) debug(probe, context);
      tally.correct += Number(verdict.correct);
      tally.tokens += encode(context.text).length;
      if (probe.head) {
        tally.headProbes++;
        tally.head += Number(verdict.correct);
      }
      if (probe.stale) {
        tally.staleProbes++;
        tally.stale += Number(verdict.stale);
        tally.staleOnly += Number(verdict.staleOnly);
      }
    }
  }
  system.close();
  const n = dialogue.probes.length;
  times.sort((a, b) => a - b);
  return {
    system: system.name,
    turns: length,
    probes: n,
    accuracy: tally.correct / n,
    head: tally.head / Math.max(1, tally.headProbes),
    headProbes: tally.headProbes,
    stalePresent: tally.stale / Math.max(1, tally.staleProbes),
    staleOnly: tally.staleOnly / Math.max(1, tally.staleProbes),
    staleProbes: tally.staleProbes,
    tokens: tally.tokens / n,
    recallMsP50: times[Math.floor(times.length / 2)] ?? 0,
    seconds: (performance.now() - start) / 1000,
  };
}

function debug(probe: Probe, context: Context) {
  console.error(
    `MISS ${probe.question} -> ${probe.answer} (turns ${probe.answerTurns.join(',')}, after ${probe.after})`,
  );
  console.error(context.text.slice(0, 1200));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function table(scores: readonly Score[]): string {
  const head =
    '| turns | system | accuracy | head retention | superseded present / only | context tokens (cl100k) | recall p50 ms | run s |';
  const rule = '|---:|---|---:|---:|---:|---:|---:|---:|';
  const rows = scores.map(
    (s) =>
      `| ${s.turns} | ${s.system} | ${pct(s.accuracy)} (${s.probes}) | ${pct(s.head)} (${s.headProbes}) | ${pct(s.stalePresent)} / ${pct(s.staleOnly)} (${s.staleProbes}) | ${s.tokens.toFixed(0)} | ${s.recallMsP50.toFixed(2)} | ${s.seconds.toFixed(1)} |`,
  );
  return [head, rule, ...rows].join('\n');
}

function verdicts(scores: readonly Score[]): [string, boolean][] {
  const at = (turns: number, system: string) =>
    scores.find((s) => s.turns === turns && s.system === system);
  const out: [string, boolean][] = [];
  const mk1000 = at(1000, 'memkeeper');
  if (mk1000) {
    out.push([`accuracy >= 95% at 1,000 turns: ${pct(mk1000.accuracy)}`, mk1000.accuracy >= 0.95]);
    out.push([`head retention >= 94% at 1,000 turns: ${pct(mk1000.head)}`, mk1000.head >= 0.94]);
  }
  for (const turns of new Set(scores.map((s) => s.turns))) {
    const mk = at(turns, 'memkeeper')!;
    for (const base of scores.filter((s) => s.turns === turns && s.system !== 'memkeeper')) {
      // "At equal tokens": every system fills the same budget; memkeeper may not use more.
      const ok = mk.accuracy > base.accuracy && mk.tokens <= base.tokens * 1.05 + 1;
      out.push([
        `${turns} turns: above ${base.system} (${pct(mk.accuracy)} vs ${pct(base.accuracy)}, ${mk.tokens.toFixed(0)} vs ${base.tokens.toFixed(0)} tokens)`,
        ok,
      ]);
    }
  }
  return out;
}

export async function main(args: string[]): Promise<number> {
  const sizesArg = args[args.indexOf('--sizes') + 1];
  const sizes =
    args.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [200, 1000, 5000];
  const scores: Score[] = [];
  for (const turns of sizes) {
    for (const make of [memkeeperSystem, recentWindowSystem, bm25System]) {
      const score = await run(make, turns);
      scores.push(score);
      console.error(
        `${turns} turns, ${score.system}: ${pct(score.accuracy)} in ${score.seconds.toFixed(1)} s`,
      );
    }
  }
  console.log(
    `\nMemory quality, budget ${BUDGET} tokens, probe every 5 turns (hashing embedder, CPU)\n`,
  );
  console.log(table(scores));
  console.log('');
  const results = verdicts(scores);
  for (const [line, ok] of results) console.log(`${ok ? 'PASS' : 'FAIL'}  ${line}`);
  const json = args[args.indexOf('--json') + 1];
  if (args.includes('--json') && json)
    writeFileSync(json, JSON.stringify({ budget: BUDGET, scores }, null, 2));
  return results.every(([, ok]) => ok) ? 0 : 1;
}
