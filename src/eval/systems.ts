/**
 * The systems an eval compares: memkeeper itself and three baselines that show what its tiers
 * add — the recent window alone, BM25 over every turn, and the embedder alone (cosine over
 * every turn, no tiers, no anchors). Each observes a conversation's turns in order, then
 * answers questions with a context under a token budget and the dataset ids of its sources.
 */
// The engine through its public entry, so that the built eval (dist/eval.js) imports
// dist/index.js instead of carrying a second copy of it.
import { createMemory, type Embedder, type Memory } from '../index.js';
import { Bm25Index } from '../recall/bm25.js';
import { renderTurn } from '../recall/render.js';
import { estimateTokens } from '../recall/tokens.js';
import type { EvalTurn } from './dataset.js';

/** What a system put in the context for one question. */
export interface EvalContext {
  /** Tokens of the context text (the fast estimate, the same counter for every system). */
  tokens: number;
  /** Dataset ids of the turns behind every item in the context. */
  sources: Set<string>;
}

/** One system, fresh per conversation. */
export interface EvalSystem {
  readonly name: string;
  observe(turn: EvalTurn): Promise<void>;
  /** Waits for background work (memkeeper's queue) before questions; not part of recall. */
  settle(): Promise<void>;
  recall(question: string, budgetTokens: number): Promise<EvalContext>;
  close(): void;
}

/** Makes a fresh system for one conversation. */
export type SystemFactory = {
  readonly name: string;
  create(conversation: string): Promise<EvalSystem>;
};

/** Makes an embedder: each system gets its own (the hashing one learns IDF from what it sees). */
export type EmbedderMaker = () => Embedder | Promise<Embedder>;

/** memkeeper with its defaults on the CPU path, with the replay's clock. */
export function memkeeperFactory(makeEmbedder: EmbedderMaker): SystemFactory {
  return {
    name: 'memkeeper',
    async create() {
      let now = 0;
      const memory: Memory = await createMemory({
        gpu: 'cpu',
        embedder: await makeEmbedder(),
        now: () => now,
      });
      const session = memory.session('eval');
      const datasetId = new Map<string, string>();
      return {
        name: 'memkeeper',
        async observe(turn) {
          now = turn.at;
          const stored = await session.observe({
            role: turn.role,
            content: turn.text,
            at: turn.at,
            name: turn.speaker,
          });
          datasetId.set(stored.id, turn.id);
        },
        settle: () => session.settled(),
        async recall(question, budgetTokens) {
          const r = await session.recall(question, { budgetTokens });
          const sources = new Set<string>();
          for (const item of r.items) {
            for (const s of item.sources) {
              const id = datasetId.get(s);
              if (id !== undefined) sources.add(id);
            }
          }
          return { tokens: estimateTokens(r.text), sources };
        },
        close: () => memory.destroy(),
      };
    },
  };
}

/** A turn as a context line, the same rendering memkeeper uses. */
function line(turn: EvalTurn): string {
  return renderTurn({ role: turn.role, name: turn.speaker, at: turn.at }, turn.text);
}

/**
 * Packs turns in the order given while they fit, then fills what is left with the most recent
 * turns (every system spends the same budget); context lines are joined by newlines.
 */
function packTurns(
  turns: readonly EvalTurn[],
  costs: readonly number[],
  order: Iterable<number>,
  budget: number,
  fillRecent: boolean,
): EvalContext {
  const picked = new Set<number>();
  let used = 0;
  const take = (i: number): boolean => {
    if (picked.has(i)) return true;
    const cost = costs[i]! + (picked.size ? 1 : 0); // the newline between lines
    if (used + cost > budget) return false;
    picked.add(i);
    used += cost;
    return true;
  };
  for (const i of order) take(i);
  if (fillRecent) for (let i = turns.length - 1; i >= 0 && take(i); i--);
  return { tokens: used, sources: new Set([...picked].map((i) => turns[i]!.id)) };
}

/** The most recent turns that fit the budget: what a chat app without memory sends. */
export const recentFactory: SystemFactory = {
  name: 'recent window',
  async create() {
    const turns: EvalTurn[] = [];
    const costs: number[] = [];
    return {
      name: 'recent window',
      observe: async (turn) => {
        turns.push(turn);
        costs.push(estimateTokens(line(turn)));
      },
      settle: async () => undefined,
      recall: async (_question, budget) => packTurns(turns, costs, [], budget, true),
      close: () => undefined,
    };
  },
};

/** BM25 over every turn, best first while they fit, the rest of the budget to recent turns. */
export const bm25Factory: SystemFactory = {
  name: 'BM25 turns',
  async create() {
    const turns: EvalTurn[] = [];
    const costs: number[] = [];
    const index = new Bm25Index();
    return {
      name: 'BM25 turns',
      observe: async (turn) => {
        index.add(String(turns.length), turn.text);
        turns.push(turn);
        costs.push(estimateTokens(line(turn)));
      },
      settle: async () => undefined,
      recall: async (question, budget) => {
        const hits = index.search(question, 256).map((h) => Number(h.id));
        return packTurns(turns, costs, hits, budget, true);
      },
      close: () => undefined,
    };
  },
};

/** The embedder alone: every turn embedded, cosine over all of them, best first. */
export function embedderFactory(makeEmbedder: EmbedderMaker): SystemFactory {
  return {
    name: 'embedder only',
    async create() {
      const embedder = await makeEmbedder();
      const turns: EvalTurn[] = [];
      const costs: number[] = [];
      const vectors: Float32Array[] = [];
      return {
        name: 'embedder only',
        observe: async (turn) => {
          embedder.observe?.([turn.text]);
          const [vector] = await embedder.embed([turn.text]);
          vectors.push(normalized(vector!));
          turns.push(turn);
          costs.push(estimateTokens(line(turn)));
        },
        settle: async () => undefined,
        recall: async (question, budget) => {
          const embed = embedder.embedQuery ?? embedder.embed;
          const [raw] = await embed.call(embedder, [question]);
          const q = normalized(raw!);
          const scores = vectors.map((v) => dot(v, q));
          const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
          return packTurns(turns, costs, order, budget, true);
        },
        close: () => void embedder.dispose?.(),
      };
    },
  };
}

function normalized(v: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(v, v)) || 1;
  return v.map((x) => x / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
