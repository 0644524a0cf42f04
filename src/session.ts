import { MemoryError, check } from './errors.js';
import { fuse, weigh } from './recall/fuse.js';
import { pack, type PackCandidate, type RecallItem, type WindowTurn } from './recall/pack.js';
import { formatDate, renderTurn } from './recall/render.js';
import type { Role, TurnRecord } from './store/types.js';
import { retention } from './tiers/long-term.js';
import { MAX_K } from './vectors/layout.js';
import { SessionState, type Shared } from './session-state.js';
import { checkTurn, publicTurn, type Turn, type TurnInput } from './turn-input.js';

export type { Turn, TurnInput } from './turn-input.js';

/** Options of recall(). */
export interface RecallOptions {
  /** The most tokens the context may take (default: the memory's `budgets.recallTokens`). */
  budgetTokens?: number;
  /** Candidates taken from retrieval before packing (default 32, at most 256). */
  k?: number;
  /** Include superseded anchors (marked as such); default false. */
  includeSuperseded?: boolean;
}

/** Why recall returned what it did. */
export interface RecallExplain {
  query: string;
  budgetTokens: number;
  /** Tokens of `text`, by the memory's counter. */
  tokens: number;
  candidates: { vector: number; lexical: number };
  /** Candidates and window turns left out for the budget. */
  dropped: number;
  /** The vector index's backend and why it was chosen. */
  backend: { name: string; reason: string };
  /** Background jobs of the session not done yet (recall did not wait for them). */
  pending: number;
  /** Set when nothing was returned: why. */
  reason?: string;
}

/** What recall() returns: a context for the prompt, its items, and why. */
export interface Recall {
  /** The context: sections of anchors, earlier items and recent turns, each line dated. */
  text: string;
  /** The same as chat messages: one system message of memory, then the recent turns. */
  messages: { role: Role; content: string; name?: string }[];
  items: RecallItem[];
  explain: RecallExplain;
}

/** Turns between two background sweeps of expired anchors. */
const SWEEP_EVERY = 64;
/** Fused score given to a current anchor about the user that retrieval did not find. */
const PROFILE_PRIOR = 0.05;

/**
 * One conversation's memory. Get it from `memory.session(id)`.
 *
 * @example
 * const s = memory.session('chat-42');
 * await s.observe({ role: 'user', content: 'I live in Lisbon.', name: 'Maria' });
 * const { text, items } = await s.recall('Where do I live?', { budgetTokens: 800 });
 */
export class Session {
  private readonly state: SessionState;
  private readonly ready: Promise<void>;

  /** @internal The session's tiers once loaded (eviction reads them). */
  async loaded(): Promise<SessionState> {
    await this.ready;
    return this.state;
  }

  /** @internal Use `memory.session(id)`. */
  constructor(
    readonly id: string,
    private readonly shared: Shared,
  ) {
    this.state = new SessionState(id, shared);
    this.ready = this.state.load();
    this.ready.catch(() => undefined); // surfaced by the first call that awaits it
  }

