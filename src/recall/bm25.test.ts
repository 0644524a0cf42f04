import { describe, expect, it } from 'vitest';
import { Bm25Index, terms } from './bm25.js';

describe('Bm25Index', () => {
  it('ranks by BM25: rare terms weigh more, shorter passages win ties, removal is exact', () => {
    const index = new Bm25Index();
    index.add('a', 'I live in Lisbon with my cats');
    index.add('b', 'The weather in Lisbon is sunny and the weather in Porto is rainy today');
    index.add('c', 'My cat Pixel likes tuna');
    expect(index.search('where do I live', 3).map((h) => h.id)).toEqual(['a']);
    expect(index.search('cat Lisbon', 3).map((h) => h.id)).toEqual(['a', 'c', 'b']);
    index.remove('a');
    expect(index.search('cat Lisbon', 3).map((h) => h.id)).toEqual(['c', 'b']);
    index.add('b', 'replaced text');
    expect(index.search('weather', 3)).toEqual([]);
    expect(index.size).toBe(2);
  });

  it('splits terms without stopwords, with a light plural stem', () => {
    expect(terms("My sister's cats like the trains")).toEqual(['sister', 'cat', 'like', 'train']);
  });
});
