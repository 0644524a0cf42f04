import type { AnchorCandidate, AnchorCorrection, AnchorKind } from '../extract/anchor.js';
import { slug } from '../extract/text.js';
import type { AnchorRecord } from '../store/types.js';

/** How anchors age and expire; every field has a default. */
export interface AnchorPolicy {
  /** Half-life of an anchor never recalled, in ms (default 7 days). */
  halfLifeMs: number;
  /** Factor the half-life grows by with each recall (default 2). */
  halfLifeGrowth: number;
  /** Time to live per kind, in ms from the last restatement; none when absent. */
  ttlMs: Partial<Record<AnchorKind, number>>;
}

export const DEFAULT_ANCHOR_POLICY: AnchorPolicy = {
  halfLifeMs: 7 * 24 * 3600 * 1000,
  halfLifeGrowth: 2,
  ttlMs: {},
};

/**
 * How much of an anchor is still remembered, 0..1: a forgetting curve that slows with use.
 *
 *   R(t) = 2^(−(t − reinforcedAt) / h),   h = halfLifeMs · halfLifeGrowth^recalls
 *
 * `reinforcedAt` moves to the time of every restatement and every recall, and each recall also
 * multiplies the half-life (spaced repetition: what is used is kept longer). Pinned anchors
 * never decay (R = 1).
 */
export function retention(anchor: AnchorRecord, now: number, policy: AnchorPolicy): number {
  if (anchor.pinned) return 1;
  const halfLife = policy.halfLifeMs * policy.halfLifeGrowth ** anchor.recalls;
  return 2 ** (-Math.max(0, now - anchor.reinforcedAt) / halfLife);
}

/** What merging one candidate did, and the records to write. */
export interface MergeResult {
  outcome: 'new' | 'restated' | 'superseded';
  /** The anchor that is current for the candidate's key now. */
  anchor: AnchorRecord;
  /** Every record changed (the current one, and the superseded one if any). */
  changed: AnchorRecord[];
}

/** Where a turn's anchor came from. */
export interface AnchorSource {
  turnId: string;
  session: string;
  at: number;
}

/**
 * The long-term tier of one session: anchors by id and the current anchor of each key.
 *
 * @example
 * const tier = new LongTermTier(DEFAULT_ANCHOR_POLICY);
 * tier.merge(candidate, { turnId, session, at }, nextId);
 */
export class LongTermTier {
  private readonly byId = new Map<string, AnchorRecord>();
  private readonly current = new Map<string, AnchorRecord>();
  private readonly ofTurn = new Map<string, Set<string>>();

  constructor(private readonly policy: AnchorPolicy) {}

  /** All anchors, superseded ones included. */
  get anchors(): IterableIterator<AnchorRecord> {
    return this.byId.values();
  }

  get(id: string): AnchorRecord | undefined {
    return this.byId.get(id);
  }

  /** Takes in an anchor loaded from storage. */
  load(anchor: AnchorRecord): void {
    this.byId.set(anchor.id, anchor);
    if (!anchor.supersededBy) this.current.set(anchor.key, anchor);
    for (const turnId of anchor.sources) this.link(turnId, anchor.id);
  }

  /**
   * Merges a candidate: the same key and value restates (strengthens) the current anchor; the
   * same key with another value supersedes it (the old one kept and marked); else a new one.
   * A candidate that `corrects` something (see {@link AnchorCandidate.corrects}) also
   * supersedes the anchor it corrects, though its key differs ("my sister is called Ines, not
   * Ana": `user.sister.ines` supersedes `user.sister.ana`); a rewrite candidate ("it's Rex,
   * not Max") becomes that anchor with the new value.
   */
  merge(candidate: AnchorCandidate, from: AnchorSource, newId: () => string): MergeResult {
    const corrected = validCorrection(candidate.corrects)
      ? this.corrected(candidate, candidate.corrects)
      : undefined;
    const merged = corrected ? rewritten(candidate, corrected) : candidate;
    const existing = this.current.get(merged.key);
    if (existing && sameValue(existing.value, merged.value)) {
      const changed = [this.restate(existing, merged, from)];
      if (corrected && corrected !== existing) changed.push(supersede(corrected, existing));
      return { outcome: 'restated', anchor: existing, changed };
    }
    const anchor = this.create(merged, from, newId());
    const replaced = existing ?? corrected;
    if (!replaced) return { outcome: 'new', anchor, changed: [anchor] };
    anchor.supersedes = replaced.id;
    const changed = [anchor, supersede(replaced, anchor)];
    if (existing && corrected && corrected !== existing) changed.push(supersede(corrected, anchor));
    return { outcome: 'superseded', anchor, changed };
  }

