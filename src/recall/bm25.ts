/**
 * Lexical ranking: Okapi BM25 over one session's passages.
 *
 * Our own rather than MiniSearch (measured in `bench/quality/lexical.ts`): one index per
 * session makes the session filter structural and keeps another session's words out of the
 * IDF statistics; documents are removed by id without handing the original text back; and it
 * is ~120 lines against a dependency, while ranking the same documents first.
 */

/** Words too common to tell passages apart. */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his ' +
    'how i if in into is it its just me my of on or our she so than that the their them then ' +
    'there they this to was we were what when where which who why will with would you your'
  ).split(' '),
);

/** Splits text into the terms both documents and queries are indexed by. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu)) {
    let word = match[0].replace(/'s$/, '');
    if (STOPWORDS.has(word)) continue;
    // A light stem: plural and third-person "s" only, so "cats" meets "cat", "likes" "like".
    if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) word = word.slice(0, -1);
    out.push(word);
  }
  return out;
}

/** One ranked passage: its id and BM25 score. */
export interface LexicalHit {
  id: string;
  score: number;
}

const K1 = 1.2;
const B = 0.75;

/** One term's documents (ordinals) and frequencies, removed ones skipped until rebuilt. */
interface Posting {
  docs: number[];
  tfs: number[];
  live: number;
}

/**
 * An inverted index with BM25 scoring. Documents are numbered so that scoring runs over
 * plain arrays (100k passages: a few ms a query).
 *
 * @example
 * const lexical = new Bm25Index();
 * lexical.add('t1', 'I live in Lisbon');
 * lexical.search('where do I live', 5); // [{ id: 't1', score: ... }]
 */
export class Bm25Index {
  private readonly postings = new Map<string, Posting>();
  private readonly ordOf = new Map<string, number>();
  private ids: (string | undefined)[] = [];
  private lengths: number[] = [];
  private termsOf: (string[] | undefined)[] = [];
  private scores = new Float64Array(1024);
  private totalLength = 0;

  /** Passages indexed. */
  get size(): number {
    return this.ordOf.size;
  }

  /** Indexes a passage; an id already present is replaced. */
  add(id: string, text: string): void {
    this.remove(id);
    const words = terms(text);
    const counts = new Map<string, number>();
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    const ord = this.ids.length;
    for (const [word, tf] of counts) {
      let posting = this.postings.get(word);
      if (!posting) this.postings.set(word, (posting = { docs: [], tfs: [], live: 0 }));
      posting.docs.push(ord);
      posting.tfs.push(tf);
      posting.live++;
    }
    this.ordOf.set(id, ord);
    this.ids.push(id);
    this.lengths.push(words.length);
    this.termsOf.push([...counts.keys()]);
    this.totalLength += words.length;
  }

  /** Removes a passage; unknown ids are ignored. */
  remove(id: string): void {
    const ord = this.ordOf.get(id);
    if (ord === undefined) return;
    for (const word of this.termsOf[ord]!) {
      const posting = this.postings.get(word)!;
      if (--posting.live === 0) this.postings.delete(word);
    }
    this.totalLength -= this.lengths[ord]!;
    this.ordOf.delete(id);
    this.ids[ord] = undefined;
    this.termsOf[ord] = undefined;
  }

  /** The best `k` passages for `query`, highest score first. */
  search(query: string, k: number): LexicalHit[] {
    const n = this.ordOf.size;
    if (n === 0 || k < 1) return [];
    if (this.scores.length < this.ids.length) this.scores = new Float64Array(this.ids.length * 2);
    const average = this.totalLength / n || 1;
    const touched: number[] = [];
    for (const word of new Set(terms(query))) {
      const posting = this.postings.get(word);
      if (posting) this.score(posting, n, average, touched);
    }
    const best = topK(touched, this.scores, k);
    for (const ord of touched) this.scores[ord] = 0;
    return best.map(({ ord, score }) => ({ id: this.ids[ord]!, score }));
  }

  private score(posting: Posting, n: number, average: number, touched: number[]): void {
    if (posting.live * 2 < posting.docs.length) this.prune(posting);
    const idf = Math.log(1 + (n - posting.live + 0.5) / (posting.live + 0.5));
    const { docs, tfs } = posting;
    for (let i = 0; i < docs.length; i++) {
      const ord = docs[i]!;
      if (this.ids[ord] === undefined) continue;
      const tf = tfs[i]!;
      const norm = K1 * (1 - B + (B * this.lengths[ord]!) / average);
      if (this.scores[ord] === 0) touched.push(ord);
      this.scores[ord]! += (idf * tf * (K1 + 1)) / (tf + norm);
    }
  }

  /** Drops removed documents from a posting once they are the majority. */
  private prune(posting: Posting): void {
    const keep = posting.docs.flatMap((ord, i) => (this.ids[ord] === undefined ? [] : [i]));
    posting.docs = keep.map((i) => posting.docs[i]!);
    posting.tfs = keep.map((i) => posting.tfs[i]!);
  }
}

interface ScoredOrd {
  ord: number;
  score: number;
}

/** The `k` best of `ords` by score, best first; ties keep the earlier document first. */
function topK(ords: readonly number[], scores: Float64Array, k: number): ScoredOrd[] {
  const best: ScoredOrd[] = [];
  for (const ord of ords) {
    const score = scores[ord]!;
    if (best.length === k && !beats(score, ord, best[k - 1]!)) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && beats(score, ord, best[at - 1]!)) at--;
    best.splice(at, 0, { ord, score });
    if (best.length > k) best.pop();
  }
  return best;
}

function beats(score: number, ord: number, other: ScoredOrd): boolean {
  return score > other.score || (score === other.score && ord < other.ord);
}
