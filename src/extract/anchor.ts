/** The long-term tier's unit of memory, as extraction proposes it. */

/** What an anchor is about. */
export type AnchorKind = 'entity' | 'preference' | 'intent' | 'fact';

/**
 * A candidate anchor found in one turn, before it is merged with what memory already holds.
 * `key` says what the anchor is about, so that a later candidate with the same key but a
 * different `value` supersedes it ("lives in" Paris → "lives in" Berlin), while the same
 * key and value restates it.
 */
export interface AnchorCandidate {
  kind: AnchorKind;
  /** Normalized subject and relation, e.g. "user.location", "user.name", "entity:Maria". */
  key: string;
  /** Normalized value, e.g. "berlin"; compared case-insensitively. */
  value: string;
  /** The sentence as a person would read it in a prompt, e.g. "The user lives in Berlin." */
  text: string;
  /** 0..1: how sure the extractor is. */
  confidence: number;
}
