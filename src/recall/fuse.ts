/**
 * Fusion and scoring: vector and BM25 rankings merged by reciprocal rank, then weighted by
 * recency and, for anchors, by strength and decay.
 */

/** Reciprocal rank fusion's constant (Cormack et al. 2009): flattens the head of each list. */
export const RRF_K = 60;

/** The parts of an item's score, as recall explains them. */
export interface ScoreParts {
  /** Cosine similarity to the query, when the vector search found the item. */
  vector?: number;
  /** BM25 score, when the lexical search found the item. */
  lexical?: number;
  /** Reciprocal rank fusion of both lists, scaled to 0..1. */
  fused: number;
  /** 0..1: how recent (1 = now). */
  recency: number;
  /** Anchors: 0..1, raised by restatements. */
  strength?: number;
  /** Anchors: 0..1 retention on the forgetting curve (1 when pinned). */
  decay?: number;
  /** Factor for a turn whose facts were all superseded since. */
  stale?: number;
  /** What ranks the item. */
  final: number;
}

/** The weights of scoring; instance options, with these defaults. */
export interface RecallWeights {
  /** How much recency adds to an item's score (default 0.2). */
  recency: number;
  /** Half-life of recency, in ms (default 3 days). */
  recencyHalfLifeMs: number;
  /** Share of an anchor's score that its strength × decay controls (default 0.5). */
  memory: number;
  /** Factor for turns whose facts were superseded (default 0.3). */
  stale: number;
}

export const DEFAULT_WEIGHTS: RecallWeights = {
  recency: 0.2,
  recencyHalfLifeMs: 3 * 24 * 3600 * 1000,
  memory: 0.5,
  stale: 0.3,
};

/** One ranked list's entry. */
export interface Ranked {
  id: string;
  score: number;
}

/** The fused candidates: id → the parts known so far (vector, lexical, fused). */
export function fuse(vector: readonly Ranked[], lexical: readonly Ranked[]) {
  const out = new Map<string, Pick<ScoreParts, 'vector' | 'lexical' | 'fused'>>();
  const best = 2 / (RRF_K + 1);
  vector.forEach((hit, rank) => {
    out.set(hit.id, { vector: hit.score, fused: 1 / (RRF_K + rank + 1) / best });
  });
  lexical.forEach((hit, rank) => {
    const part = out.get(hit.id) ?? { fused: 0 };
    part.lexical = hit.score;
    part.fused += 1 / (RRF_K + rank + 1) / best;
    out.set(hit.id, part);
  });
  return out;
}

/** What weighting needs to know of an item. */
export interface ItemFacts {
  at: number;
  /** Anchors only. */
  strength?: number;
  decay?: number;
  stale?: boolean;
}

/**
 * The final score: fused · (1 + w_r · recency) · memory factor · stale factor, where an
 * anchor's memory factor is (1 − w_m) + w_m · strength · decay and other items' is 1.
 */
export function weigh(
  parts: Pick<ScoreParts, 'vector' | 'lexical' | 'fused'>,
  facts: ItemFacts,
  now: number,
  w: RecallWeights,
): ScoreParts {
  const recency = 2 ** (-Math.max(0, now - facts.at) / w.recencyHalfLifeMs);
  let final = parts.fused * (1 + w.recency * recency);
  const out: ScoreParts = { ...parts, recency, final };
  if (facts.strength !== undefined && facts.decay !== undefined) {
    out.strength = facts.strength;
    out.decay = facts.decay;
    final *= 1 - w.memory + w.memory * facts.strength * facts.decay;
  }
  if (facts.stale) {
    out.stale = w.stale;
    final *= w.stale;
  }
  out.final = final;
  return out;
}