  /**
   * The current anchor a correction means: under its key prefix, other than the candidate's
   * own key, whose value or last key part is the corrected value, else (no value named) the
   * most recently seen one there. Entities only when the prefix is "entity".
   */
  private corrected(candidate: AnchorCandidate, c: AnchorCorrection): AnchorRecord | undefined {
    const entities = c.under === 'entity';
    const value = c.value?.trim().toLowerCase();
    const names = value ? new Set([value, value.replace(/\s+/g, '-'), slug(value, 3)]) : undefined;
    let best: AnchorRecord | undefined;
    for (const anchor of this.current.values()) {
      if (anchor.key === candidate.key && !c.rewrite) continue;
      if ((anchor.kind === 'entity') !== entities) continue;
      if (!(entities || anchor.key === c.under || anchor.key.startsWith(`${c.under}.`))) continue;
      if (names) {
        const last = anchor.key.split(/[.:]/).pop()!;
        if (!names.has(anchor.value.toLowerCase()) && !names.has(last)) continue;
      }
      if (!best || anchor.lastSeen > best.lastSeen) best = anchor;
    }
    return best;
  }

  /** Counts a recall: the anchor is reinforced now and its half-life grows. */
  recalled(id: string, now: number): AnchorRecord | undefined {
    const anchor = this.byId.get(id);
    if (!anchor) return undefined;
    anchor.recalls++;
    anchor.reinforcedAt = now;
    anchor.version++;
    return anchor;
  }

  /** Pins (never decays, never expires) or unpins an anchor. */
  pin(id: string, pinned: boolean): AnchorRecord | undefined {
    const anchor = this.byId.get(id);
    if (!anchor) return undefined;
    anchor.pinned = pinned;
    anchor.version++;
    return anchor;
  }

  /** Anchors past their time to live (pinned ones never are). */
  expired(now: number): AnchorRecord[] {
    return [...this.byId.values()].filter(
      (a) => !a.pinned && a.expiresAt !== undefined && a.expiresAt <= now,
    );
  }

  /**
   * Removes an anchor. When it had replaced another, that one becomes current again and is
   * returned, changed, to be written.
   */
  remove(id: string): AnchorRecord | undefined {
    const anchor = this.byId.get(id);
    if (!anchor) return undefined;
    this.byId.delete(id);
    for (const turnId of anchor.sources) this.ofTurn.get(turnId)?.delete(id);
    if (this.current.get(anchor.key) === anchor) this.current.delete(anchor.key);
    const previous = anchor.supersedes ? this.byId.get(anchor.supersedes) : undefined;
    if (!previous || anchor.supersededBy) return undefined;
    delete previous.supersededBy;
    previous.version++;
    this.current.set(previous.key, previous);
    return previous;
  }

  /** Anchors learned from a turn. */
  fromTurn(turnId: string): AnchorRecord[] {
    return [...(this.ofTurn.get(turnId) ?? [])].flatMap((id) => this.byId.get(id) ?? []);
  }

  /** True when everything learned from the turn has since been superseded. */
  isStale(turnId: string): boolean {
    const anchors = this.fromTurn(turnId).filter((a) => a.kind !== 'entity');
    return anchors.length > 0 && anchors.every((a) => a.supersededBy !== undefined);
  }

