/**
 * The eval loop: every system replays every conversation through observe() in order, settles,
 * then answers every question at every budget. A question scores "any" when at least one of
 * its evidence turns is among the context's sources and "all" when every one is; questions
 * without evidence are timed but not scored.
 */
import type { EvalDataset } from './dataset.js';
import type { SystemFactory } from './systems.js';

/** Latency percentiles in ms. */
export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  count: number;
}

/** Evidence recall of one group of questions: the fraction with any / all evidence recalled. */
export interface Hits {
  questions: number;
  any: number;
  all: number;
}

/** One system at one budget. */
export interface BudgetResult {
  budget: number;
  /** Over the questions that have evidence. */
  overall: Hits;
  categories: Record<string, Hits>;
  /** Mean context tokens per question (the fast estimate, the same for every system). */
  tokens: number;
  recallMs: Latency;
}

export interface SystemResult {
  name: string;
  observeMs: Latency;
  /** Background work left after the last turn, waited for before the questions (ms, total). */
  settleMs: number;
  budgets: BudgetResult[];
}

export interface EvalResult {
  dataset: {
    format: EvalDataset['format'];
    conversations: number;
    turns: number;
    questions: number;
    /** Questions with at least one evidence turn: the ones scored. */
    scored: number;
  };
  budgets: number[];
  systems: SystemResult[];
  warnings: string[];
}

/** Progress: steps done of the total, and what is running. */
export type EvalProgress = (done: number, total: number, what: string) => void;

/**
 * Runs every system on the dataset at every budget.
 *
 * @example
 * const result = await evaluate(parseDataset(text), {
 *   budgets: [500, 1000],
 *   systems: [memkeeperFactory(() => hashingEmbedder()), recentFactory],
 * });
 */
export async function evaluate(
  dataset: EvalDataset,
  options: {
    budgets: readonly number[];
    systems: readonly SystemFactory[];
    onProgress?: EvalProgress;
  },
): Promise<EvalResult> {
  const { budgets, systems } = options;
  const turns = dataset.conversations.reduce((n, c) => n + c.turns.length, 0);
  const questions = dataset.conversations.reduce((n, c) => n + c.questions.length, 0);
  const total = systems.length * (turns + questions * budgets.length);
  let done = 0;
  const step = (what: string) => options.onProgress?.(++done, total, what);
  const results: SystemResult[] = [];
  for (const factory of systems) {
    const observeMs: number[] = [];
    let settleMs = 0;
    const tallies = budgets.map((budget) => ({
      budget,
      hits: new Map<string, Hits>(),
      tokens: 0,
      ms: [] as number[],
    }));
    for (const conversation of dataset.conversations) {
      const system = await factory.create(conversation.id);
      try {
        for (const turn of conversation.turns) {
          const start = performance.now();
          await system.observe(turn);
          observeMs.push(performance.now() - start);
          step(`${factory.name}: ${conversation.id} observe`);
        }
        const start = performance.now();
        await system.settle();
        settleMs += performance.now() - start;
        for (const q of conversation.questions) {
          for (const tally of tallies) {
            const begin = performance.now();
            const context = await system.recall(q.question, tally.budget);
            tally.ms.push(performance.now() - begin);
            tally.tokens += context.tokens;
            if (q.evidence.length) {
              const found = q.evidence.filter((id) => context.sources.has(id)).length;
              for (const key of ['', q.category]) {
                const hits = tally.hits.get(key) ?? { questions: 0, any: 0, all: 0 };
                hits.questions++;
                if (found > 0) hits.any++;
                if (found === q.evidence.length) hits.all++;
                tally.hits.set(key, hits);
              }
            }
            step(`${factory.name}: ${conversation.id} recall`);
          }
        }
      } finally {
        system.close();
      }
    }
    results.push({
      name: factory.name,
      observeMs: latency(observeMs),
      settleMs,
      budgets: tallies.map((t) => ({
        budget: t.budget,
        overall: fractions(t.hits.get('') ?? { questions: 0, any: 0, all: 0 }),
        categories: Object.fromEntries(
          [...t.hits]
            .filter(([key]) => key !== '')
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, hits]) => [key, fractions(hits)]),
        ),
        tokens: questions ? t.tokens / questions : 0,
        recallMs: latency(t.ms),
      })),
    });
  }
  const scored = dataset.conversations.reduce(
    (n, c) => n + c.questions.filter((q) => q.evidence.length).length,
    0,
  );
  return {
    dataset: {
      format: dataset.format,
      conversations: dataset.conversations.length,
      turns,
      questions,
      scored,
    },
    budgets: [...budgets],
    systems: results,
    warnings: dataset.warnings,
  };
}

/** Counts to fractions (questions stays a count). */
function fractions(hits: Hits): Hits {
  const n = hits.questions;
  return { questions: n, any: n ? hits.any / n : 0, all: n ? hits.all / n : 0 };
}

/** Nearest-rank percentiles. */
export function latency(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : 0;
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), mean, count: sorted.length };
}
