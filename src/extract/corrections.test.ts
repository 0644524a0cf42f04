import { describe, expect, it } from 'vitest';
import { createMemory } from '../memory.js';
import { DEFAULT_ANCHOR_POLICY, LongTermTier } from '../tiers/long-term.js';
import { correctionIn } from './corrections.js';
import { extractAnchors } from './extract.js';

/** Extraction then the long-term tier, turn after turn, as the engine runs them. */
function remember(...turns: string[]) {
  const tier = new LongTermTier(DEFAULT_ANCHOR_POLICY);
  let n = 0;
  turns.forEach((content, i) => {
    for (const c of extractAnchors({ role: 'user', content }))
      tier.merge(c, { turnId: `t${i}`, session: 's', at: i }, () => `a${n++}`);
  });
  const all = [...tier.anchors];
  const current = all.filter((a) => !a.supersededBy && a.kind !== 'entity');
  return {
    current: current.map((a) => `${a.key}=${a.value}`).sort(),
    superseded: all.filter((a) => a.supersededBy).map((a) => `${a.key}=${a.value}`),
    text: (key: string) => current.find((a) => a.key === key)?.text,
  };
}

describe('corrections of anchors keyed by a name', () => {
  it('a sister named again with "not" supersedes the old name, and its entity too', () => {
    const m = remember("My sister's name is Ana.", 'Sorry, my sister is called Ines, not Ana.');
    expect(m.current).toEqual(['user.sister.ines=ines']);
    expect(m.superseded).toEqual(
      expect.arrayContaining(['user.sister.ana=ana', 'entity:ana=person']),
    );
  });

  it('a pet renamed with a cue ("actually", "renamed", "now") supersedes the old name', () => {
    expect(remember('My dog is named Rex', "Actually my dog's name is Max").current).toEqual([
      'user.pet.dog.max=max',
    ]);
    expect(
      remember('Our cat Miso sleeps all day.', "We renamed the cat, she's Tofu now").current,
    ).toEqual(['user.pet.cat.tofu=tofu']);
    expect(
      remember('My dog is named Rex', 'Sorry, I mixed up names: my dog is Max.').current,
    ).toEqual(['user.pet.dog.max=max']);
  });

  it('a second name said plainly is a second sister, not a correction', () => {
    expect(remember('My sister Maria called.', 'My sister Ana called too.').current).toEqual([
      'user.sister.ana=ana',
      'user.sister.maria=maria',
    ]);
  });

  it('"not Ana" picks Ana among two sisters, not the most recent one', () => {
    const m = remember(
      'My sister Ana lives in Porto.',
      'My sister Maria is a nurse.',
      'Oops, I meant Ines, my sister, not Ana.',
    );
    expect(m.current).toEqual(
      expect.arrayContaining(['user.sister.ines=ines', 'user.sister.maria=maria']),
    );
    expect(m.current).not.toContain('user.sister.ana=ana');
  });
});

describe('corrections that only say what changed', () => {
  it('"it\'s Rex not Max" rewrites the anchor that said Max', () => {
    const m = remember('My dog is called Max.', "it's Rex not Max, autocorrect strikes again");
    expect(m.current).toEqual(['user.pet.dog.rex=rex']);
    expect(m.text('user.pet.dog.rex')).toMatch(/^The user has a dog named Rex\b/);
  });

  it('"traded in", "switched from … to", "it\'s X, not Y" move the value of their slot', () => {
    expect(remember('I drive a Fiat.', 'traded in the Fiat for a Kia').current).toEqual([
      'user.car=kia',
    ]);
    expect(remember('I play the cello.', 'switched from cello to viola').current).toEqual([
      'user.instrument=viola',
    ]);
    const allergy = remember(
      "I'm allergic to shrimp.",
      'the allergist says it is crab, not shrimp',
    );
    expect(allergy.current).toEqual(['user.allergy.crab=allergic']);
    expect(allergy.text('user.allergy.crab')).toMatch(/^The user is allergic to crab\b/);
  });

  it('a negation with the right value after it keeps both facts straight', () => {
    expect(
      remember("I'm allergic to shrimp.", "turns out I'm not allergic to shrimp, it's crab")
        .current,
    ).toEqual(['user.allergy.crab=allergic', 'user.allergy.shrimp=not allergic']);
  });

  it('a favourite said without its kind takes the slot of the favourite it replaces', () => {
    expect(
      remember('My favourite food is curry.', "I'm over curry, tacos are my favourite now").current,
    ).toEqual(['user.favorite.food=tacos']);
  });

  it('a correction of nothing known is kept as said', () => {
    expect(remember("it's Rex not Max, autocorrect strikes again").current).toEqual([
      'user.correction.max=rex',
    ]);
  });

  it('finds what is corrected, and leaves "not" alone where nothing is', () => {
    expect(correctionIn('Sorry, my sister is called Ines, not Ana.')).toEqual({
      old: 'Ana',
      now: 'Ines',
    });
    expect(correctionIn('we ended up in Ghent, not Bruges, scratch that')).toEqual({
      old: 'Bruges',
      now: 'Ghent',
    });
    expect(correctionIn('I gave up the cello last year')).toEqual({ old: 'cello' });
    expect(correctionIn('I do not live in Paris.')).toBeUndefined();
    expect(correctionIn("I'm fine, not bad.")).toBeUndefined();
    expect(correctionIn('I want coffee, not tea.')).toEqual({ old: 'tea' });
  });
});

describe('corrections through the engine', () => {
  it('recalls the corrected name, keeps the old anchor marked superseded', async () => {
    const memory = await createMemory({ gpu: 'cpu', storage: 'memory' });
    const s = memory.session('family');
    await s.observe({ role: 'user', content: "My sister's name is Ana." });
    await s.observe({ role: 'assistant', content: 'Nice to hear about Ana!' });
    await s.observe({ role: 'user', content: 'My dog is named Rex.' });
    await s.observe({ role: 'user', content: 'Sorry, my sister is called Ines, not Ana.' });
    await s.observe({ role: 'user', content: "Actually my dog's name is Max." });
    await s.settled();
    const { anchors } = await s.inspect();
    const byKey = (key: string) => anchors.find((a) => a.key === key);
    expect(byKey('user.sister.ana')?.supersededBy).toBe(byKey('user.sister.ines')?.id);
    expect(byKey('user.pet.dog.rex')?.supersededBy).toBe(byKey('user.pet.dog.max')?.id);

    const sister = await s.recall("What's my sister's name?", { budgetTokens: 300 });
    const anchorTexts = sister.items.filter((i) => i.tier === 'long-term').map((i) => i.text);
    expect(anchorTexts.join('\n')).toMatch(/The user's sister is Ines\b/);
    expect(anchorTexts.join('\n')).not.toMatch(/sister is Ana|Ana is the user's/);
    const dog = await s.recall("What's my dog called?", { budgetTokens: 300 });
    const dogTexts = dog.items.filter((i) => i.tier === 'long-term').map((i) => i.text);
    expect(dogTexts.join('\n')).toMatch(/dog named Max\b/);
    expect(dogTexts.join('\n')).not.toContain('named Rex');
    await memory.destroy();
  });
});
