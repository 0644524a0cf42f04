/**
 * Anchor extraction from one turn, and the sentence splitter the summarizer shares.
 *
 * NLP library: compromise (https://github.com/spencermountain/compromise), chosen over
 * wink-nlp + wink-eng-lite-web-model after running both on our test sentences:
 * - named entities: compromise finds people, places and organizations ("Maria", "Berlin",
 *   "Google"); wink's lite web model has no person/place/organization recognizer at all (only
 *   dates, times, money, emails…), and names are what the long-term tier needs most;
 * - size: ~140 KB gzipped for compromise, ~100 KB for wink + its model, and no model file to
 *   fetch for either, so both work offline in a browser;
 * - speed: compromise is slower (~50 µs a word to tag, wink ~10 µs); with our patterns a
 *   35-word turn takes 3–5 ms here (extract.test.ts measures it), fine in the background queue,
 *   and `maxChars` below bounds the worst case;
 * - sentence splitting: both handle "Dr.", "e.g.", "p.m." and "$3.50" on our cases.
 * First-person facts are patterns on top (first-person.ts, wants.ts): the tagger confirms
 * names and occupations ("I'm Ada" vs "I'm tired", "I'm a plumber" vs "I'm a big fan").
 */
import nlp from 'compromise';
import { check } from '../errors.js';
import type { AnchorCandidate } from './anchor.js';
import {
  clausesOf,
  expandContractions,
  isCapitalized,
  isHypothetical,
  isQuestion,
  requestAsImperative,
  resolveReferences,
  restated,
  statementBeforeQuestion,
} from './clause.js';
import { answerAsStatement, type EarlierTurn } from './answers.js';
import { withCorrections } from './corrections.js';
import type { Tagger } from './first-person.js';
import { identityAnchors } from './first-person.js';
import lexicon from './lexicon.json';
import { ownedCarAnchors, pursuitAnchors } from './pursuits.js';
import { relationAnchors } from './relations.js';
import { normalizeValue } from './text.js';
import { instructionAnchors, intentAnchors, preferenceAnchors } from './wants.js';

/** Who speaks a turn. Only `user` turns yield first-person anchors; others yield entities. */
export type TurnRole = 'user' | 'assistant' | 'system' | 'tool';
const ROLES: readonly string[] = ['user', 'assistant', 'system', 'tool'];

/** The part of a turn extraction reads. */
export interface ExtractableTurn {
  role: TurnRole;
  content: string;
  /** The speaker's name, used in entity texts ("mentioned by Ada"). */
  name?: string;
  /**
   * The turns just before this one, oldest first: a user turn that answers the assistant's
   * question in a fragment ("What did you name him?" — "Biscuit!") is read with them.
   */
  previous?: readonly EarlierTurn[];
}

/** Options of {@link extractAnchors}. */
export interface ExtractOptions {
  /**
   * Characters of a turn that are read, default 20,000 (~3,500 words, 0.3–0.7 s). A longer turn
   * (a pasted document) is stored whole by the engine; only its start is mined for anchors,
   * which keeps a 1 MB turn from holding the queue for seconds.
   */
  maxChars?: number;
}

const tagger: Tagger = {
  isPersonName: (phrase) => {
    const doc = nlp(phrase);
    return doc.has('#Person') && !doc.has('#Adjective');
  },
  isOccupation: (phrase) => nlp(phrase).has('#Actor'),
};

/**
 * Proposes anchors from one turn: facts, preferences and intents the user states about
 * themselves (user turns only; questions and hypotheticals state none), and entities (people,
 * places, organizations) from any turn. Throws `BAD_INPUT` for a turn that is not one.
 *
 * @example
 * extractAnchors({ role: 'user', content: 'I moved to Berlin. Always answer in French.' });
 * // [{ kind: 'fact', key: 'user.location', value: 'berlin', text: 'The user moved to Berlin…' },
 * //  { kind: 'preference', key: 'user.instruction.language', value: 'french', … },
 * //  { kind: 'entity', key: 'entity:berlin', value: 'place', … }]
 */
export function extractAnchors(
  turn: ExtractableTurn,
  options: ExtractOptions = {},
): AnchorCandidate[] {
  check(turn !== null && typeof turn === 'object', 'a turn must be an object');
  check(
    ROLES.includes(turn.role),
    `unknown role ${JSON.stringify(turn.role)}; expected one of ${ROLES.join(', ')}`,
  );
  check(typeof turn.content === 'string', 'turn.content must be a string');
  const maxChars = options.maxChars ?? 20_000;
  check(
    Number.isInteger(maxChars) && maxChars > 0,
    `maxChars must be a positive integer, got ${maxChars}`,
  );
  const content = turn.content.length > maxChars ? turn.content.slice(0, maxChars) : turn.content;
  if (content.trim() === '') return [];

  const doc = nlp(content);
  const found: AnchorCandidate[] = [];
  if (turn.role === 'user') {
    const previous = (Array.isArray(turn.previous) ? turn.previous : []).filter(
      (t) => typeof t?.role === 'string' && typeof t.content === 'string',
    );
    const answer = previous.length ? answerAsStatement(content, previous) : undefined;
    if (answer) found.push(...statementAnchors(expandContractions(answer), ''));
    let before = '';
    for (const sentence of doc.sentences().out('array') as string[]) {
      found.push(...userAnchors(sentence, before));
      before = sentence;
    }
  }
  found.push(...entityAnchors(doc, turn));
  return dedupe(found);
}

