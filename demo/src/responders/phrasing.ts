/**
 * How the offline responder says back what memory holds. Recall's lines are written for a
 * model to read ("[2025-01-06 09:01] The user lives in Lisbon (home city).", "[…] Maria
 * (user): I baked a cake."); a person wants "You told me you live in Lisbon." and
 * "On 6 January 2025 you said: “I baked a cake.”".
 */
import lexicon from '../../../src/extract/lexicon.json';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The retrieval hints extraction appends to anchors ("(home city)"): not for a person. */
const GLOSSES = new Set(Object.values(lexicon.relationGlosses));

/**
 * A day as a person says it, in UTC like recall's own dates.
 *
 * @example
 * spokenDate(Date.UTC(2025, 0, 6)); // '6 January 2025'
 */
export function spokenDate(at: number): string {
  const d = new Date(at);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** A recall line without its "[2025-01-06 09:01] " date. */
export function withoutDate(text: string): string {
  return text.replace(/^\[[^\]]*\]\s*/, '');
}

/** An anchor's sentence without its retrieval hint (returned apart) and superseded mark. */
export function anchorSentence(text: string): {
  sentence: string;
  gloss: string;
  superseded: boolean;
} {
  let s = withoutDate(text).trim();
  const superseded = / \(superseded\)$/.test(s);
  if (superseded) s = s.replace(/ \(superseded\)$/, '');
  let hint = '';
  s = s.replace(/ \(([^()]+)\)([.!]?)$/, (all, gloss: string, end: string) => {
    if (!GLOSSES.has(gloss)) return all;
    hint = gloss;
    return end;
  });
  return { sentence: s, gloss: hint, superseded };
}

const IRREGULAR: Record<string, string> = { is: 'are', was: 'were', has: 'have', does: 'do' };
const LIKING =
  /^(?:likes|loves|prefers|enjoys|adores|hates|dislikes|detests|loathes|avoids|does not|is into|is not keen|is a fan|cannot stand)\b/;
const PLANNING = /^(?:plans|is planning|wants|intends|postponed|cancelled|canceled|is going)\b/;

/** "lives in Lisbon" → "live in Lisbon": the verb after "The user", said to "you". */
function toSecondPerson(rest: string): string {
  const [verb = '', ...tail] = rest.split(' ');
  let said = IRREGULAR[verb];
  if (!said) {
    if (/(?:ss|sh|ch|x|z|o)es$/.test(verb)) said = verb.slice(0, -2);
    else if (/[^aeiou]ies$/.test(verb)) said = `${verb.slice(0, -3)}y`;
    else if (/[^s]s$/.test(verb)) said = verb.slice(0, -1);
    else said = verb;
  }
  // "moved to Berlin and lives there now": the second verb too.
  const more = tail
    .join(' ')
    .replace(
      /\b(and|but) (is|has|lives|works|plays|likes|loves|wants|owns)\b/g,
      (_, and: string, v: string) => `${and} ${IRREGULAR[v] ?? v.slice(0, -1)}`,
    );
  return toYou([said, more].filter(Boolean).join(' '));
}

