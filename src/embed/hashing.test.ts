import { describe, expect, it } from 'vitest';
import { MemoryError } from '../errors.js';
import { foldedWords, stem } from './features.js';
import { hashingEmbedder } from './hashing.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

const turn40 =
  'Yesterday I finally moved to Berlin with my sister Maria, and we spent the whole weekend ' +
  'unpacking boxes, assembling furniture and looking for a decent bakery near the new flat in ' +
  'Kreuzberg before the small shops closed on Sunday evening.';

describe('hashingEmbedder', () => {
  it('folds case, accents, possessives and apostrophes; stems plurals, -ing, -ed', () => {
    expect(foldedWords("Café's CRÈME brûlée, don't!")).toEqual(['cafe', 'creme', 'brulee', 'dont']);
    expect(['love', 'loved', 'loves', 'loving'].map(stem)).toEqual(['lov', 'lov', 'lov', 'lov']);
    expect(['running', 'planned', 'cities', 'bus', 'called'].map(stem)).toEqual([
      'run',
      'plan',
      'city',
      'bus',
      'call',
    ]);
  });

  it('has an id that names dim and version, and respects dim', async () => {
    const e = hashingEmbedder({ dim: 64 });
    expect(e.id).toBe('hashing-v1-d64');
    expect(hashingEmbedder().dim).toBe(384);
    const [v] = await e.embed(['hello world']);
    expect(v).toBeInstanceOf(Float32Array);
    expect(v!.length).toBe(64);
    expect(norm(v!)).toBeCloseTo(1, 5);
  });

  it('gives the same vector for the same text, in any instance and any batch', async () => {
    const a = hashingEmbedder();
    const b = hashingEmbedder();
    const [x] = await a.embed([turn40]);
    const [, y] = await b.embed(['something else first', turn40]);
    expect(Array.from(y!)).toEqual(Array.from(x!));
  });

  it('puts paraphrases closer than unrelated texts', async () => {
    const e = hashingEmbedder();
    const [anchor, near, inflected, far] = await e.embed([
      'I love eating sushi with my friends',
      'my friends and I love sushi',
      'I loved eating sushi',
      'the train to Munich leaves at noon',
    ]);
    expect(dot(anchor!, near!)).toBeGreaterThan(0.5);
    expect(dot(anchor!, inflected!)).toBeGreaterThan(0.5);
    expect(dot(anchor!, near!)).toBeGreaterThan(dot(anchor!, far!) + 0.3);
    expect(dot(anchor!, far!)).toBeLessThan(0.2);
  });

  it('tells "like" from "don\'t like" through bigrams', async () => {
    const e = hashingEmbedder();
    const [like, again, dislike] = await e.embed([
      'I like sushi',
      'I like sushi',
      "I don't like sushi",
    ]);
    expect(dot(like!, again!)).toBeCloseTo(1, 5);
    expect(dot(like!, dislike!)).toBeLessThan(0.95);
  });

  it('learns IDF from observe for queries, and never changes what embed returns', async () => {
    const e = hashingEmbedder();
    const stored = [
      'my cat is called Turing',
      'my favourite city is Lisbon',
      'my sister works as a nurse',
      'my dentist appointment is on Friday',
    ];
    const before = await e.embed(stored);
    const queryBefore = (await e.embedQuery(['my cat']))[0]!;
    // Many turns that all say "my": IDF learns that "my" tells nothing, "cat" a lot.
    e.observe([...stored, ...Array.from({ length: 50 }, (_, i) => `my day number ${i} was fine`)]);
    expect(e.observed).toBe(54);
    const after = await e.embed(stored);
    for (let i = 0; i < stored.length; i++)
      expect(Array.from(after[i]!)).toEqual(Array.from(before[i]!));
    const queryAfter = (await e.embedQuery(['my cat']))[0]!;
    expect(Array.from(queryAfter)).not.toEqual(Array.from(queryBefore));
    // The query for "my cat" now prefers the cat turn over the others by a wider margin.
    const margin = (q: Float32Array) =>
      dot(q, before[0]!) - Math.max(...before.slice(1).map((d) => dot(q, d)));
    expect(margin(queryAfter)).toBeGreaterThan(margin(queryBefore));
    expect(norm(queryAfter)).toBeCloseTo(1, 5);
  });

  it('before any observe, embedQuery equals embed (IDF is a constant)', async () => {
    const e = hashingEmbedder();
    const [a] = await e.embed([turn40]);
    const [b] = await e.embedQuery([turn40]);
    for (let i = 0; i < a!.length; i++) expect(b![i]).toBeCloseTo(a![i]!, 6);
  });

  it('maps empty, whitespace and punctuation-only text to one fixed unit vector', async () => {
    const e = hashingEmbedder();
    const [empty, blank, dots, real] = await e.embed(['', '  \n\t ', '?!...', 'hello']);
    expect(norm(empty!)).toBeCloseTo(1, 5);
    expect(Array.from(blank!)).toEqual(Array.from(empty!));
    expect(Array.from(dots!)).toEqual(Array.from(empty!));
    expect(Math.abs(dot(empty!, real!))).toBeLessThan(0.2);
    expect(await e.embed([])).toEqual([]);
  });

  it('embeds a 1 MB text whole, normalized, in well under a second', async () => {
    const e = hashingEmbedder();
    const big = (turn40 + ' ').repeat(Math.ceil(1_000_000 / (turn40.length + 1)));
    expect(big.length).toBeGreaterThanOrEqual(1_000_000);
    const t0 = performance.now();
    const [v] = await e.embed([big]);
    const ms = performance.now() - t0;
    expect(norm(v!)).toBeCloseTo(1, 4);
    const [one] = await e.embed([turn40]);
    // Sublinear TF and repetition: the repeated turn points the same way as the turn.
    expect(dot(v!, one!)).toBeGreaterThan(0.95);
    console.log(`hashing: 1 MB text embedded in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(3000);
  });

  it('embeds and observes a 40-word turn well under 1 ms', async () => {
    const e = hashingEmbedder();
    expect(turn40.split(/\s+/).length).toBe(40);
    for (let i = 0; i < 200; i++) {
      e.observe([turn40]);
      await e.embed([turn40]);
    }
    const runs = 1000;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) {
      e.observe([turn40]);
      await e.embed([turn40]);
    }
    const perTurn = (performance.now() - t0) / runs;
    console.log(`hashing: observe + embed of a 40-word turn: ${(perTurn * 1000).toFixed(0)} µs`);
    expect(perTurn).toBeLessThan(1);
  });

  it('rejects bad dims, non-string texts and aborted signals', async () => {
    expect(() => hashingEmbedder({ dim: 0 })).toThrow(MemoryError);
    expect(() => hashingEmbedder({ dim: 3.5 })).toThrow(/dim/);
    const e = hashingEmbedder();
    await expect(e.embed([42 as unknown as string])).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(() => e.observe('text' as unknown as string[])).toThrow(MemoryError);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(e.embed(['x'], controller.signal)).rejects.toThrow('stop');
  });
});