  private restate(anchor: AnchorRecord, candidate: AnchorCandidate, from: AnchorSource) {
    // Each restatement closes part of the gap to 1, more for a surer extraction.
    anchor.strength += (1 - anchor.strength) * 0.5 * clamp01(candidate.confidence);
    anchor.lastSeen = Math.max(anchor.lastSeen, from.at);
    anchor.reinforcedAt = Math.max(anchor.reinforcedAt, from.at);
    if (!anchor.sources.includes(from.turnId)) anchor.sources.push(from.turnId);
    this.link(from.turnId, anchor.id);
    const ttl = this.policy.ttlMs[anchor.kind];
    if (ttl !== undefined) anchor.expiresAt = anchor.lastSeen + ttl;
    anchor.version++;
    return anchor;
  }

  private create(candidate: AnchorCandidate, from: AnchorSource, id: string): AnchorRecord {
    const ttl = this.policy.ttlMs[candidate.kind];
    const anchor: AnchorRecord = {
      id,
      session: from.session,
      kind: candidate.kind,
      key: candidate.key,
      value: candidate.value,
      text: candidate.text,
      sources: [from.turnId],
      firstSeen: from.at,
      lastSeen: from.at,
      strength: 0.3 + 0.4 * clamp01(candidate.confidence),
      recalls: 0,
      reinforcedAt: from.at,
      pinned: false,
      version: 1,
      ...(ttl === undefined ? {} : { expiresAt: from.at + ttl }),
    };
    this.load(anchor);
    return anchor;
  }

  private link(turnId: string, anchorId: string): void {
    let set = this.ofTurn.get(turnId);
    if (!set) this.ofTurn.set(turnId, (set = new Set()));
    set.add(anchorId);
  }
}

function validCorrection(c: unknown): c is AnchorCorrection {
  if (!c || typeof c !== 'object') return false;
  const { under, value, rewrite } = c as Record<string, unknown>;
  return (
    typeof under === 'string' &&
    under.length > 0 &&
    (value === undefined || (typeof value === 'string' && value.trim().length > 0)) &&
    (rewrite === undefined || (typeof rewrite === 'string' && rewrite.trim().length > 0))
  );
}

/** Marks `old` as replaced by `by` and returns it, to be written. */
function supersede(old: AnchorRecord, by: AnchorRecord): AnchorRecord {
  old.supersededBy = by.id;
  old.version++;
  return old;
}

/**
 * The candidate to store for a correction of `old`: a rewrite takes the old anchor's kind and
 * key and says the new value in its text ("The user has a dog named Max." → "…named Rex.");
 * a candidate keyed by the correction's prefix alone ("user.favorite", from "tacos are my
 * favourite now") takes the key of what it corrects; any other candidate stays as it is.
 */
function rewritten(candidate: AnchorCandidate, old: AnchorRecord): AnchorCandidate {
  const c = candidate.corrects!;
  if (!c.rewrite) return candidate.key === c.under ? { ...candidate, key: old.key } : candidate;
  const said = c.rewrite.trim();
  const was = c.value?.trim() ?? old.value;
  const parts = old.key.split('.');
  const last = parts[parts.length - 1]!;
  const keyed = [was.replace(/\s+/g, '-'), slug(was, 3)].includes(last);
  if (keyed)
    parts[parts.length - 1] =
      last === slug(was, 3) ? slug(candidate.value, 3) : candidate.value.replace(/\s+/g, '-');
  const value = sameValue(old.value, was) ? candidate.value : old.value;
  const surface = new RegExp(`\\b${was.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi');
  const text =
    old.text.search(surface) >= 0
      ? old.text.replace(surface, (w) => (/^\p{Lu}/u.test(w) ? title(said) : said))
      : `${old.text.replace(/[.!]*$/, '')} (corrected: ${said}, not ${was}).`;
  return { ...candidate, kind: old.kind, key: parts.join('.'), value, text };
}

function title(s: string): string {
  return s.replace(/^\p{Ll}/u, (ch) => ch.toUpperCase());
}

function sameValue(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0.5;
}
