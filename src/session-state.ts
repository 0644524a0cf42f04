/**
 * A session's memory in RAM (the three tiers, the lexical index, the turns) and the derived
 * work that observe() queues: embedding, anchor extraction and summaries. Every change is
 * written to the store before the in-RAM copy or the vector index shows it.
 */
import type { AnchorCandidate } from './extract/anchor.js';
import { MemoryError } from './errors.js';
import { Bm25Index } from './recall/bm25.js';
import type { AnchorRecord, StoreChange, SummaryRecord, TurnRecord } from './store/types.js';
import { LongTermTier } from './tiers/long-term.js';
import { MidTermTier } from './tiers/mid-term.js';
import { RecentWindow } from './tiers/short-term.js';
import { forgetting, type Forgetting } from './forget.js';
import { retryStale } from './sync/stale.js';
import { passageIds, passagesOf, type Passage } from './passages.js';
import type { Shared } from './shared.js';

export type { ExtractAnchors, ExtractTurn, Settings, Shared } from './shared.js';

/** See the file comment. */
export class SessionState {
  readonly window: RecentWindow;
  readonly mid: MidTermTier;
  /** Replaced whole when re-read from the store after a stale write (see refreshAnchors). */
  long: LongTermTier;
  readonly lexical = new Bm25Index();
  readonly turns = new Map<string, TurnRecord>();
  readonly passages = new Map<string, Passage>();
  readonly summaries = new Map<string, SummaryRecord>();
  private seq = 0;
  private dropped = false;

  /**
   * @param quiet A session read for a moment (eviction of a session not open): its tiers
   * only, with no lexical index and no derived work queued.
   */
  constructor(
    readonly id: string,
    private readonly shared: Shared,
    private readonly quiet = false,
  ) {
    const s = shared.settings;
    this.window = new RecentWindow(s.windowTokens);
    this.long = new LongTermTier(s.anchors);
    this.mid = new MidTermTier({
      everyTokens: s.summaryEveryTokens,
      count: s.count,
      split: s.split,
      embed: (texts) => shared.embed(texts),
      ...(s.summarize ? { summarize: s.summarize } : {}),
    });
  }

  /**
   * Marks the session deleted: its background jobs still queued or running write nothing more,
   * index nothing more and announce nothing.
   */
  drop(): void {
    this.dropped = true;
  }

  /** True once {@link drop} was called. */
  get isDropped(): boolean {
    return this.dropped;
  }

  /** The next turn's sequence number (taken synchronously, so concurrent observes keep order). */
  nextSeq(): number {
    return this.seq++;
  }

  /** Reads the session back from the store and queues whatever derived work was unfinished. */
  async load(): Promise<void> {
    const { store, index } = this.shared;
    const [turns, summaries, anchors] = await Promise.all([
      store.list('turn', this.id),
      store.list('summary', this.id),
      store.list('anchor', this.id),
    ]);
    for (const summary of summaries) this.addSummary(summary);
    for (const anchor of anchors) this.addAnchor(anchor);
    const summarized = new Set(summaries.flatMap((s) => s.sources));
    for (const turn of turns) this.take(turn, summarized.has(turn.id));
    this.seq = turns.reduce((n, t) => Math.max(n, t.seq + 1), 0);
    if (this.quiet) return;
    // Anything without a vector from this embedder (new embedder, or unfinished): re-embed.
    const missing = [...this.summaries.values(), ...this.long.anchors].filter(
      (r) => !index.has(r.id),
    );
    if (missing.length) this.queueVectors(missing);
  }

