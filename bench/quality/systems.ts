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

/** A turn in a baseline's context: its index, and its line (whole, or the tail of it). */
interface Line {
  turn: number;
  text: string;
}

const lineCost = (text: string) => estimateTokens(text) + 1;

/**
 * A sliding window over the conversation, as a chat app with a fixed context keeps it: the
 * most recent turns, newest backwards, and the oldest one that no longer fits cut from its
 * start to the tokens left, so that the window spends its whole budget (a token-level window,
 * like a KV cache that keeps the last N tokens), not stopping a turn short of it.
 */
export function recentWindowSystem(): System {
  const turns: ScriptTurn[] = [];
  return {
    name: 'recent window',
    observe: async (turn) => void turns.push(turn),
    recall: async (_question, budget) => {
      const lines: Line[] = [];
      let used = 0;
      for (let i = turns.length - 1; i >= 0; i--) {
        const text = renderTurn(turns[i]!, turns[i]!.content);
        if (used + lineCost(text) <= budget) {
          lines.unshift({ turn: i, text });
          used += lineCost(text);
          continue;
        }
        const tail = tailThatFits(turns[i]!, budget - used);
        if (tail) lines.unshift({ turn: i, text: tail });
        break;
      }
      return contextOf(lines);
    },
    close: () => undefined,
  };
}

/**
 * The turn's line with as many of its last words as fit `tokens`, its date and speaker kept
 * ("[…] Sam (user): … rest of the turn"); undefined when not even one word fits.
 */
function tailThatFits(turn: ScriptTurn, tokens: number): string | undefined {
  const words = turn.content.split(/\s+/);
  const line = (from: number) => renderTurn(turn, `… ${words.slice(from).join(' ')}`);
  // The fewer words kept, the fewer tokens: find the first start index that fits.
  let lo = 1;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lineCost(line(mid)) <= tokens) hi = mid;
    else lo = mid + 1;
  }
  return lo < words.length && lineCost(line(lo)) <= tokens ? line(lo) : undefined;
}

/**
 * BM25 over every turn, as a top-k retrieval context fills a budget: the best matches in rank
 * order, each added while it fits and skipped when it does not; then, since BM25 alone rarely
 * fills it, the most recent turns not yet in, again skipping those that do not fit, so that
 * every system spends the same tokens. The context is in conversation order.
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
      const lines: Line[] = [];
      const taken = new Set<number>();
      let used = 0;
      const add = (i: number) => {
        const text = renderTurn(turns[i]!, turns[i]!.content);
        if (taken.has(i) || used + lineCost(text) > budget) return;
        lines.push({ turn: i, text });
        taken.add(i);
        used += lineCost(text);
      };
      for (const hit of index.search(question, 200)) add(Number(hit.id));
      for (let i = turns.length - 1; i >= 0; i--) add(i);
      return contextOf(lines.sort((a, b) => a.turn - b.turn));
    },
    close: () => undefined,
  };
}

function contextOf(lines: readonly Line[]): Context {
  const items = lines.map((l) => ({ text: l.text, sources: [l.turn] }));
  return { text: items.map((i) => i.text).join('\n'), items };
}
