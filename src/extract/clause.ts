/**
 * Turns a sentence into first-person clauses ready for the patterns: contractions expanded,
 * opening fillers dropped, questions and hypotheticals recognized (they state no fact).
 */

const FILLERS =
  /^(?:(?:actually|well|oh|ok|okay|so|also|and|but|btw|by the way|anyway|now|hey|hi|hello|yeah|yes|no|um|uh|fyi|just so you know|for the record|update|oh and|and also)\b[,:!.-]?\s*)+/i;

/**
 * Expands the contractions the patterns care about ("I'm" → "I am", "don't" → "do not"),
 * straightens quotes and collapses spaces; letter case is kept, names need it.
 */
export function expandContractions(text: string): string {
  return text
    .replace(/[’‘]/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/\bI'm\b/gi, 'I am')
    .replace(/\bI've\b/gi, 'I have')
    .replace(/\bI'll\b/gi, 'I will')
    .replace(/\bI'd\b/gi, 'I would')
    .replace(/\bmy name's\b/gi, 'my name is')
    .replace(/\bcan't\b/gi, 'cannot')
    .replace(/\bwon't\b/gi, 'will not')
    .replace(/\b(\w+)n't\b/gi, '$1 not')
    .replace(/\bim\b/g, 'I am')
    .replace(/\bi\b/g, 'I')
    .trim();
}

/**
 * Splits an expanded sentence where a new first-person clause starts ("I live in Lisbon and I
 * work as a nurse"), and drops opening fillers ("Actually, I moved to Berlin").
 */
export function clausesOf(sentence: string): string[] {
  return sentence
    .split(
      /(?:[,;]\s*|\s+)(?:and|but|so|though|although|while|because)\s+(?=(?:I|my)\b)|;\s*|\s+-\s+/,
    )
    .map((c) => c.replace(FILLERS, '').trim())
    .filter((c) => c.length > 0);
}

const QUESTION_START =
  /^(?:do|does|did|are|is|was|were|am|have|has|had|can|could|would|will|should|shall|may|might|what|where|when|who|whom|whose|which|why|how)\b/i;

/** Polite requests phrased as questions are instructions, not questions ("Can you always…"). */
const REQUEST =
  /^(?:can|could|would|will) you (?:please |kindly )?(?:always|never|from now on|stop|keep|answer|reply|respond|write|use|speak|talk|call me)\b/i;

/** A question states no fact about the user ("Do you think I live in Paris?"). */
export function isQuestion(sentence: string): boolean {
  const s = sentence.replace(FILLERS, '').trim();
  if (REQUEST.test(s)) return false;
  return /\?\s*["')\]]*$/.test(s) || QUESTION_START.test(s);
}

/** A request phrased as a question, rewritten as the imperative it means. */
export function requestAsImperative(sentence: string): string | undefined {
  const s = sentence.replace(FILLERS, '').trim();
  if (!REQUEST.test(s)) return undefined;
  return s.replace(/^(?:can|could|would|will) you (?:please |kindly )?/i, '').replace(/\?\s*$/, '');
}

const HYPOTHETICAL =
  /\b(?:if|wish|imagine|imagining|suppose|supposing|pretend|hypothetically|whether|unless|in case|dream(?:ed|t)? (?:of|about)|someone|somebody|a friend of mine said|they say)\b|\b(?:would|could|might)\b(?! (?:like|love|prefer|rather)\b)/i;

/** "If I lived in Paris…", "I wish I were a pilot", "I might move": not facts about the user. */
export function isHypothetical(clause: string): boolean {
  return HYPOTHETICAL.test(clause);
}

/** True when `word` starts with a capital letter (names are written so). */
export function isCapitalized(word: string): boolean {
  const first = word.charAt(0);
  return first !== first.toLowerCase() && first === first.toUpperCase();
}

const BOUNDARY = new Set(
  (
    'for since with and but because now last next this these that in at on when where which who ' +
    'to so right currently anymore too as from by until after before then while though or ' +
    'already still today tomorrow yesterday tonight soon recently again either ever every instead ' +
    'daily weekly'
  ).split(' '),
);

/**
 * The phrase at the start of `rest` that names one thing: a run of capitalized words when it
 * starts capitalized ("New York City with my wife" → "New York City"), else words up to a
 * boundary word or punctuation, at most `max` words.
 */
export function leadingPhrase(rest: string, max = 4): string {
  const words = rest.split(/\s+/);
  const out: string[] = [];
  const capitalRun = isCapitalized(words[0] === 'the' ? (words[1] ?? '') : (words[0] ?? ''));
  for (const raw of words) {
    // "St. Mary's", "Dr. Smith": an abbreviation's dot does not end the phrase.
    const abbreviation = /^(?:St|Dr|Mt|Mr|Mrs|Ms|Jr|Sr|Ft)\.$/.test(raw);
    const word = abbreviation ? raw : raw.replace(/[.,;:!?)"]+$/, '');
    const cut = word !== raw;
    const lower = word.toLowerCase();
    if (
      !word ||
      (out.length > 0 && BOUNDARY.has(lower)) ||
      (out.length === 0 && BOUNDARY.has(lower) && lower !== 'the')
    )
      break;
    if (
      capitalRun &&
      out.length > 0 &&
      !isCapitalized(word) &&
      !['de', 'da', 'do', 'del', 'of', 'upon', 'am', 'sur', 'la', 'le'].includes(lower)
    )
      break;
    out.push(word);
    if (cut || out.length >= max) break;
  }
  return out.join(' ');
}