  /**
   * Stores a turn and resolves once it is stored; extraction, summarization and embedding
   * follow in the background (`settled()` waits for them). Empty turns and unknown roles are
   * refused with `BAD_INPUT`; a very long turn is kept whole and indexed in passages.
   */
  async observe(input: TurnInput): Promise<Turn> {
    this.shared.alive();
    const fields = checkTurn(input, this.shared.settings.now);
    await this.ready;
    this.shared.alive();
    let turn: TurnRecord;
    for (let attempt = 1; ; attempt++) {
      const seq = this.state.nextSeq();
      turn = {
        id: `${this.id}/t${seq}`,
        session: this.id,
        seq,
        ...fields,
        tokens: this.shared.settings.count(fields.content),
        pending: ['embed', 'extract'],
      };
      try {
        await this.shared.store.write([{ kind: 'turn', put: turn, create: true }]);
        break;
      } catch (error) {
        // Another tab took this seq: read what it stored, then take the next free one. A tab in
        // a burst of its own would win every round against an immediate retry, so the loser
        // waits a random moment first, longer each time (bounded: 64 attempts, < 1 s in all).
        if (!(error instanceof MemoryError && error.code === 'STALE_VERSION') || attempt >= 64)
          throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 30)));
        await this.state.resync();
      }
    }
    this.shared.alive();
    this.state.take(turn);
    this.shared.wrote?.();
    if (turn.seq % SWEEP_EVERY === SWEEP_EVERY - 1) {
      const now = this.shared.settings.now();
      this.shared.queue.add('sweep', this.id, async () => void (await this.state.sweep(now)));
    }
    return publicTurn(turn);
  }

  /** Waits for the background work of this session; rejects with its first failure. */
  async settled(): Promise<void> {
    this.shared.alive();
    await this.ready;
    await this.shared.queue.idle(this.id);
  }

  /**
   * Finds what matters for `query` and packs it into the token budget: anchors, then summaries
   * and earlier turns, then the recent window. Never waits for background work.
   */
  async recall(query: string, options: RecallOptions = {}): Promise<Recall> {
    this.shared.alive();
    const settings = this.shared.settings;
    check(typeof query === 'string' && query.trim().length > 0, 'query must be a non-empty string');
    const budget = options.budgetTokens ?? settings.recallTokens;
    check(
      Number.isInteger(budget) && budget > 0,
      `budgetTokens must be a positive integer, got ${String(budget)}`,
    );
    const k = options.k ?? settings.k;
    check(
      Number.isInteger(k) && k >= 1 && k <= MAX_K,
      `k must be an integer 1..${MAX_K}, got ${String(k)}`,
    );
    await this.ready;
    const now = settings.now();
    const [vectorHits, lexicalHits] = await this.search(query, k);
    this.shared.alive();
    const ranked = this.rank(
      fuse(vectorHits, lexicalHits),
      now,
      options.includeSuperseded === true,
    );
    const windowTurns = this.state.window.turns.map((t) => windowItem(t, now, this.shared));
    // Anchors are few and have their own share; k bounds the other candidates.
    const top = [
      ...ranked.filter((c) => c.kind === 'anchor'),
      ...ranked.filter((c) => c.kind !== 'anchor').slice(0, k),
    ];
    let packed = pack(top, windowTurns, budget, settings.count, settings.shares);
    // The estimate is additive to within a token or two per line; re-pack if the whole is over.
    for (let slack = 1; packed.tokens > budget && slack < 64; slack *= 2) {
      packed = pack(top, windowTurns, budget - slack * 8, settings.count, settings.shares);
    }
    if (packed.tokens > budget)
      packed = { ...packed, text: '', messages: [], items: [], tokens: 0 };
    this.reinforce(packed.items, now);
    const explain: RecallExplain = {
      query,
      budgetTokens: budget,
      tokens: packed.tokens,
      candidates: { vector: vectorHits.length, lexical: lexicalHits.length },
      dropped: packed.dropped,
      backend: { ...this.shared.index.backend },
      pending: this.shared.queue.pending(this.id),
    };
    if (!packed.items.length)
      explain.reason = this.emptyReason(ranked.length + windowTurns.length, budget);
    return { text: packed.text, messages: packed.messages, items: packed.items, explain };
  }

  /**
   * Forgets a turn, summary or anchor by id: removed from storage, the index and every tier.
   * Summaries of a forgotten turn go with it, and so do anchors learned only from it.
   */
  async forget(id: string): Promise<void> {
    this.shared.alive();
    check(typeof id === 'string' && id.length > 0, 'forget() needs an id');
    await this.ready;
    await this.state.forget(id);
  }

  /** Pins an anchor (never decays, never expires), or unpins it with `pinned: false`. */
  async pin(id: string, pinned = true): Promise<void> {
    this.shared.alive();
    check(typeof id === 'string' && id.length > 0, 'pin() needs an anchor id');
    await this.ready;
    check(
      this.state.long.get(id),
      `${id} is not an anchor of session ${this.id} (only anchors can be pinned)`,
    );
    await this.state.fresh([id], async () => {
      const anchor = this.state.long.get(id)!;
      const next = { ...anchor, pinned, version: anchor.version + 1 };
      await this.shared.store.write([{ kind: 'anchor', put: next }]);
      this.state.long.pin(id, pinned);
    });
  }

  /** Removes anchors past their time to live; resolves to the ids removed. */
  async sweep(): Promise<string[]> {
    this.shared.alive();
    await this.ready;
    return this.state.sweep(this.shared.settings.now());
  }

  private async search(query: string, k: number) {
    const { index } = this.shared;
    const wide = Math.min(MAX_K, 2 * k);
    const lexical = this.state.lexical.search(query, wide);
    // Embedded even when nothing is indexed yet, so that a broken embedder shows at once.
    const vector = await this.shared.embedQuery(query);
    if (index.size === 0) return [[], lexical] as const;
    const hits = await index.search(vector, {
      k: wide,
      filter: { session: this.id },
    });
    // The index filters by session in-kernel; this check makes a leak loud, never silent.
    check(
      hits.every((h) => h.session === this.id),
      'the vector index returned another session',
    );
    return [hits, lexical] as const;
  }

  /**
   * Weighs the fused candidates, adds the session's current anchors about the user that
   * retrieval missed (a profile is relevant to any question, a little: PROFILE_PRIOR), and
   * keeps one of each repeated text, so that boilerplate cannot crowd out the budget.
   */
  private rank(fused: ReturnType<typeof fuse>, now: number, includeSuperseded: boolean) {
    for (const anchor of this.state.long.anchors) {
      if (anchor.kind !== 'entity' && !anchor.supersededBy && !fused.has(anchor.id)) {
        fused.set(anchor.id, { fused: PROFILE_PRIOR });
      }
    }
    const ranked: PackCandidate[] = [];
    for (const [id, parts] of fused) {
      const candidate = this.candidate(id, now, includeSuperseded);
      if (!candidate) continue;
      candidate.scores = weigh(parts, candidate.facts, now, this.shared.settings.weights);
      ranked.push(candidate);
    }
    ranked.sort((a, b) => b.scores.final - a.scores.final);
    const seen = new Set<string>();
    return ranked.filter((c) => {
      const key =
        c.kind === 'turn' ? this.state.passages.get(c.id)?.text.toLowerCase().trim() : c.id;
      if (key === undefined || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  private candidate(id: string, now: number, includeSuperseded: boolean) {
    const s = this.state;
    const anchor = s.long.get(id);
    if (anchor) {
      if (anchor.supersededBy && !includeSuperseded) return undefined;
      const mark = anchor.supersededBy ? ' (superseded)' : '';
      const text = `[${formatDate(anchor.lastSeen)}] ${anchor.text}${mark}`;
      const facts = {
        at: anchor.lastSeen,
        strength: anchor.strength,
        decay: retention(anchor, now, this.shared.settings.anchors),
      };
      const candidate = item(
        id,
        'long-term',
        'anchor',
        text,
        anchor.sources,
        anchor.firstSeen,
        facts,
        this.shared,
        anchor.pinned,
      );
      candidate.profile = anchor.kind !== 'entity';
      return candidate;
    }
    const summary = s.summaries.get(id);
    if (summary)
      return item(
        id,
        'mid-term',
        'summary',
        summary.text,
        summary.sources,
        summary.from,
        { at: summary.to },
        this.shared,
      );
    const passage = s.passages.get(id);
    if (!passage) return undefined;
    const { turn } = passage;
    const stale = s.long.isStale(turn.id);
    // A turn whose every fact was corrected since is left out like its anchors (kept, and
    // recalled with includeSuperseded, then scored down by the stale weight).
    if (stale && !includeSuperseded) return undefined;
    const facts = { at: turn.at, stale };
    return item(
      id,
      'mid-term',
      'turn',
      renderTurn(turn, passage.text),
      [turn.id],
      turn.at,
      facts,
      this.shared,
    );
  }

  /** Recalled anchors are reinforced (half-life grows) in the background: recall never waits. */
  private reinforce(items: readonly RecallItem[], now: number): void {
    const ids = items.filter((i) => i.kind === 'anchor').map((i) => i.id);
    if (ids.length) this.shared.queue.add('sweep', this.id, () => this.state.reinforce(ids, now));
  }

  private emptyReason(candidates: number, budget: number): string {
    if (candidates === 0) return 'nothing is stored in this session yet';
    return `a budget of ${budget} tokens is too small for any memory (headers and the smallest item need more)`;
  }
}

type Facts = Parameters<typeof weigh>[1];

function item(
  id: string,
  tier: RecallItem['tier'],
  kind: RecallItem['kind'],
  text: string,
  sources: string[],
  order: number,
  facts: Facts,
  shared: Shared,
  pinned = false,
): PackCandidate & { facts: Facts } {
  const tokens = shared.settings.count(text);
  const scores = { fused: 0, recency: 0, final: 0 };
  return {
    id,
    tier,
    kind,
    text,
    tokens,
    sources: [...sources],
    at: facts.at,
    scores,
    order,
    pinned,
    facts,
  };
}

function windowItem(turn: TurnRecord, now: number, shared: Shared): WindowTurn {
  const text = renderTurn(turn, turn.content);
  const scores = weigh({ fused: 0 }, { at: turn.at }, now, shared.settings.weights);
  const tokens = shared.settings.count(text);
  return {
    id: turn.id,
    tier: 'short-term',
    kind: 'turn',
    text,
    tokens,
    sources: [turn.id],
    at: turn.at,
    scores,
    order: turn.seq,
    role: turn.role,
    content: turn.content,
    ...(turn.name ? { name: turn.name } : {}),
  };
}
