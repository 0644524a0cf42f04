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
import { onFresh } from './sync/stale.js';
import { passageIds, passagesOf, type Passage } from './passages.js';
import type { Shared } from './shared.js';

export type { ExtractAnchors, ExtractTurn, Settings, Shared } from './shared.js';

/** See the file comment. */
export class SessionState {
  readonly window: RecentWindow;
  readonly mid: MidTermTier;
  readonly long: LongTermTier;
  readonly lexical = new Bm25Index();
  readonly turns = new Map<string, TurnRecord>();
  readonly passages = new Map<string, Passage>();
  readonly summaries = new Map<string, SummaryRecord>();
  private seq = 0;
  private serial = 0;
  private dropped = false;

  constructor(
    readonly id: string,
    private readonly shared: Shared,
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
    this.serial = summaries.length + anchors.length;
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

  /**
   * A fresh id for a summary or anchor of this session; where tabs share the memory, with this
   * tab's tag, so that two tabs never mint the same id.
   */
  newId(prefix: 's' | 'a'): string {
    return `${this.id}/${prefix}${this.serial++}${this.shared.idTag ?? ''}`;
  }

  /** Takes in the turns another tab stored meanwhile; the next seq moves past them. */
  async resync(): Promise<void> {
    for (const turn of await this.shared.store.list('turn', this.id))
      if (!this.turns.has(turn.id)) this.take(turn, false, false);
  }

  addSummary(summary: SummaryRecord): void {
    this.summaries.set(summary.id, summary);
    this.lexical.add(summary.id, summary.text);
  }

  addAnchor(anchor: AnchorRecord): void {
    if (!this.long.get(anchor.id)) this.long.load(anchor);
    this.lexical.add(anchor.id, anchor.text);
  }

  /** Forgets a turn, summary or anchor, with what derives from it; one batch. */
  async forget(id: string): Promise<void> {
    const changes: StoreChange[] = [];
    const after: (() => void)[] = [];
    if (this.turns.has(id)) this.forgetTurn(this.turns.get(id)!, changes, after);
    else if (this.summaries.has(id)) this.forgetSummary(id, changes, after);
    else if (this.long.get(id)) this.forgetAnchor(id, changes, after);
    else throw new MemoryError('BAD_INPUT', `unknown id ${id} in session ${this.id}`);
    await this.write(changes);
    for (const apply of after) apply();
  }

  /** Removes the anchors past their time to live; returns their ids. */
  async sweep(now: number): Promise<string[]> {
    const expired = this.long.expired(now).map((a) => a.id);
    const changes: StoreChange[] = [];
    const after: (() => void)[] = [];
    for (const id of expired) this.forgetAnchor(id, changes, after);
    if (changes.length) await this.write(changes);
    for (const apply of after) apply();
    return expired;
  }

  /** Counts a recall of each anchor: reinforced now, half-life grown (see `retention`). */
  async reinforce(ids: readonly string[], now: number): Promise<void> {
    await this.fresh(ids, async () => {
      const next = ids.flatMap((id) => {
        const a = this.long.get(id);
        return a
          ? [{ ...a, recalls: a.recalls + 1, reinforcedAt: now, version: a.version + 1 }]
          : [];
      });
      await this.write(next.map((put): StoreChange => ({ kind: 'anchor', put })));
      for (const anchor of next) this.long.recalled(anchor.id, now);
    });
  }

  /** Runs an anchor update, re-read and retried on `STALE_VERSION` (see sync/stale.ts). */
  fresh<T>(ids: readonly string[], update: () => Promise<T>): Promise<T> {
    return onFresh(this.shared.store, this.long, ids, update);
  }

  private forgetTurn(turn: TurnRecord, changes: StoreChange[], after: (() => void)[]): void {
    const ids = passageIds(turn, passagesOf(turn.content).length);
    changes.push(
      { kind: 'turn', delete: turn.id },
      ...ids.map((d): StoreChange => ({ kind: 'vector', delete: d })),
    );
    for (const summary of this.summaries.values()) {
      if (summary.sources.includes(turn.id)) this.forgetSummary(summary.id, changes, after);
    }
    for (const anchor of this.long.fromTurn(turn.id)) {
      const sources = anchor.sources.filter((t) => t !== turn.id);
      if (sources.length === 0) this.forgetAnchor(anchor.id, changes, after);
      else {
        changes.push({ kind: 'anchor', put: { ...anchor, sources, version: anchor.version + 1 } });
        after.push(() => void ((anchor.sources = sources), anchor.version++));
      }
    }
    after.push(() => {
      this.turns.delete(turn.id);
      for (const d of ids) this.unindex(d);
      this.window.remove(turn.id);
      this.mid.remove(turn.id);
    });
  }

  private forgetSummary(id: string, changes: StoreChange[], after: (() => void)[]): void {
    changes.push({ kind: 'summary', delete: id }, { kind: 'vector', delete: id });
    after.push(() => {
      this.summaries.delete(id);
      this.unindex(id);
    });
  }

  private forgetAnchor(id: string, changes: StoreChange[], after: (() => void)[]): void {
    const anchor = this.long.get(id)!;
    changes.push({ kind: 'anchor', delete: id }, { kind: 'vector', delete: id });
    const previous = anchor.supersedes ? this.long.get(anchor.supersedes) : undefined;
    if (previous && !anchor.supersededBy) {
      // The anchor it had replaced is current again.
      const restored = { ...previous, version: previous.version + 1 };
      delete restored.supersededBy;
      changes.push({ kind: 'anchor', put: restored });
    }
    after.push(() => {
      this.long.remove(id);
      this.unindex(id);
    });
  }

  private unindex(id: string): void {
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

  private async extractTurn(turn: TurnRecord): Promise<void> {
    if (!this.turns.has(turn.id)) return;
    const { role, content, name, at } = turn;
    const found = await this.shared.settings.extract({
      role,
      content,
      at,
      ...(name ? { name } : {}),
    });
    const candidates = (Array.isArray(found) ? found : []).filter(isCandidate);
    const changed = new Map<string, AnchorRecord>();
    const fresh: AnchorRecord[] = [];
    for (const candidate of candidates) {
      const from = { turnId: turn.id, session: this.id, at: turn.at };
      const result = this.long.merge(candidate, from, () => this.newId('a'));
      for (const anchor of result.changed) changed.set(anchor.id, anchor);
      if (result.outcome !== 'restated') fresh.push(result.anchor);
    }
    const vectors = fresh.length ? await this.shared.embed(fresh.map((a) => a.text)) : [];
    const pending = turn.pending.filter((p) => p !== 'extract');
    await this.write([
      { kind: 'turn', put: { ...turn, pending } },
      ...[...changed.values()].map((put): StoreChange => ({ kind: 'anchor', put })),
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

  private async summarize(group: readonly TurnRecord[]): Promise<void> {
    const live = group.filter((t) => this.turns.has(t.id));
    if (!live.length) return;
    const summary = await this.mid.summarize(live, this.newId('s'));
    const [vector] = await this.shared.embed([summary.text]);
    await this.write([
      { kind: 'summary', put: summary },
      ...this.vectorChanges([summary.id], [vector!]),
    ]);
    this.addSummary(summary);
    this.index([summary.id], [vector!]);
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
