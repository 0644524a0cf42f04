import { describe, expect, it } from 'vitest';
import type { AnchorCandidate } from '../extract/anchor.js';
import { DEFAULT_ANCHOR_POLICY, LongTermTier, retention } from './long-term.js';

const DAY = 24 * 3600_000;
const lives = (city: string): AnchorCandidate => ({
  kind: 'fact',
  key: 'user.location',
  value: city.toLowerCase(),
  text: `The user lives in ${city}.`,
  confidence: 1,
});

function tier(ttlMs = {}) {
  let n = 0;
  const t = new LongTermTier({ ...DEFAULT_ANCHOR_POLICY, ttlMs });
  const merge = (c: AnchorCandidate, turnId: string, at = 0) =>
    t.merge(c, { turnId, session: 's', at }, () => `s/a${n++}`);
  return { t, merge };
}

describe('LongTermTier', () => {
  it('restates, supersedes (keeping the old one), and restores it when the new one is removed', () => {
    const { t, merge } = tier();
    const first = merge(lives('Paris'), 't0');
    const initial = first.anchor.strength;
    const again = merge(lives('paris'), 't1');
    expect(again.outcome).toBe('restated');
    expect(again.anchor.strength).toBeGreaterThan(initial);
    expect(again.anchor.sources).toEqual(['t0', 't1']);
    const moved = merge(lives('Berlin'), 't2');
    expect(moved.outcome).toBe('superseded');
    expect(t.get(first.anchor.id)?.supersededBy).toBe(moved.anchor.id);
    expect(t.isStale('t0')).toBe(true);
    expect(t.isStale('t2')).toBe(false);
    t.remove(moved.anchor.id);
    expect(t.get(first.anchor.id)?.supersededBy).toBeUndefined();
    expect(merge(lives('Paris'), 't3').outcome).toBe('restated');
  });

  it('decays by the stated curve; each recall doubles the half-life; pins never decay', () => {
    const { t, merge } = tier();
    const { anchor } = merge(lives('Oslo'), 't0');
    const h = DEFAULT_ANCHOR_POLICY.halfLifeMs;
    expect(retention(anchor, h, DEFAULT_ANCHOR_POLICY)).toBeCloseTo(0.5, 10);
    expect(retention(anchor, 2 * h, DEFAULT_ANCHOR_POLICY)).toBeCloseTo(0.25, 10);
    t.recalled(anchor.id, 0);
    expect(retention(anchor, 2 * h, DEFAULT_ANCHOR_POLICY)).toBeCloseTo(0.5, 10);
    t.pin(anchor.id, true);
    expect(retention(anchor, 1000 * DAY, DEFAULT_ANCHOR_POLICY)).toBe(1);
  });

  it('expires anchors past their time to live, never pinned ones; restating extends it', () => {
    const { t, merge } = tier({ intent: 2 * DAY });
    const plan = merge(
      { kind: 'intent', key: 'plan', value: 'run', text: 'Plans to run.', confidence: 1 },
      't0',
      0,
    );
    const other = merge(
      { kind: 'intent', key: 'plan2', value: 'swim', text: 'Plans to swim.', confidence: 1 },
      't1',
      0,
    );
    const fact = merge(lives('Lima'), 't2', 0);
    t.pin(other.anchor.id, true);
    expect(t.expired(DAY).map((a) => a.id)).toEqual([]);
    merge(
      { kind: 'intent', key: 'plan', value: 'run', text: 'Plans to run.', confidence: 1 },
      't3',
      DAY,
    );
    expect(t.expired(2.5 * DAY)).toEqual([]);
    expect(t.expired(3 * DAY).map((a) => a.id)).toEqual([plan.anchor.id]);
    expect(fact.anchor.expiresAt).toBeUndefined();
  });
});
