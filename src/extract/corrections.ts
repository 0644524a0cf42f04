/**
 * Corrections: a sentence that says an earlier value was wrong or has changed, in the many ways
 * people say it ("my sister is called Ines, not Ana", "it's Rex not Max", "switched from cello
 * to viola", "traded in the Fiat for a Kia", "scratch that, we ended up in Ghent"). Extraction
 * marks its candidates with what they correct (`corrects`); the long-term tier finds the anchor
 * meant and supersedes it, even when the keys differ (anchors keyed by a name or an object).
 */
import type { AnchorCandidate } from './anchor.js';
import { leadingPhrase } from './clause.js';
import { normalizeValue, slug } from './text.js';

/** Words that say a statement fixes an earlier one ("sorry", "I meant", "scratch that"). */
export const EXPLICIT_CUE =
  /\b(?:actually|sorry|oops|whoops|wait|correction|I meant|I mean|mixed up|mix(?:ed)? (?:them|it|the names?) up|got (?:it|that|her name|his name|the name|their name|its name) wrong|wrong name|typo|misspoke|my bad|scratch that|autocorrect|renamed|turns out|in fact)\b/i;

/** Those, and words that say a value has changed since ("now", "anymore", "instead"). */
export const CORRECTION_CUE = new RegExp(
  `${EXPLICIT_CUE.source}|\\b(?:now|anymore|any more|instead|no longer|changed)\\b`,
  'i',
);

const WORD = "[\\p{L}][\\p{L}'-]*";
const PHRASE = `${WORD}(?: ${WORD}){0,2}?`;
const ARTICLE = '(?:(?:an?|the|my|our) )?';
const AUX =
  /\b(?:do|does|did|am|is|are|was|were|have|has|had|will|would|can|could|should|may|might|must|be|been)$/i;

/** What a sentence says was wrong (`old`) and, where it says so, what is right (`now`). */
export interface Correction {
  old: string;
  now?: string;
}

const FORMS: { re: RegExp; old: number; now?: number }[] = [
  // "switched from the cello to the viola", "moved from Porto to Lisbon"
  {
    re: new RegExp(
      `\\b(?:switched|changed|moved|went|converted|upgraded|downgraded) from ${ARTICLE}(${PHRASE}) to ${ARTICLE}(${PHRASE})(?=[,.;!?]|\\s+(?:now|instead|classes|lessons|last|this|in|a)\\b|$)`,
      'iu',
    ),
    old: 1,
    now: 2,
  },
  // "traded in the Fiat for a Kia"
  {
    re: new RegExp(
      `\\btraded (?:in )?${ARTICLE}(${PHRASE}) for ${ARTICLE}(${PHRASE})(?=[,.;!?]|\\s|$)`,
      'iu',
    ),
    old: 1,
    now: 2,
  },
  // "I'm not allergic to shrimp, it's cashews"
  {
    re: new RegExp(
      `\\bnot (?:\\w+ ){0,2}(?:to|in|at|from|of|an?|the) (${PHRASE}),\\s*(?:it|that|they) (?:is|are|was) (?:actually |really )?${ARTICLE}(${PHRASE})(?=[,.;!?]|\\s|$)`,
      'iu',
    ),
    old: 1,
    now: 2,
  },
  // "gave up the cello", "left Globex", "I'm over curry", "I don't do knitting anymore"
  {
    re: new RegExp(
      `\\b(?:gave up(?: on)?|give up(?: on)?|quit|dropped|ditched|left|got rid of|sold|am over|am done with|no longer (?:do|play|drive|eat|learn|study)|do not (?:really )?(?:do|play|drive|eat|learn|study)) ${ARTICLE}(${PHRASE})(?=[,.;!?]|\\s+(?:anymore|any more|for|and|last|this)\\b|$)`,
      'iu',
    ),
    old: 1,
  },
];

/**
 * Finds a correction in an expanded sentence.
 *
 * @example
 * correctionIn('the allergist says it is cashews, not shrimp'); // { old: 'shrimp', now: 'cashews' }
 */
