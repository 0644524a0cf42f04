/**
 * How the offline responder judges whether a recalled memory answers the question. Recall
 * gives every profile anchor a little score (a profile is relevant to anything, a little) and
 * the recent window no score at all, so a reply that said everything recalled would bury the
 * answer: the responder keeps what shares words with the question, its own words counting
 * double those it implies ("Where do I live?" implies a home city).
 */
import words from './offline-words.json';

const STOP = new Set(words.stop);
const TOPICS = words.topics.map((topic) => ({
  when: new Set(topic.when),
  about: topic.about.map(stem),
  says: 'says' in topic && typeof topic.says === 'string' ? new RegExp(topic.says) : undefined,
}));
/** Stems of every topic word: a question made only of these asks about a kind of fact. */
const TOPIC_WORDS = new Set(words.topics.flatMap(({ when }) => when.map(stem)));

/**
 * A word's stem, close enough to meet its other forms: "lives", "living" and "live" all
 * become "liv"; "baked" and "bake" become "bak".
 *
 * @example
 * stem('Seats'); // 'seat'
 */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, '');
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** The words of a text, lowercased, contractions opened ("I'm" → "i", "am"). */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? []).flatMap((w) =>
    w
      .replace(/^(what|who|where|when|how|it|that|there|here|he|she)['’]s$/, '$1 is')
      .replace(/['’](m|re|ve|ll|d|t)$/, ' $1')
      .split(' '),
  );
}

/** The stems of a text's content words. */
export function terms(text: string): Set<string> {
  return new Set(
    wordsOf(text)
      .filter((w) => !STOP.has(w) && w.length > 1)
      .map(stem),
  );
}

/** What a question is about: its own content words, and the words they imply. */
export interface QuestionTerms {
  /** Stems of the question's own content words (weight 2). */
  readonly own: ReadonlySet<string>;
  /** Stems implied by its topic words, not said (weight 1). */
  readonly implied: ReadonlySet<string>;
  /**
   * Whether it names something besides a kind of fact ("seat" in "What seat do I like?"):
   * then only what meets one of its own words answers it.
   */
  readonly specific: boolean;
  /** How a turn states the kind of fact asked about ("I'm Maria" for a name). */
  readonly says: readonly RegExp[];
}

/**
 * Reads a question's terms.
 *
 * @example
 * questionTerms('Where do I live?'); // own: {liv}, implied: {hom, city, mov}, specific: false
 */
export function questionTerms(question: string): QuestionTerms {
  const raw = new Set(wordsOf(question));
  const own = terms(question);
  // "my sister's name" asks about the sister, not about the user's own name.
  if (/\b\w+['’]s name\b|\bname of\b/i.test(question)) {
    own.delete(stem('name'));
    raw.delete('name');
  }
  const implied = new Set<string>();
  const says: RegExp[] = [];
  for (const topic of TOPICS) {
    if (![...raw].some((w) => topic.when.has(w))) continue;
    for (const t of topic.about) if (!own.has(t)) implied.add(t);
    if (topic.says) says.push(topic.says);
  }
  const specific = [...own].some((t) => !TOPIC_WORDS.has(t));
  return { own, implied, specific, says };
}

/**
 * How well `text` answers a question with these terms: 2 per own word met, 1 per implied
 * word, 2 when it states the kind of fact asked about, and `bonus` (the lexical search found
 * it) on top of any match; 0 for a specific question none of whose own words it meets.
 * Words of `hint` (an anchor's retrieval gloss, "home city") count as implied only.
 *
 * @example
 * relevance(questionTerms('Where do I live?'), 'I live in Lisbon.'); // 2 (own) + 2 (states it)
 */
export function relevance(question: QuestionTerms, text: string, bonus = 0, hint = ''): number {
  let score = 0;
  let ownMet = false;
  for (const t of terms(text)) {
    if (question.own.has(t)) {
      score += 2;
      ownMet = true;
    } else if (question.implied.has(t)) score += 1;
  }
  for (const t of terms(hint)) if (question.own.has(t) || question.implied.has(t)) score += 1;
  if (question.says.some((re) => re.test(text))) score += 2;
  if (question.specific && !ownMet) return 0;
  return score > 0 ? score + bonus : 0;
}
