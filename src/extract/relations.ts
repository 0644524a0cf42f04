/**
 * Family members and pets, with their names: "my sister Maria", "my cat is called Turing",
 * "Rex, our dog, …", "Ines (my sister)", "we renamed the dog, he's Max now". A relation a
 * person has one of ("wife") is keyed by the relation, so a new name supersedes; one they may
 * have several of ("sister", "dog") is keyed by the name too, so a second sister is a second
 * anchor, and a name given as a correction ("Sorry, my sister is called Ines", "Actually my
 * dog's name is Max") is marked as correcting the relation's earlier name.
 */
import type { AnchorCandidate } from './anchor.js';
import { isCapitalized } from './clause.js';
import { EXPLICIT_CUE } from './corrections.js';
import { nameAt, type Tagger } from './first-person.js';
import lexicon from './lexicon.json';
import { normalizeValue } from './text.js';

const alt = (words: readonly string[]) => words.map((w) => w.replace(/[-\s]/g, '[-\\s]')).join('|');
const ONE = new Set(lexicon.relations.one);
const PETS = new Set(lexicon.pets);
const PET_KINDS: Record<string, string> = lexicon.petKinds;
const KIN = `(?:${alt([...lexicon.relations.one, ...lexicon.relations.many, ...lexicon.pets])})`;
/** Words before the relation that do not change who it is ("my older sister"). */
const MOD =
  '((?:older|younger|little|big|baby|twin|eldest|oldest|youngest|elder|half|step|new|old|other|late) )?';
const NAME = "(\\p{Lu}[\\p{L}'-]*(?: \\p{Lu}[\\p{L}'-]*)?)";

interface Form {
  re: RegExp;
  /** A statement of what the name is (may correct it), not a mention in passing. */
  naming: boolean;
  /** Capture indexes: modifier, relation, "called/named", the text starting with the name. */
  at: { mod: number; rel: number; named?: number; name: number };
}

const NAMINGS: Form[] = [
  {
    // "my sister is called Ines", "my older sister's name is Ana", "our dog is now Max"
    re: new RegExp(
      `\\b(?:my|our|the) ${MOD}(${KIN})(?:'s name)? is (?:now |still |actually |really )?(called |named )?(.+)`,
      'iu',
    ),
    naming: true,
    at: { mod: 1, rel: 2, named: 3, name: 4 },
  },
  {
    // "I have a dog called Rex", "we adopted a puppy named Biscuit"
    re: new RegExp(
      `\\b(?:I|we) (?:have|got|adopted|had) (?:an?|one|two|three|the) ${MOD}(${KIN}) (called |named )(.+)`,
      'iu',
    ),
    naming: true,
    at: { mod: 1, rel: 2, named: 3, name: 4 },
  },
  {
    // "we renamed the dog, he is called Max now", "I renamed my cat to Turing"
    re: new RegExp(
      `\\brenamed (?:the|my|our) ${MOD}(${KIN})\\b[^.!?]*?\\b(?:to|as|is called|is named|he is|she is|it is|is now|now called|now named)( )(?:called |named )?(.+)`,
      'iu',
    ),
    naming: true,
    at: { mod: 1, rel: 2, named: 3, name: 4 },
  },
];

const MENTIONS: Form[] = [
  {
    // "my sister Maria", "our dog Rex": case matters (a name follows), "my" spelled both ways.
    re: new RegExp(`\\b(?:[Mm]y|[Oo]ur) ${MOD}(${KIN}),? ()(\\p{Lu}.+)`, 'u'),
    naming: false,
    at: { mod: 1, rel: 2, named: 3, name: 4 },
  },
  {
    // "Rex, our dog, won't stop barking", "Ines, my sister, not Ana", "Miso (the cat)"
    re: new RegExp(`${NAME}(?:, (?:my|our) | \\((?:my|our|the) )${MOD}(${KIN})(?:[,)]|$)`, 'u'),
    naming: false,
    at: { name: 1, mod: 2, rel: 3 },
  },
];

const NOT_A_NAME =
  /^(?:a|an|the|my|our|very|so|not|hi|hello|hey|thanks|thank you|yes|no|ok|okay|well|sorry|oh|and|but|also|anyway|today|tomorrow|yesterday|tonight)\b/i;