/**
 * One sentence of a user turn; `before` is the sentence before it, for what a pronoun in this
 * one points back to. A question states nothing, but takes as given the statement it opens
 * with ("I'm a nurse, any tips?") and the names it mentions ("should I walk my dog Rex?").
 */
function userAnchors(sentence: string, before: string): AnchorCandidate[] {
  const request = requestAsImperative(sentence);
  if (request) return instructionAnchors(request);
  const expanded = restated(expandContractions(sentence));
  if (!isQuestion(sentence)) return statementAnchors(expanded, before);
  const statement = statementBeforeQuestion(expanded);
  const given = [
    ...relationAnchors(expanded, tagger, expanded, true),
    ...ownedCarAnchors(expanded),
  ].map(glossed);
  return [...(statement ? statementAnchors(statement, before) : []), ...given];
}

function statementAnchors(sentence: string, before: string): AnchorCandidate[] {
  if (isHypothetical(sentence)) return [];
  const out: AnchorCandidate[] = [];
  const instructions = instructionAnchors(sentence);
  out.push(...instructions);
  let previous = before;
  for (const said of clausesOf(sentence)) {
    const clause = resolveReferences(said, previous);
    previous = said;
    out.push(
      ...identityAnchors(clause, tagger, sentence),
      ...relationAnchors(clause, tagger, sentence),
      ...pursuitAnchors(clause, sentence),
    );
    // "I prefer short answers" is an instruction, not a taste for short answers.
    if (instructions.length === 0) out.push(...preferenceAnchors(clause));
    // A clause that said who the user is did not also state a plan ("I am a nurse", "I'm
    // turning 30 on May 4").
    if (!out.some((c) => c.kind === 'fact' && /^user\.(?:job|birthday)$/.test(c.key)))
      out.push(...intentAnchors(clause));
  }
  return withCorrections(sentence, out.map(glossed));
}

const GLOSSES = Object.entries(lexicon.relationGlosses);

/**
 * Names the relation in the anchor's text ("The user plays the ukulele (musical
 * instrument)."), so that a question asked about the relation rather than the value ("Which
 * instrument do I practise?") meets the anchor in BM25 and in the vectors.
 */
function glossed(c: AnchorCandidate): AnchorCandidate {
  const gloss = GLOSSES.find(([prefix]) => c.key === prefix || c.key.startsWith(`${prefix}.`));
  if (!gloss) return c;
  const words = gloss[1].split(/[ ,]+/);
  const text = c.text.toLowerCase();
  if (words.every((w) => text.includes(w))) return c;
  return { ...c, text: c.text.replace(/[.!]*$/, ` (${gloss[1]}).`) };
}

type Doc = ReturnType<typeof nlp>;
const ENTITY_KINDS = [
  ['people', 'person'],
  ['places', 'place'],
  ['organizations', 'organization'],
] as const;

function entityAnchors(doc: Doc, turn: ExtractableTurn): AnchorCandidate[] {
  const out: AnchorCandidate[] = [];
  const speaker = turn.name ? `${turn.name} (${turn.role})` : `the ${turn.role}`;
  for (const [method, type] of ENTITY_KINDS) {
    for (const raw of doc[method]().out('array') as string[]) {
      const name = raw
        .replace(/['’]s\b/g, '')
        .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}.]+$/gu, '')
        .replace(/\.$/, '')
        .trim();
      const words = name.split(/\s+/);
      // compromise keeps a leading "sister" in "my sister Maria": the name is the capitals.
      const capitals = words.filter((w) => isCapitalized(w));
      const value = normalizeValue(
        capitals.length > 0 && capitals.length < words.length ? capitals.join(' ') : name,
      );
      if (
        !value ||
        value.length < (type === 'person' ? 2 : 3) ||
        /^(?:i|me|you|we|they|he|she|it)$/.test(value)
      )
        continue;
      // Languages ("in French") are tagged as places; they are instructions' business.
      if (lexicon.languages.includes(value)) continue;
      out.push({
        kind: 'entity',
        key: `entity:${value}`,
        value: type,
        text: `${name} (${type}), mentioned by ${speaker}.`,
        confidence: 0.6,
      });
    }
  }
  return out;
}

/** One candidate per key and value; an entity named by a relation keeps the better text. */
function dedupe(found: AnchorCandidate[]): AnchorCandidate[] {
  const byKey = new Map<string, AnchorCandidate>();
  for (const c of found) {
    const id = c.kind === 'entity' ? c.key : `${c.key}\u0000${c.value}`;
    const seen = byKey.get(id);
    if (!seen || c.confidence > seen.confidence) byKey.set(id, c);
  }
  return [...byKey.values()];
}

/**
 * Splits text into sentences with compromise's tokenizer (no tagging: ~20 µs a word), which
 * knows "Dr.", "e.g.", "p.m." and decimals; line breaks end sentences too. Texts over 50,000
 * characters are split in pieces at line or sentence ends first, so memory stays bounded.
 *
 * @example
 * splitSentences('Dr. Smith arrived at 5 p.m. today. He left.'); // ['Dr. Smith arrived at 5 p.m. today.', 'He left.']
 */
export function splitSentences(text: string): string[] {
  check(typeof text === 'string', 'text must be a string');
  const out: string[] = [];
  for (const piece of pieces(text, 50_000)) {
    for (const s of nlp.tokenize(piece).sentences().out('array') as string[]) {
      const trimmed = s.trim();
      if (trimmed) out.push(trimmed);
    }
  }
  return out;
}

function* pieces(text: string, size: number): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const window = text.slice(start, end);
      const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf('. '));
      if (cut > size / 2) end = start + cut + 1;
    }
    yield text.slice(start, end);
    start = end;
  }
}
