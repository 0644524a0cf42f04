import { editAnchor, MAX_ANCHOR_CHARS } from './anchor-edit.js';
import { MemoryError, check } from './errors.js';
import { candidateOf, windowItem } from './recall/candidates.js';
import { fuse, weigh } from './recall/fuse.js';
import { pack, type PackCandidate, type RecallItem } from './recall/pack.js';
import type { Role, TurnRecord } from './store/types.js';
import { MAX_K } from './vectors/layout.js';
import { retryStale } from './sync/stale.js';
import { SessionState, type Shared } from './session-state.js';
import { anchorView, viewOf, type AnchorView, type SessionView } from './session-view.js';
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

/** Tries at taking a turn seq that other tabs keep taking first (observe()). */
const SEQ_ATTEMPTS = 64;

/** Turns between two background sweeps of expired anchors. */
const SWEEP_EVERY = 64;
/** Fused score given to a current anchor about the user that retrieval did not find. */
const PROFILE_PRIOR = 0.05;
/** The longest conversation title setTitle() takes. */
const MAX_TITLE_CHARS = 500;

/**
 * One conversation's memory. Get it from `memory.session(id)`.
 *
 * @example
 * const s = memory.session('chat-42');
 * await s.observe({ role: 'user', content: 'I live in Lisbon.', name: 'Maria' });
 * const { text, items } = await s.recall('Where do I live?', { budgetTokens: 800 });
 */
export class Session {
  private state: SessionState;
  private ready: Promise<void>;
  private deleted = false;

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
   * @internal The session was deleted here (`memory.deleteSession`): its background work
   * writes nothing more, and every later call throws `DESTROYED`.
   */
  drop(): void {
    this.deleted = true;
    this.state.drop();
    this.shared.queue.discard(this.id);
  }