  /** Takes in a stored turn: window, lexical index, and its derived work. */
  take(turn: TurnRecord, summarized = false, derived = true): void {
    this.seq = Math.max(this.seq, turn.seq + 1);
    this.turns.set(turn.id, turn);
    if (this.quiet) return void this.window.add(turn);
    const texts = passagesOf(turn.content);
    passageIds(turn, texts.length).forEach((id, i) => {
      this.passages.set(id, { turn, text: texts[i]! });
      this.lexical.add(id, texts[i]!);
    });
    const left = this.window.add(turn);
    const groups = summarized ? [] : this.mid.add(left);
    // A turn another tab observed: that tab does its derived work and announces the results.
    if (!derived) return void this.shared.embedder.observe?.(texts);
    const { queue } = this.shared;
    if (turn.pending.includes('embed') || !this.shared.index.has(passageIds(turn, 1)[0]!)) {
      queue.add('embed', this.id, () => this.embedTurn(turn));
    } else {
      // Reloaded with its vectors: the embedder's query weights learn from it as at first.
      this.shared.embedder.observe?.(texts);
    }
    if (turn.pending.includes('extract'))
      queue.add('extract', this.id, () => this.extractTurn(turn));
    for (const group of groups) queue.add('summarize', this.id, () => this.summarize(group));
  }

  /** Takes in the turns another tab stored meanwhile; the next seq moves past them. */
  async resync(): Promise<void> {
    for (const turn of await this.shared.store.list('turn', this.id))
      if (!this.turns.has(turn.id)) this.take(turn, false, false);
  }

  addSummary(summary: SummaryRecord): void {
    this.summaries.set(summary.id, summary);
    if (!this.quiet) this.lexical.add(summary.id, summary.text);
  }

  addAnchor(anchor: AnchorRecord): void {
    if (!this.long.get(anchor.id)) this.long.load(anchor);
    if (!this.quiet) this.lexical.add(anchor.id, anchor.text);
  }

  /**
   * Reads the session's anchors back from the store, in place of this tab's copies: after a
   * write refused as stale, what another tab wrote (restated, superseded, new, forgotten) is
   * what the retry builds on. Anchors merged here but never written are dropped with it.
   */
  async refreshAnchors(): Promise<void> {
    const stored = await this.shared.store.list('anchor', this.id);
    const long = new LongTermTier(this.shared.settings.anchors);
    for (const anchor of stored) long.load(anchor);
    for (const old of this.long.anchors) if (!long.get(old.id)) this.lexical.remove(old.id);
    for (const anchor of stored)
      if (this.long.get(anchor.id)?.text !== anchor.text) this.lexical.add(anchor.id, anchor.text);
    this.long = long;
  }

  /**
   * Forgets a turn, summary or anchor, with what derives from it; one batch (see forget.ts).
   * Refused as stale (another tab rewrote an anchor it touches): re-read and planned again.
   */
  async forget(id: string): Promise<void> {
    await this.forgetAll([id], true);
  }

  /** Removes the anchors past their time to live; returns their ids. */
  async sweep(now: number): Promise<string[]> {
    const expired = this.long.expired(now).map((a) => a.id);
    if (expired.length) await this.forgetAll(expired, false);
    return expired;
  }

  private forgetAll(ids: readonly string[], strict: boolean): Promise<void> {
    return retryStale(
      async () => {
        const plan: Forgetting = { changes: [], after: [] };
        for (const id of ids) {
          if (!forgetting(this, id, plan) && strict)
            throw new MemoryError('BAD_INPUT', `unknown id ${id} in session ${this.id}`);
        }
        if (plan.changes.length) await this.write(plan.changes);
        for (const apply of plan.after) apply();
      },
      () => this.refreshAnchors(),
    );
  }

  /**
   * Counts a recall of each anchor: reinforced now, half-life grown (see `retention`). Stale
   * (another tab wrote one meanwhile): re-read and counted on the fresh records; an anchor
   * forgotten meanwhile is left out.
   */
  async reinforce(ids: readonly string[], now: number): Promise<void> {
    await retryStale(
      async () => {
        const next = ids.flatMap((id) => {
          const a = this.long.get(id);
          return a
            ? [{ ...a, recalls: a.recalls + 1, reinforcedAt: now, version: a.version + 1 }]
            : [];
        });
        if (!next.length) return;
        await this.write(next.map((put): StoreChange => ({ kind: 'anchor', put })));
        for (const anchor of next) this.long.recalled(anchor.id, now);
      },
      () => this.refreshAnchors(),
    );
  }