const NAMED_FIRST = new RegExp(`^${NAME} is (?:my|our) ${MOD}(${KIN})\\b`, 'u');
/** "Anton and I have been married for six years" */
const MARRIED = new RegExp(
  `^${NAME} and I (?:have been|are|got|were just|just got) (?:happily )?(?:married|engaged)\\b`,
  'u',
);

/**
 * Relations named in one expanded clause. `sentence` is the whole sentence, for its
 * correction cues; `mentionsOnly` reads only what a question presupposes ("should I walk my
 * dog Rex?" says the dog is Rex), not what it asks ("is my dog called Rex?").
 */
export function relationAnchors(
  clause: string,
  tagger: Tagger,
  sentence = clause,
  mentionsOnly = false,
): AnchorCandidate[] {
  const forms = mentionsOnly ? MENTIONS : [...NAMINGS, ...MENTIONS];
  for (const form of forms) {
    const m = form.re.exec(clause);
    if (!m) continue;
    const named = form.at.named !== undefined && Boolean(m[form.at.named]);
    const name = nameAt(m[form.at.name]!, named, tagger);
    // "my sister is a nurse": without "called/named" the name must look like a name.
    if (!name || !(named || isCapitalized(name)) || NOT_A_NAME.test(name)) continue;
    const said = { rel: m[form.at.rel]!, mod: m[form.at.mod], name };
    return relation(said, form.naming && correcting(clause, sentence, name), mentionsOnly);
  }
  const m = mentionsOnly ? null : NAMED_FIRST.exec(clause);
  if (m)
    return relation({ rel: m[3]!, mod: m[2], name: m[1]! }, EXPLICIT_CUE.test(sentence), false);
  // The whole sentence: "and I" starts a clause of its own.
  const wed = mentionsOnly ? null : MARRIED.exec(sentence);
  if (wed && !NOT_A_NAME.test(wed[1]!)) {
    const rel = /engaged/i.test(wed[0]) ? 'fiance' : 'spouse';
    return relation({ rel, mod: undefined, name: wed[1]! }, false, false);
  }
  return [];
}

/** A name stated as a fix: an explicit cue ("sorry", "actually"…) or "is now X" / "X now". */
function correcting(clause: string, sentence: string, name: string): boolean {
  if (EXPLICIT_CUE.test(sentence) || /\b(?:is now|now called|now named)\b/i.test(clause))
    return true;
  return new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},? now\\b`).test(clause);
}

function relation(
  said: { rel: string; mod: string | undefined; name: string },
  corrects: boolean,
  presupposed: boolean,
): AnchorCandidate[] {
  const rel = said.rel.toLowerCase().replace(/\s+/g, ' ');
  const value = normalizeValue(said.name);
  if (!value) return [];
  const pet = PETS.has(rel);
  const who = `${said.mod?.toLowerCase() ?? ''}${rel}`;
  // Relation words and names as written, not stemmed: "user.wife", "user.pet.cat.turing"; a
  // puppy is keyed as the dog it is, so that "we renamed the dog" corrects it.
  const kind = PET_KINDS[rel] ?? rel;
  const relKey = kind.replace(/[\s-]+/g, '_');
  const family = pet ? `user.pet.${relKey}` : `user.${relKey}`;
  const byName = pet || !ONE.has(rel);
  const key = byName ? `${family}.${value.replace(/\s+/g, '-')}` : family;
  const name = title(said.name);
  const fact: AnchorCandidate = {
    kind: 'fact',
    key,
    value,
    text: pet
      ? `The user has a ${who}${kind === rel ? '' : ` (${kind})`} named ${name}.`
      : `The user's ${who} is ${name}.`,
    confidence: presupposed ? 0.7 : 0.85,
    ...(corrects && byName ? { corrects: { under: family } } : {}),
  };
  const entity: AnchorCandidate = {
    kind: 'entity',
    key: `entity:${value}`,
    value: pet ? 'pet' : 'person',
    text: `${name} is the user's ${who}.`,
    confidence: 0.8,
  };
  return [fact, entity];
}

const title = (s: string) => s.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
