/** Seeded test data: the same vectors in Node, in the browser and in the benchmark. */

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box-Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** `n` isotropic random vectors of length `dim`, in one flat array. */
export function isotropic(n: number, dim: number, seed: number): Float32Array {
  const rand = random(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = gaussian(rand);
  return out;
}

/**
 * `n` vectors shaped like real sentence embeddings: a low-rank (`rank`) mixture around
 * `clusters` centres plus small isotropic noise, so neighbours are close and scores crowd.
 */
export function clustered(
  n: number,
  dim: number,
  seed: number,
  { clusters = 64, rank = 32, noise = 0.15 } = {},
): Float32Array {
  const rand = random(seed);
  const basis = Float32Array.from({ length: rank * dim }, () => gaussian(rand));
  const centres = Float32Array.from({ length: clusters * rank }, () => gaussian(rand));
  const out = new Float32Array(n * dim);
  const mix = new Float32Array(rank);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * clusters);
    for (let r = 0; r < rank; r++) mix[r] = centres[c * rank + r]! + 0.5 * gaussian(rand);
    for (let d = 0; d < dim; d++) {
      let x = 0;
      for (let r = 0; r < rank; r++) x += mix[r]! * basis[r * dim + d]!;
      out[i * dim + d] = x / Math.sqrt(rank) + noise * gaussian(rand);
    }
  }
  return out;
}

/** Row `i` of a flat array of `dim`-long vectors. */
export function row(data: Float32Array, i: number, dim: number): Float32Array {
  return data.subarray(i * dim, (i + 1) * dim);
}

/** Exact top-k ids by cosine (float64), ties by lower index: the ground truth. */
export function exactTopK(data: Float32Array, dim: number, query: ArrayLike<number>, k: number) {
  const n = data.length / dim;
  let qn = 0;
  for (let d = 0; d < dim; d++) qn += query[d]! * query[d]!;
  const scored = new Array<{ i: number; score: number }>(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    let vn = 0;
    for (let d = 0; d < dim; d++) {
      const x = data[i * dim + d]!;
      dot += query[d]! * x;
      vn += x * x;
    }
    scored[i] = { i, score: dot / Math.sqrt(qn * vn) };
  }
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.slice(0, k);
}