  /**
   * Runs an update of anchors `ids`; refused as stale, re-reads the anchors and runs it again
   * (see sync/stale.ts). One forgotten meanwhile (in another tab) fails it with `BAD_INPUT`.
   */
  fresh<T>(ids: readonly string[], update: () => Promise<T>): Promise<T> {
    return retryStale(update, async () => {
      await this.refreshAnchors();
      for (const id of ids)
        if (!this.long.get(id))
          throw new MemoryError('BAD_INPUT', `anchor ${id} was forgotten meanwhile (another tab)`);
    });
  }

  /** @internal Drops a record's passage, lexical entry and vector (after it was forgotten). */
  unindex(id: string): void {
    this.passages.delete(id);
    this.lexical.remove(id);
    if (this.shared.index.has(id)) this.shared.index.remove(id);
  }

  private async embedTurn(turn: TurnRecord): Promise<void> {
    if (!this.turns.has(turn.id)) return; // forgotten meanwhile
    const texts = passagesOf(turn.content);
    const ids = passageIds(turn, texts.length);
    const vectors = await this.shared.embed(texts);
    if (!this.turns.has(turn.id)) return;
    const pending = turn.pending.filter((p) => p !== 'embed');
    await this.write([
      { kind: 'turn', put: { ...turn, pending } },
      ...this.vectorChanges(ids, vectors),
    ]);
    turn.pending = pending;
    this.index(ids, vectors);
    this.shared.embedder.observe?.(texts);
  }

  /** The `n` turns before `turn` that this session holds, oldest first (ids are by seq). */
  private turnsBefore(
    turn: TurnRecord,
    n: number,
  ): { role: TurnRecord['role']; content: string }[] {
    const out: { role: TurnRecord['role']; content: string }[] = [];
    for (let seq = turn.seq - n; seq < turn.seq; seq++) {
      const earlier = this.turns.get(`${this.id}/t${seq}`);
      if (earlier) out.push({ role: earlier.role, content: earlier.content });
    }
    return out;
  }

  private async extractTurn(turn: TurnRecord): Promise<void> {
    if (!this.turns.has(turn.id)) return;
    const { role, content, name, at } = turn;
    const found = await this.shared.settings.extract({
      role,
      content,
      at,
      ...(name ? { name } : {}),
      previous: this.turnsBefore(turn, 2),
    });
    const candidates = (Array.isArray(found) ? found : []).filter(isCandidate);
    // Refused as stale (another tab restated or superseded one of these anchors, or extracted
    // this very turn): the anchors are re-read and the candidates merged again on them.
    await retryStale(
      () => this.mergeAnchors(turn, candidates),
      () => this.refreshAnchors(),
    );
  }

  /**
   * Merges a turn's anchor candidates into the long-term tier and writes the result with the
   * turn's pending mark, in one batch. New anchors get ids from the turn and their order in it
   * (`<session>/a<seq>.<n>`) and must be created: a tab that extracts the same turn as another
   * (both resumed it) is refused instead of adding a copy. Anchors that name the turn already
   * mean its extraction landed: only the mark is cleared.
   */
  private async mergeAnchors(
    turn: TurnRecord,
    candidates: readonly AnchorCandidate[],
  ): Promise<void> {
    if (!this.turns.has(turn.id)) return;
    const pending = turn.pending.filter((p) => p !== 'extract');
    const done = this.long.fromTurn(turn.id).length > 0;
    const changed = new Map<string, AnchorRecord>();
    const fresh: AnchorRecord[] = [];
    let made = 0;
    for (const candidate of done ? [] : candidates) {
      const from = { turnId: turn.id, session: this.id, at: turn.at };
      const result = this.long.merge(candidate, from, () => `${this.id}/a${turn.seq}.${made++}`);
      for (const anchor of result.changed) changed.set(anchor.id, anchor);
      if (result.outcome !== 'restated') fresh.push(result.anchor);
    }
    const vectors = fresh.length ? await this.shared.embed(fresh.map((a) => a.text)) : [];
    const created = new Set(fresh.map((a) => a.id));
    await this.write([
      { kind: 'turn', put: { ...turn, pending } },
      ...[...changed.values()].map((put): StoreChange => ({
        kind: 'anchor',
        put,
        ...(created.has(put.id) ? { create: true } : {}),
      })),
      ...this.vectorChanges(
        fresh.map((a) => a.id),
        vectors,
      ),
    ]);
    turn.pending = pending;
    for (const anchor of fresh) this.lexical.add(anchor.id, anchor.text);
    this.index(
      fresh.map((a) => a.id),
      vectors,
    );
  }

