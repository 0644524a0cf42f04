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
  /**
   * Set when the turn corrects something said before under another key: "Sorry, my sister is
   * called Ines, not Ana" (key `user.sister.ines`, `corrects: { under: 'user.sister', value:
   * 'ana' }`), "Actually my dog's name is Max" (`{ under: 'user.pet.dog' }`). The long-term tier
   * supersedes the current anchor under that key prefix whose value (or last key part) is
   * `value`, else the most recently seen one there.
   */
  corrects?: AnchorCorrection;
}

/** What a correcting candidate corrects; see {@link AnchorCandidate.corrects}. */
export interface AnchorCorrection {
  /** Key prefix of the anchors it may correct, e.g. "user.sister", "user", "entity". */
  under: string;
  /** The value said to be wrong, normalized ("not Ana" → "ana"), when the turn names it. */
  value?: string;
  /**
   * The new value as the user wrote it ("Rex"), for a candidate that says only what changed
   * ("it's Rex, not Max"): the anchor it corrects is rewritten with it (key, value and text)
   * and supersedes it. When no anchor matches, the candidate is kept as it is.
   */
  rewrite?: string;
}
