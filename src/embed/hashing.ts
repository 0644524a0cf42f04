/**
 * The embedder that needs no download: signed feature hashing of words, word bigrams and
 * character n-grams, sublinear TF, and IDF learned from what the memory has seen.
 *
 * Why IDF weights only queries: the contract (embedder.ts) says `observe` must not change the
 * vectors of texts already embedded under an id. IDF that moves with every observed turn would
 * break that, and freezing it per version would force a re-embed of the whole memory at every
 * version. So `embed` (what gets stored) uses fixed weights only — family weights and a small
 * stopword prior, nothing learned — and is a pure function of (text, dim, version): stable
 * forever, across reloads, with nothing to persist. `embedQuery` multiplies each query feature
 * by its current IDF, `ln(1 + (N − df + 0.5) / (df + 0.5))` over the N texts observed (BM25's
 * smoothing: always positive, and a constant ln 2 before anything is observed). A cosine of an
 * IDF-weighted query with a TF document is the classic one-sided TF-IDF score (BM25 also weighs
 * by IDF once, on the query side), and stored vectors stay comparable with each other.
 */
import { check } from '../errors.js';
import type { Embedder } from './embedder.js';
import { SEED_WORD, hashString, visitFeatures } from './features.js';

/** Bumped whenever a change to features, hashing or weights changes stored vectors. */
export const HASHING_VERSION = 1;

/** Options of {@link hashingEmbedder}. */
export interface HashingEmbedderOptions {
  /** Vector length; 384 matches small sentence models. An integer in 16..16384. */
  dim?: number;
}

/** The hashing embedder: an {@link Embedder} with `observe` and `embedQuery`. */
export interface HashingEmbedder extends Embedder {
  observe(texts: readonly string[]): void;
  embedQuery(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** How many texts `observe` has seen (N in the IDF). */
  readonly observed: number;
}

// Document frequencies are counted per hashed feature in a table much larger than `dim`, so
// that IDF is about a feature, not about the crowd that shares its vector slot. 2^18 counters
// are 1 MiB, per embedder instance.
const DF_BITS = 18;
const DF_MASK = (1 << DF_BITS) - 1;

// Texts with no word at all (empty, whitespace, punctuation) map to this one feature: a fixed
// unit vector that the index accepts (it refuses all-zero vectors) and that only matches other
// empty texts.
const EMPTY_FEATURE = hashString('\u0000empty', SEED_WORD);

/**
 * Creates a hashing embedder. Observing and embedding a 40-word turn takes about 70 µs in Node
 * on one shared server core, a 1 MB text about 160 ms (hashing.test.ts measures both).
 *
 * @example
 * const embedder = hashingEmbedder({ dim: 384 });
 * embedder.observe(['I live in Lisbon', 'My cat is called Turing']);
 * const [stored] = await embedder.embed(['I live in Lisbon']);
 * const [query] = await embedder.embedQuery(['where do I live?']);
 */
export function hashingEmbedder(options: HashingEmbedderOptions = {}): HashingEmbedder {
  const dim = options.dim ?? 384;
  check(
    Number.isInteger(dim) && dim >= 16 && dim <= 16384,
    `dim must be an integer in 16..16384, got ${dim}`,
  );
  const counts = new FeatureCounts();
  const df = new Uint32Array(1 << DF_BITS);
  let observed = 0;

  const vectorOf = (text: string, withIdf: boolean): Float32Array => {
    counts.countText(text);
    const out = new Float32Array(dim);
    const idfScale = observed + 0.5;
    for (let s = 0; s < counts.size; s++) {
      const slot = counts.used[s]!;
      const hash = counts.keys[slot]!;
      let w = counts.weights[slot]! * (1 + Math.log(counts.counts[slot]!));
      if (withIdf) {
        const d = df[hash & DF_MASK]!;
        w *= Math.log(1 + (idfScale - d) / (d + 0.5));
      }
      const index = (hash & 0x7fffffff) % dim;
      out[index]! += hash >>> 31 ? -w : w;
    }
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += out[i]! * out[i]!;
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < dim; i++) out[i]! *= inv;
    }
    return out;
  };

  const run = async (
    texts: readonly string[],
    signal: AbortSignal | undefined,
    withIdf: boolean,
  ) => {
    checkTexts(texts);
    signal?.throwIfAborted();
    return texts.map((t) => vectorOf(t, withIdf));
  };

  return {
    id: `hashing-v${HASHING_VERSION}-d${dim}`,
    dim,
    get observed() {
      return observed;
    },
    embed: (texts, signal) => run(texts, signal, false),
    embedQuery: (texts, signal) => run(texts, signal, true),
    observe(texts) {
      checkTexts(texts);
      for (const text of texts) {
        counts.countText(text);
        // Each distinct feature counts once per text: that is what document frequency means.
        for (let s = 0; s < counts.size; s++) {
          const i = counts.keys[counts.used[s]!]! & DF_MASK;
          if (df[i]! < 0xffffffff) df[i]! += 1;
        }
        observed++;
      }
    },
  };
}

function checkTexts(texts: readonly string[]): void {
  check(Array.isArray(texts), 'texts must be an array of strings');
  for (let i = 0; i < texts.length; i++) {
    check(typeof texts[i] === 'string', `texts[${i}] must be a string, got ${typeof texts[i]}`);
  }
}

/**
 * Per-text feature counts in an open-addressing table reused between calls, so that embedding
 * allocates only the output vector. Keys are full 32-bit feature hashes; slot 0 of `used` order
 * is insertion order, which keeps the float sums deterministic.
 */
class FeatureCounts {
  keys = new Uint32Array(1024);
  counts = new Float32Array(1024);
  weights = new Float32Array(1024);
  occupied = new Uint8Array(1024);
  used = new Int32Array(1024);
  size = 0;

  countText(text: string): void {
    this.clear();
    visitFeatures(text, (hash, weight) => this.add(hash, weight));
    if (this.size === 0) this.add(EMPTY_FEATURE, 1);
  }

  private clear(): void {
    for (let s = 0; s < this.size; s++) this.occupied[this.used[s]!] = 0;
    this.size = 0;
  }

  private add(hash: number, weight: number): void {
    if (this.size * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let slot = hash & mask;
    while (this.occupied[slot]) {
      if (this.keys[slot] === hash) {
        this.counts[slot]! += 1;
        return;
      }
      slot = (slot + 1) & mask;
    }
    this.occupied[slot] = 1;
    this.keys[slot] = hash;
    this.counts[slot] = 1;
    this.weights[slot] = weight;
    this.used[this.size++] = slot;
  }

  private grow(): void {
    const old = {
      keys: this.keys,
      counts: this.counts,
      weights: this.weights,
      used: this.used,
      size: this.size,
    };
    const capacity = this.keys.length * 2;
    this.keys = new Uint32Array(capacity);
    this.counts = new Float32Array(capacity);
    this.weights = new Float32Array(capacity);
    this.occupied = new Uint8Array(capacity);
    this.used = new Int32Array(capacity);
    this.size = 0;
    const mask = capacity - 1;
    for (let s = 0; s < old.size; s++) {
      const from = old.used[s]!;
      let slot = old.keys[from]! & mask;
      while (this.occupied[slot]) slot = (slot + 1) & mask;
      this.occupied[slot] = 1;
      this.keys[slot] = old.keys[from]!;
      this.counts[slot] = old.counts[from]!;
      this.weights[slot] = old.weights[from]!;
      this.used[this.size++] = slot;
    }
  }
}
