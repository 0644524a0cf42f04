import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashingEmbedder } from '../embed/hashing.js';
import { parseDataset } from './dataset.js';
import { evaluate, latency, type EvalResult } from './run.js';
import { bm25Factory, embedderFactory, memkeeperFactory, recentFactory } from './systems.js';
import { formatEval } from './table.js';
import { main, parseEvalArgs } from './cli.js';

const fixture = (name: string) => readFileSync(join('test/fixtures/eval', name), 'utf8');

/** any / all / questions of one system at one budget. */
function hits(result: EvalResult, system: string, budget: number) {
  const b = result.systems
    .find((s) => s.name === system)!
    .budgets.find((x) => x.budget === budget)!;
  return [b.overall.any, b.overall.all, b.overall.questions];
}

describe('evaluate on the tiny dataset (hand-checked)', () => {
  // Every context line of the tiny dataset costs 19..23 tokens: a budget of 20 fits none or
  // one short line, 40 fits exactly one, 1000 fits all eight.
  const budgets = [40, 1000];

  it('scores the baselines as worked out by hand, in both formats alike', async () => {
    for (const file of ['tiny.json', 'tiny-locomo.json']) {
      const result = await evaluate(parseDataset(fixture(file)), {
        budgets,
        systems: [recentFactory, bm25Factory],
      });
      expect(result.dataset).toMatchObject({ turns: 8, questions: 5, scored: 4 });
      // Recent window at 40: only the last turn, "Porto is a beautiful city", no evidence.
      expect(hits(result, 'recent window', 40)).toEqual([0, 0, 4]);
      // BM25 at 40, one turn each: q1 the cat turn, q2 the cello turn, q3 one of its two
      // evidence turns (any, not all), q4 the keyboard turn: any 4/4, all 3/4.
      expect(hits(result, 'BM25 turns', 40)).toEqual([1, 0.75, 4]);
      const multi = Object.entries(result.systems[1]!.budgets[0]!.categories).find(([c]) =>
        c.includes('multi-hop'),
      )![1];
      expect(multi).toEqual({ questions: 1, any: 1, all: 0 });
      // Everything fits at 1000.
      expect(hits(result, 'recent window', 1000)).toEqual([1, 1, 4]);
      expect(hits(result, 'BM25 turns', 1000)).toEqual([1, 1, 4]);
      const recent = result.systems[0]!.budgets[0]!;
      // One 21-token line for each of the 5 questions (the unscored one is still answered).
      expect(recent.tokens).toBe(21);
      expect(recent.recallMs.count).toBe(5);
    }
  });

  it('runs memkeeper and the embedder alone; everything is recalled when it all fits', async () => {
    const embedder = () => hashingEmbedder({ dim: 384 });
    const progress: number[] = [];
    const result = await evaluate(parseDataset(fixture('tiny.json')), {
      budgets,
      systems: [memkeeperFactory(embedder), embedderFactory(embedder)],
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(hits(result, 'memkeeper', 1000)).toEqual([1, 1, 4]);
    expect(hits(result, 'embedder only', 1000)).toEqual([1, 1, 4]);
    expect(result.systems[0]!.observeMs.count).toBe(8);
    // Progress never goes back and ends at 1.
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(1);
    const table = formatEval(result);
    expect(table).toContain('memkeeper');
    expect(table).toContain('multi-hop any/all');
  });
});

describe('latency', () => {
  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(latency(samples)).toMatchObject({ p50: 50, p95: 95, p99: 99, mean: 50.5, count: 100 });
    expect(latency([])).toMatchObject({ p50: 0, count: 0 });
  });
});

describe('command line', () => {
  it('parses options and refuses what it cannot read', () => {
    expect(parseEvalArgs(['eval', 'x.json', '--budgets', '100,200', '--quiet'])).toMatchObject({
      file: 'x.json',
      budgets: [100, 200],
      quiet: true,
    });
    expect(() => parseEvalArgs(['eval'])).toThrow('no file given');
    expect(() => parseEvalArgs(['eval', 'x', '--budgets', '0'])).toThrow('--budgets: 0');
    expect(() => parseEvalArgs(['eval', 'x', '--systems', 'mem0'])).toThrow('unknown mem0');
    expect(() => parseEvalArgs(['eval', 'x', '--nope'])).toThrow('unknown option --nope');
  });

  it('exits 2 with the field named for a malformed file', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => void errors.push(line);
    try {
      expect(await main(['eval', 'test/fixtures/eval/malformed.json', '--quiet'])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors.join('\n')).toMatch(
      /malformed.json: cannot evaluate: conversations\[0\]\.sessions\[0\]\.turns\[1\]\.speaker/,
    );
  });
});
