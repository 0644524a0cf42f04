/** The systems the quality bench compares, each answering a probe with a context under a budget. */
import { createMemory } from '../../src/memory.js';
import { Bm25Index } from '../../src/recall/bm25.js';
import { renderTurn } from '../../src/recall/render.js';
import { estimateTokens } from '../../src/recall/tokens.js';
import type { ScriptTurn } from './dialogue.js';

/** What a system put in the context: its text, and which items (with the turns they came from). */
export interface Context {
  text: string;
  items: { text: string; sources: number[] }[];
}

export interface System {
  name: string;
  observe(turn: ScriptTurn, index: number): Promise<void>;
  recall(question: string, budget: number): Promise<Context>;
  /** Waits for background work (memkeeper's queue), outside the timed recall. */
  settle?(): Promise<void>;
  close(): void;
}

/** memkeeper with its defaults (hashing embedder), settled before each probe (a chat's pause). */
export async function memkeeperSystem(): Promise<System> {
  let now = 0;
  const memory = await createMemory({ gpu: 'cpu', now: () => now });
  const session = memory.session('bench');
  const indexOf = new Map<string, number>();
  return {
    name: 'memkeeper',
    async observe(turn, index) {
      now = turn.at;
      const stored = await session.observe(turn);
      indexOf.set(stored.id, index);
    },
    settle: () => session.settled(),
    async recall(question, budget) {
      const r = await session.recall(question, { budgetTokens: budget });
      const items = r.items.map((i) => ({
        text: i.text,
        sources: i.sources.map((s) => indexOf.get(s) ?? -1),
      }));
      return { text: r.text, items };
    },
    close: () => memory.destroy(),
  };
}

/** The most recent turns that fit the budget. */
export function recentWindowSystem(): System {
  const turns: ScriptTurn[] = [];
  return {
    name: 'recent window',
    observe: async (turn) => void turns.push(turn),
    recall: async (_question, budget) => {
      const picked: number[] = [];
      let used = 0;
      for (let i = turns.length - 1; i >= 0; i--) {
        const cost = estimateTokens(renderTurn(turns[i]!, turns[i]!.content)) + 1;
        if (used + cost > budget) break;
        picked.unshift(i);
        used += cost;
      }
      return contextOf(turns, picked);
    },
    close: () => undefined,
  };
}

/**
 * BM25 over every turn: the best matches that fit the budget, then the most recent turns in
 * what is left (BM25 alone rarely fills it), so that every system spends the same tokens.
 */
export function bm25System(): System {
  const turns: ScriptTurn[] = [];
  const index = new Bm25Index();
  return {
    name: 'BM25 all turns',
    observe: async (turn, i) => {
      turns.push(turn);
      index.add(String(i), turn.content);
    },
    recall: async (question, budget) => {
      const picked: number[] = [];
      let used = 0;
      for (const hit of index.search(question, 200)) {
        const i = Number(hit.id);
        const cost = estimateTokens(renderTurn(turns[i]!, turns[i]!.content)) + 1;
        if (used + cost > budget) continue;
        picked.push(i);
        used += cost;
      }
      for (let i = turns.length - 1; i >= 0; i--) {
        if (picked.includes(i)) continue;
        const cost = estimateTokens(renderTurn(turns[i]!, turns[i]!.content)) + 1;
        if (used + cost > budget) break;
        picked.push(i);
        used += cost;
      }
      return contextOf(
        turns,
        picked.sort((a, b) => a - b),
      );
    },
    close: () => undefined,
  };
}

function contextOf(turns: readonly ScriptTurn[], picked: readonly number[]): Context {
  const items = picked.map((i) => ({
    text: renderTurn(turns[i]!, turns[i]!.content),
    sources: [i],
  }));
  return { text: items.map((i) => i.text).join('\n'), items };
}