  /**
   * @internal Another tab deleted the session: this one drops its copy and its work, runs
   * `clear` (which removes what its own writes in flight put back), then loads again from the
   * store, empty. Calls meanwhile wait for that.
   */
  reset(clear: () => Promise<void>): Promise<void> {
    this.state.drop();
    this.shared.queue.discard(this.id);
    const state = new SessionState(this.id, this.shared);
    this.state = state;
    this.ready = clear().then(() => state.load());
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /**
   * Stores a turn and resolves once it is stored; extraction, summarization and embedding
   * follow in the background (`settled()` waits for them). Empty turns and unknown roles are
   * refused with `BAD_INPUT`; a very long turn is kept whole and indexed in passages.
   */
  async observe(input: TurnInput): Promise<Turn> {
    this.alive();
    const fields = checkTurn(input, this.shared.settings.now);
    await this.ready;
    this.alive();
    // Another tab took this seq: read what it stored, then take the next free one. A tab in a
    // burst of its own would win every round against an immediate retry, so the loser waits a
    // random moment first, longer each time (bounded: 64 attempts, < 1 s in all).
    const turn = await retryStale(
      async () => {
        const seq = this.state.nextSeq();
        const next: TurnRecord = {
          id: `${this.id}/t${seq}`,
          session: this.id,
          seq,
          ...fields,
          tokens: this.shared.settings.count(fields.content),
          pending: ['embed', 'extract'],
        };
        await this.shared.store.write([{ kind: 'turn', put: next, create: true }]);
        return next;
      },
      () => this.state.resync(),
      SEQ_ATTEMPTS,
      (attempt) => Math.min(attempt, 30),
    );
    this.alive();
    this.state.take(turn);
    this.shared.wrote?.();
    this.shared.changed?.(this.id);
    if (turn.seq % SWEEP_EVERY === SWEEP_EVERY - 1) {
      const now = this.shared.settings.now();
      this.shared.queue.add('sweep', this.id, async () => void (await this.state.sweep(now)));
    }
    return publicTurn(turn);
  }

  /** Waits for the background work of this session; rejects with its first failure. */
  async settled(): Promise<void> {
    this.alive();
    await this.ready;
    await this.shared.queue.idle(this.id);
  }

  /**
   * Finds what matters for `query` and packs it into the token budget: anchors, then summaries
   * and earlier turns, then the recent window. Never waits for background work.
   */
  async recall(query: string, options: RecallOptions = {}): Promise<Recall> {
    this.alive();
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
    this.alive();
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
    this.alive();
    check(typeof id === 'string' && id.length > 0, 'forget() needs an id');
    await this.ready;
    await this.state.forget(id);
  }

  /** Pins an anchor (never decays, never expires), or unpins it with `pinned: false`. */
  async pin(id: string, pinned = true): Promise<void> {
    this.alive();
    check(typeof id === 'string' && id.length > 0, 'pin() needs an anchor id');
    await this.ready;
    check(
      this.state.long.get(id),
      `${id} is not an anchor of session ${this.id} (only anchors can be pinned)`,
    );
    await this.state.fresh([id], async () => {
      const anchor = this.state.long.get(id)!;
      const next = { ...anchor, pinned, version: anchor.version + 1 };
      await this.state.write([{ kind: 'anchor', put: next }]);
      this.state.long.pin(id, pinned);
    });
  }

  /** Removes anchors past their time to live; resolves to the ids removed. */
  async sweep(): Promise<string[]> {
    this.alive();
    await this.ready;
    return this.state.sweep(this.shared.settings.now());
  }

  /**
   * The session's memory as it is now, for a UI: every turn, the window, the summaries and the
   * anchors (superseded ones too) with their retention. A copy: changing it changes nothing.
   *
   * @example
   * const { turns, window, summaries, anchors, pending } = await s.inspect();
   * for (const a of anchors) console.log(a.text, a.strength, a.retention);
   */
  async inspect(): Promise<SessionView> {
    this.alive();
    await this.ready;
    this.alive();
    return viewOf(this.state, this.shared);
  }

  /**
   * A person corrects an anchor: its text becomes `text` (trimmed) and its value follows the
   * edit; it is embedded again, and its strength, pin, sources and times are kept. Anything
   * but an anchor of this session, and empty text, are refused with `BAD_INPUT`.
   *
   * @example
   * const fixed = await s.edit('chat-42/a3', 'The user lives in Porto.');
   * fixed.value; // 'porto'
   */
  async edit(anchorId: string, text: string): Promise<AnchorView> {
    this.alive();
    check(typeof anchorId === 'string' && anchorId.length > 0, 'edit() needs an anchor id');
    check(typeof text === 'string', `text must be a string, got ${typeof text}`);
    const clean = text.trim();
    check(clean.length > 0, 'text is empty or only whitespace: to drop an anchor, forget() it');
    check(clean.length <= MAX_ANCHOR_CHARS, `text is over ${MAX_ANCHOR_CHARS} characters`);
    await this.ready;
    check(
      this.state.long.get(anchorId),
      `${anchorId} is not an anchor of session ${this.id} (only anchors can be edited)`,
    );
    const anchor = await editAnchor(this.state, this.shared, anchorId, clean);
    return anchorView(anchor, this.shared.settings.now(), this.shared.settings.anchors);
  }

  /**
   * Names the conversation (trimmed; 1 to 500 characters). The title is stored with the
   * session, exported and imported with it, and listed by `memory.sessions()`.
   *
   * @example
   * await s.setTitle('Moving to Lisbon');
   */
  async setTitle(title: string): Promise<void> {
    this.alive();
    check(typeof title === 'string', `title must be a string, got ${typeof title}`);
    const clean = title.trim();
    check(clean.length > 0, 'title is empty or only whitespace');
    check(clean.length <= MAX_TITLE_CHARS, `title is over ${MAX_TITLE_CHARS} characters`);
    const at = this.shared.settings.now();
    const record = { id: this.id, session: this.id, title: clean, at };
    await this.shared.store.write([{ kind: 'session', put: record }]);
    this.shared.wrote?.();
    this.shared.changed?.(this.id);
  }

  private alive(): void {
    this.shared.alive();
    if (this.deleted)
      throw new MemoryError(
        'DESTROYED',
        `session ${this.id} was deleted; memory.session('${this.id}') starts it anew`,
      );
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
      const candidate = candidateOf(this.state, this.shared, id, now, includeSuperseded);
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