export function correctionIn(sentence: string): Correction | undefined {
  for (const form of FORMS) {
    const m = form.re.exec(sentence);
    if (!m) continue;
    const old = leadingPhrase(m[form.old]!, 3);
    const now = form.now ? leadingPhrase(m[form.now]!, 3) : nowIn(sentence);
    if (old && !/^(?:it|that|this|them|job|jobs|work|it all)$/i.test(old))
      return { old, ...(now ? { now } : {}) };
  }
  return notForm(sentence);
}

const NOT_A_VALUE =
  /^(?:sure|really|much|bad|yet|now|anymore|exactly|quite|always|only|just|so|too|very|that|this|it|one|me|you|him|her|them|us|everyone|everything|anything|all|even|enough|here|there|again|today|yesterday|tomorrow|at all)\b/i;

/**
 * "X, not Y", "it is X not Y": Y after a "not" that no auxiliary verb governs ("I do not…" is
 * no correction). X is read after the word that introduces it ("is", "meant", "called", "in"…),
 * and only kept where the sentence reads as a correction ("it is X", "I meant X", or a cue).
 */
function notForm(sentence: string): Correction | undefined {
  const re = new RegExp(`(?:,\\s*|\\s)not ${ARTICLE}(${PHRASE})\\s*(?=[,.;!?]|$)`, 'giu');
  for (const m of sentence.matchAll(re)) {
    const before = sentence.slice(0, m.index).replace(/,\s*$/, '').trim();
    if (AUX.test(before)) continue;
    const old = leadingPhrase(m[1]!, 3);
    if (!old || NOT_A_VALUE.test(old)) continue;
    // The last introducing word before the "not": "is called Ines" → "Ines".
    const x = new RegExp(
      `^.*\\b(it is|that is|meant|mean|is|am|are|called|named|me|in|to|at|from)\\s+${ARTICLE}(${PHRASE})$`,
      'iu',
    ).exec(before);
    const introduced = /\b(?:it is|that is|meant|mean)\s+\S+(?: \S+){0,2}$/i.test(before);
    const sure = x && (introduced || CORRECTION_CUE.test(sentence));
    const now = sure ? leadingPhrase(x[2]!, 3) : '';
    return { old, ...(now ? { now } : {}) };
  }
  return undefined;
}

/** The new value of "doing Japanese now", "I'm at Brightline now", "into pottery instead". */
function nowIn(sentence: string): string | undefined {
  const m = new RegExp(
    `\\b(?:doing|into|on|at|learning|studying|playing|driving|with|for|drive|play|do) ${ARTICLE}(${PHRASE}) (?:now|instead|these days)\\b`,
    'iu',
  ).exec(sentence);
  return m ? leadingPhrase(m[1]!, 3) : undefined;
}

/** The key prefix a candidate's corrections live under: "user.sister.ana" → "user.sister". */
export function familyOf(key: string): string {
  if (key.startsWith('entity:')) return 'entity';
  const parts = key.split('.');
  return parts.length > 2 ? parts.slice(0, -1).join('.') : key;
}

/**
 * Marks a sentence's candidates with the correction it states: each candidate (entities too)
 * learns the old value, so the tier can find what it replaces; when no candidate carries the
 * new value, a rewrite candidate comes first, to rewrite whichever anchor holds the old one.
 */
export function withCorrections(sentence: string, found: AnchorCandidate[]): AnchorCandidate[] {
  const correction = correctionIn(sentence);
  if (!correction) return found;
  const old = normalizeValue(correction.old);
  const now = correction.now ? normalizeValue(correction.now) : undefined;
  if (!old || old === now) return found;
  const marked = found.map((c): AnchorCandidate => {
    if (c.value === old || c.key.endsWith(`.${slug(old, 3)}`) || c.key === `entity:${old}`)
      return c;
    return {
      ...c,
      corrects: { ...c.corrects, under: c.corrects?.under ?? familyOf(c.key), value: old },
    };
  });
  const carried = now && found.some((c) => c.value === now || c.key === `entity:${now}`);
  if (!now || carried) return marked;
  const said = correction.now!;
  const rewrite: AnchorCandidate = {
    kind: 'fact',
    key: `user.correction.${slug(old, 3)}`,
    value: now,
    text: `The user corrected ${correction.old} to ${said}.`,
    confidence: 0.7,
    corrects: { under: 'user', value: old, rewrite: said },
  };
  return [rewrite, ...marked];
}
