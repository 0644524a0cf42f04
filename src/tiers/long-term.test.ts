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

  it('a correcting candidate supersedes the anchor it names under another key, and gives it back when removed', () => {
    const { t, merge } = tier();
    const sister = (name: string, corrects?: AnchorCandidate['corrects']): AnchorCandidate => ({
      kind: 'fact',
      key: `user.sister.${name}`,
      value: name,
      text: `The user's sister is ${name}.`,
      confidence: 0.9,
      ...(corrects ? { corrects } : {}),
    });
    const ana = merge(sister('ana'), 't0', 0);
    const maria = merge(sister('maria'), 't1', 1);
    // Named: Ana, though Maria was seen last.
    const ines = merge(sister('ines', { under: 'user.sister', value: 'ana' }), 't2', 2);
    expect(ines.outcome).toBe('superseded');
    expect(ines.anchor.supersedes).toBe(ana.anchor.id);
    expect(ines.changed.map((a) => a.id)).toEqual([ines.anchor.id, ana.anchor.id]);
    expect(t.get(maria.anchor.id)?.supersededBy).toBeUndefined();
    // Unnamed: the most recently seen one under the prefix.
    const eva = merge(sister('eva', { under: 'user.sister' }), 't3', 3);
    expect(eva.anchor.supersedes).toBe(ines.anchor.id);
    t.remove(eva.anchor.id);
    expect(t.get(ines.anchor.id)?.supersededBy).toBeUndefined();
    // Nothing under the prefix matches: a plain new anchor.
    expect(merge(sister('zoe', { under: 'user.brother' }), 't4', 4).outcome).toBe('new');
  });

  it("a rewrite takes the corrected anchor's key, kind and text; a malformed correction is ignored", () => {
    const { t, merge } = tier();
    const fiat = merge(
      {
        kind: 'fact',
        key: 'user.car',
        value: 'fiat',
        text: "The user's car is a Fiat.",
        confidence: 0.9,
      },
      't0',
    );
    const rewrite = merge(
      {
        kind: 'fact',
        key: 'user.correction.fiat',
        value: 'kia',
        text: 'The user corrected Fiat to Kia.',
        confidence: 0.7,
        corrects: { under: 'user', value: 'fiat', rewrite: 'Kia' },
      },
      't1',
    );
    expect(rewrite.anchor).toMatchObject({
      key: 'user.car',
      value: 'kia',
      text: "The user's car is a Kia.",
    });
    expect(t.get(fiat.anchor.id)?.supersededBy).toBe(rewrite.anchor.id);
    const odd = merge(
      { ...lives('Paris'), corrects: { under: 42 } as unknown as AnchorCandidate['corrects'] },
      't2',
    );
    expect(odd.outcome).toBe('new');
    expect(odd.anchor.key).toBe('user.location');
  });
});
