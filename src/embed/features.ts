/**
 * Text features for the hashing embedder: folding, words, a light stemmer, and a 32-bit hash
 * that runs over string ranges so that character n-grams cost no substring allocation.
 */
import stopwordTable from './stopwords.json';

/** Feature families, each hashed with its own seed so that "ing" the word and "ing" the n-gram differ. */
export const SEED_WORD = 0x9747b28c;
export const SEED_BIGRAM = 0x85ebca6b;
export const SEED_CHARS = 0xc2b2ae35;

const stopwords = new Set(stopwordTable.words);

/** Unigram weight of a folded word before any IDF: function words count for little. */
export function priorWeight(word: string): number {
  return stopwords.has(word) ? stopwordTable.weight : 1;
}

/**
 * Lowercase, accents folded (NFKD, combining marks dropped), possessive "'s" dropped and inner
 * apostrophes removed ("don't" → "dont"), then runs of letters and digits in any script.
 *
 * @example
 * foldedWords("Café's crème brûlée, don't!"); // ["cafe", "creme", "brulee", "dont"]
 */
export function foldedWords(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/['’]/g, '');
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

const doubled = /([^aeiouylsz])\1$/;

/**
 * A deliberately small English stemmer (plurals, -ing, -ed, final e) so that "loved", "loves",
 * "loving" and "love" share a feature; character n-grams catch what it misses. Not Porter:
 * it must stay cheap and predictable, and over-stemming here only merges near-synonyms.
 *
 * @example
 * stem("running"); // "run"
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = undouble(w.slice(0, -3));
  else if (w.length > 4 && w.endsWith('ed')) w = undouble(w.slice(0, -2));
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return doubled.test(w) ? w.slice(0, -1) : w;
}

/**
 * Mixes the UTF-16 code units of `s[start..end)` into `h` (the MurmurHash3 body, one code unit
 * per round). Chain calls to hash a concatenation without building it; finish with `fmix32`.
 */
export function mixRange(h: number, s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return h;
}

/** MurmurHash3's finalizer: every input bit reaches every output bit. Returns an unsigned int. */
export function fmix32(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a whole string under `seed`. */
export function hashString(s: string, seed: number): number {
  return fmix32(mixRange(seed, s, 0, s.length), s.length);
}

/** Character n-gram lengths, within one word padded with boundary marks. */
export const NGRAM_MIN = 3;
export const NGRAM_MAX = 5;

/**
 * Calls `visit(hash, weight)` once per feature occurrence of `text`: stemmed word unigrams
 * (weight 1, or the stopword weight), adjacent stemmed bigrams, and character 3–5-grams of
 * each folded word padded as "<word>". Weights are per family, before TF and IDF.
 */
export function visitFeatures(text: string, visit: (hash: number, weight: number) => void): void {
  const words = foldedWords(text);
  let previous = '';
  let previousPrior = 0;
  for (const word of words) {
    const stemmed = stem(word);
    const prior = priorWeight(word);
    visit(hashString(stemmed, SEED_WORD), prior);
    if (previous) {
      let h = mixRange(SEED_BIGRAM, previous, 0, previous.length);
      h = mixRange(h, ' ', 0, 1);
      h = mixRange(h, stemmed, 0, stemmed.length);
      // Two function words in a row ("of the") say little; one content word is enough.
      visit(
        fmix32(h, previous.length + 1 + stemmed.length),
        BIGRAM_WEIGHT * Math.max(prior, previousPrior),
      );
    }
    previous = stemmed;
    previousPrior = prior;
    const padded = `<${word}>`;
    const charWeight = CHAR_WEIGHT * prior;
    for (let n = NGRAM_MIN; n <= NGRAM_MAX; n++) {
      for (let i = 0; i + n <= padded.length; i++) {
        visit(fmix32(mixRange(SEED_CHARS, padded, i, i + n), n), charWeight);
      }
    }
  }
}

/** Family weights, tuned so that a word's dozen n-grams weigh about as much as the word. */
export const BIGRAM_WEIGHT = 0.7;
export const CHAR_WEIGHT = 0.25;