  /**
   * Summarizes a group of turns that left the window. The summary's id is its turn range
   * (`<session>/s<first seq>-<last seq>`) and it must be created: two tabs summarizing the same
   * turns write one summary, the other is refused, re-reads the stored summaries and drops
   * its copy. Turns a known summary covers already are left out.
   */
  private async summarize(group: readonly TurnRecord[]): Promise<void> {
    await retryStale(
      async () => {
        const covered = new Set([...this.summaries.values()].flatMap((s) => s.sources));
        const live = group.filter((t) => this.turns.has(t.id) && !covered.has(t.id));
        if (!live.length) return;
        const id = `${this.id}/s${live[0]!.seq}-${live[live.length - 1]!.seq}`;
        const summary = await this.mid.summarize(live, id);
        const [vector] = await this.shared.embed([summary.text]);
        await this.write([
          { kind: 'summary', put: summary, create: true },
          ...this.vectorChanges([summary.id], [vector!]),
        ]);
        this.addSummary(summary);
        this.index([summary.id], [vector!]);
      },
      async () => {
        for (const summary of await this.shared.store.list('summary', this.id))
          if (!this.summaries.has(summary.id)) this.addSummary(summary);
      },
    );
  }

  /** Embeds and indexes records loaded without a vector from the current embedder. */
  private queueVectors(records: readonly (SummaryRecord | AnchorRecord)[]): void {
    this.shared.queue.add('embed', this.id, async () => {
      const vectors = await this.shared.embed(records.map((r) => r.text));
      const ids = records.map((r) => r.id);
      await this.write(this.vectorChanges(ids, vectors));
      this.index(ids, vectors);
    });
  }

  /** @internal The vector records of `ids`, written by the current embedder. */
  vectorChanges(ids: readonly string[], vectors: readonly Float32Array[]): StoreChange[] {
    const embedder = this.shared.embedder.id;
    return ids.map((id, i) => ({
      kind: 'vector',
      put: { id, session: this.id, embedder, vector: vectors[i]! },
    }));
  }

  /** @internal Puts vectors into the index (after they were written). */
  index(ids: readonly string[], vectors: readonly Float32Array[]): void {
    this.shared.alive();
    if (this.dropped) return;
    this.shared.index.upsert(ids.map((id, i) => ({ id, vector: vectors[i]!, session: this.id })));
    this.shared.indexed?.(ids);
  }

  /** @internal Writes a batch of this session's changes; a dropped session writes nothing. */
  async write(changes: StoreChange[]): Promise<void> {
    this.shared.alive();
    // Checked right before the write is issued: a deletion's clear is queued behind it.
    if (this.dropped) return;
    await this.shared.store.write(changes);
    this.shared.wrote?.();
    this.shared.changed?.(this.id);
  }
}

function isCandidate(c: unknown): c is AnchorCandidate {
  if (!c || typeof c !== 'object') return false;
  const a = c as Record<string, unknown>;
  return (
    ['entity', 'preference', 'intent', 'fact'].includes(a.kind as string) &&
    typeof a.key === 'string' &&
    a.key.length > 0 &&
    typeof a.value === 'string' &&
    typeof a.text === 'string' &&
    a.text.trim().length > 0
  );
}