/** "the user's sister" → "your sister". */
function toYou(text: string): string {
  return text.replace(/\bthe user's\b/gi, 'your').replace(/\bthe user\b/gi, 'you');
}

function sentenceEnd(text: string): string {
  const t = text.trim();
  return /[.!?…”"]$/.test(t) ? t : `${t}.`;
}

/**
 * An anchor said back to the user: facts as "You told me…", likes as "You said…", plans as
 * "You mentioned…", instructions as "You asked me to…". Anchors that are not about the user
 * (entities) are mentioned as such.
 *
 * @example
 * sayAnchor("[2025-01-06 09:01] The user's name is Maria."); // 'You told me your name is Maria.'
 * sayAnchor('[…] The user prefers window seats.'); // 'You said you prefer window seats.'
 */
export function sayAnchor(text: string): string {
  const { sentence, superseded } = anchorSentence(text);
  const later = superseded ? ' (You told me something different later.)' : '';
  let m: RegExpExecArray | null;
  if ((m = /^Standing instruction from the user:\s*(.+)$/i.exec(sentence))) {
    let ask = m[1]!.trim().replace(/^please,?\s+/i, '');
    if (/^(?:do not|don't|never)\b/i.test(ask)) ask = ask.replace(/^(?:do not|don't)\s+/i, 'not ');
    return `You asked me to ${lowerFirst(sentenceEnd(ask))}${later}`;
  }
  if ((m = /^The user's name is (.+) \(asked to be called so\)\.?$/i.exec(sentence))) {
    return `You asked me to call you ${m[1]}.${later}`;
  }
  if ((m = /^The user's (.+)$/i.exec(sentence))) {
    return `You told me your ${sentenceEnd(toYou(m[1]!))}${later}`;
  }
  if ((m = /^The user (.+)$/i.exec(sentence))) {
    const rest = m[1]!;
    const lead = LIKING.test(rest)
      ? 'You said'
      : PLANNING.test(rest)
        ? 'You mentioned'
        : 'You told me';
    return `${lead} you ${sentenceEnd(toSecondPerson(rest))}${later}`;
  }
  if ((m = /^(.+?) \(([a-z ]+)\), mentioned by (.+?)\.?$/.exec(sentence))) {
    const byUser = /\(user\)$|^the user$/.test(m[3]!);
    return byUser ? `You mentioned ${m[1]} (${m[2]}).` : `${m[1]} (${m[2]}) came up earlier.`;
  }
  const said = sentenceEnd(toYou(sentence));
  return /\byou/i.test(said) ? `You told me ${said}${later}` : `I have this noted: ${said}${later}`;
}

/** A recall line of a turn, split: when, who (role and name), and what was said. */
export interface QuotedTurn {
  readonly date: string;
  readonly role: string;
  readonly name?: string;
  readonly content: string;
}

/** Reads "[2025-01-06 09:01] Maria (user): text" (or "user: text"); undefined otherwise. */
export function readTurnLine(text: string): QuotedTurn | undefined {
  const m =
    /^\[([^\]]+)\]\s+(?:(.+?) \((user|assistant|system|tool)\)|(user|assistant|system|tool)):\s?([\s\S]*)$/.exec(
      text,
    );
  if (!m) return undefined;
  const role = (m[3] ?? m[4])!;
  return m[2]
    ? { date: m[1]!, role, name: m[2], content: m[5]! }
    : { date: m[1]!, role, content: m[5]! };
}

/** Reads a summary: its span, and the parts said by each speaker ("Maria (user): …"). */
export function readSummary(text: string): { parts: { role: string; content: string }[] } {
  const body = text.replace(/^Summary of [^:]+?\d\d:\d\d to [^:]+?\d\d:\d\d:\s*/, '');
  const parts = body.split(' | ').map((part) => {
    const m =
      /^(?:.+? \((user|assistant|system|tool)\)|(user|assistant|system|tool)):\s?([\s\S]*)$/.exec(
        part,
      );
    return m ? { role: (m[1] ?? m[2])!, content: m[3]! } : { role: 'user', content: part };
  });
  return { parts };
}

/** At most `words` words of a quote, with an ellipsis when cut. */
export function clip(text: string, words = 40): string {
  const all = text.trim().split(/\s+/);
  return all.length <= words ? text.trim() : `${all.slice(0, words).join(' ')}…`;
}

/** A quote of the user's own words, dated. */
export function quoteUser(at: number, content: string): string {
  return `On ${spokenDate(at)} you said: “${clip(content)}”`;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z']/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** Stands in for "call me" while pronouns are swapped (no text holds it). */
const CALL = '\u2063call\u2063';

const SWAPS: Record<string, string> = {
  i: 'you',
  me: 'you',
  my: 'your',
  mine: 'yours',
  myself: 'yourself',
  "i'm": "you're",
  "i've": "you've",
  "i'll": "you'll",
  "i'd": "you'd",
};

/**
 * The user's statement said back to them ("My name is Maria" → "your name is Maria"), or
 * undefined when it is not about them or speaks of "you" (which a swap would garble).
 */
export function echo(statement: string): string | undefined {
  const text = statement.trim();
  if (!/\b(?:I|my|me|mine|I'm|I've)\b/i.test(text) || /\byou(?:r|rs)?\b/i.test(text))
    return undefined;
  if (text.split(/\s+/).length > 30) return undefined;
  const swapped = text
    // "Call me Max" is said back as what the assistant will do, not swapped.
    .replace(/\b[Cc]all me\b/g, CALL)
    .replace(/\bI am\b/g, 'you are')
    .replace(/\b(?:I'm|I've|I'll|I'd|I|me|my|mine|myself)\b/gi, (w) => SWAPS[w.toLowerCase()] ?? w)
    .replace(/\byou was\b/g, 'you were')
    .replaceAll(CALL, 'I should call you')
    .replace(/([.!?]\s+)([a-z])/g, (_, end: string, first: string) => end + first.toUpperCase());
  return /^(?:you|your|yours|yourself)\b/i.test(swapped) ? lowerFirst(swapped) : swapped;
}
