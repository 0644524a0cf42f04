/**
 * Patterns for what a user says about themselves: name, place, job, dates, family and pets,
 * likes and allergies. Each candidate's key names what it is about ("user.location") and its
 * value what is said, so that "I moved to Berlin" supersedes "I live in Paris" and "I don't like
 * sushi anymore" contradicts "I love sushi" (same key, other value).
 */
import type { AnchorCandidate } from './anchor.js';
import { isCapitalized, leadingPhrase } from './clause.js';
import lexicon from './lexicon.json';
import { normalizeDate, normalizeValue, slug, timeIn } from './text.js';

/** Asks the NLP tagger whether a short phrase is a person's name or an occupation. */
export interface Tagger {
  isPersonName(phrase: string): boolean;
  isOccupation(phrase: string): boolean;
}

const alt = (words: readonly string[]) => words.map((w) => w.replace(/[-\s]/g, '[-\\s]')).join('|');
const ONE = new Set(lexicon.relations.one);
const RELATION = alt([...lexicon.relations.one, ...lexicon.relations.many]);
const PET = alt(lexicon.pets);
const JOBS = new Set(lexicon.jobs);
/** Adverbs between "I" and the verb that do not change the fact ("I am now a nurse"). */
const NOW = '(?:(?:now|currently|still|actually|also|just|recently) )*';
const NAME = "([\\p{L}][\\p{L}'-]*(?: [\\p{L}][\\p{L}'-]*){0,2})";

const fact = (key: string, value: string, text: string, confidence = 0.9): AnchorCandidate => ({
  kind: 'fact',
  key,
  value,
  text,
  confidence,
});

/** The capitalized name at the start of `rest`, or the one word after "called/named". */
function nameAt(rest: string, named: boolean, tagger: Tagger): string | undefined {
  const phrase = leadingPhrase(rest, 3);
  if (
    !phrase ||
    /^(?:not|no|a|an|the|also|actually|really|just|still|now|called|named)\b/i.test(phrase)
  )
    return undefined;
  if (isCapitalized(phrase)) return phrase;
  // Lowercase: only an explicit "called/named", or a word the tagger knows as a first name.
  const word = phrase.split(' ')[0]!;
  return named || tagger.isPersonName(word) ? word : undefined;
}

const title = (s: string) => s.replace(/^\p{Ll}/u, (c) => c.toUpperCase());

/** Name, place, job, age and dates of the user, from one expanded first-person clause. */
export function identityAnchors(clause: string, tagger: Tagger): AnchorCandidate[] {
  const out: AnchorCandidate[] = [];
  let m: RegExpExecArray | null;

  if ((m = /\bmy name is (.+)/i.exec(clause))) {
    const name = nameAt(m[1]!, true, tagger);
    if (name)
      out.push(fact('user.name', normalizeValue(name), `The user's name is ${title(name)}.`, 0.95));
  } else if ((m = /\b(?:you can |please |just )?call me (.+)/i.exec(clause))) {
    const name = nameAt(m[1]!, false, tagger);
    if (name)
      out.push(
        fact(
          'user.name',
          normalizeValue(name),
          `The user's name is ${title(name)} (asked to be called so).`,
          0.85,
        ),
      );
  } else if ((m = /^I am (.+)/.exec(clause))) {
    const name = leadingPhrase(m[1]!, 3);
    if (
      name &&
      isCapitalized(name) &&
      tagger.isPersonName(name) &&
      !lexicon.languages.includes(name.toLowerCase())
    ) {
      out.push(fact('user.name', normalizeValue(name), `The user's name is ${name}.`, 0.75));
    }
  }

  if (
    (m =
      /\bI (?:currently |now |still )?(?:live|am living|have been living|have lived|reside|am based|am located|am staying) in (.+)/i.exec(
        clause,
      ))
  ) {
    pushPlace(out, 'user.location', m[1]!, (p) => `The user lives in ${p}.`);
  } else if (
    (m = /\bI (?:just |recently |finally |have |now )*(?:moved|relocated) (?:back )?to (.+)/i.exec(
      clause,
    ))
  ) {
    pushPlace(out, 'user.location', m[1]!, (p) => `The user moved to ${p} and lives there now.`);
  } else if (
    (m = /\b(?:home for me is|my home is(?: in)?|home is(?: in)?|I call) (.+?)(?: home)?$/i.exec(
      clause,
    ))
  ) {
    // "Home for me is Lima, I have lived there for years", "I call Lima home".
    const capital = isCapitalized(m[1]!.trim().replace(/^the /i, ''));
    if (capital && (!/^I call\b/i.test(m[0]) || / home\b/i.test(m[0])))
      pushPlace(out, 'user.location', m[1]!, (p) => `The user lives in ${p}.`);
  }
  if (
    (m = /\bI (?:am|come) (?:originally )?from (.+)/i.exec(clause)) ||
    (m = /\bI was born (?:and raised )?in (?!\d)(.+)/i.exec(clause))
  ) {
    pushPlace(out, 'user.origin', m[1]!, (p) => `The user is from ${p}.`);
  }

  if (
    (m = new RegExp(`\\bI ${NOW}(?:work|am working|am employed|became) as (?:an? )?(.+)`, 'i').exec(
      clause,
    )) ||
    (m = /\bmy (?:job|profession|occupation) is (?:an? )?(.+)/i.exec(clause)) ||
    (m = new RegExp(
      `\\bI ${NOW}(?:became|have become|retrained as|trained as) (?:an? )(.+)`,
      'i',
    ).exec(clause))
  ) {
    pushJob(out, m[1]!, tagger, true);
  } else if ((m = new RegExp(`\\bI am ${NOW}(?:an? )(.+)`, 'i').exec(clause))) {
    pushJob(out, m[1]!, tagger, false);
  } else if (
    (m = /\bI am (retired|unemployed|self-employed|a stay-at-home (?:mom|dad|parent))\b/i.exec(
      clause,
    ))
  ) {
    out.push(fact('user.job', m[1]!.toLowerCase(), `The user is ${m[1]!.toLowerCase()}.`));
  }
  if (
    (m = new RegExp(
      `\\bI ${NOW}(?:work|am working|am employed|started working|got a job|have a job|started a (?:new )?job) (?:at|for|by|with) (.+)`,
      'i',
    ).exec(clause)) ||
    (m = /\bmy (?:employer|workplace|company) is (.+)/i.exec(clause))
  ) {
    const org = leadingPhrase(m[1]!, 4);
    if (org)
      out.push(fact('user.employer', normalizeValue(org), `The user works at ${org}.`, 0.85));
  }

  if (
    (m = /\bI am (\d{1,3}) (?:years old|year old|yo)\b/i.exec(clause)) ||
    (m = /^I am (\d{1,3})\.?$/.exec(clause))
  ) {
    out.push(fact('user.age', m[1]!, `The user is ${m[1]} years old.`, 0.85));
  }
  if ((m = /\b(?:my birthday is|I was born on|I was born) (.+)/i.exec(clause))) {
    const date = normalizeDate(m[1]!);
    if (date && date.length === 4)
      out.push(fact('user.birth_year', date, `The user was born in ${date}.`, 0.85));
    else if (date)
      out.push(
        fact(
          'user.birthday',
          date.slice(-5),
          `The user's birthday is ${m[1]!.replace(/[.!]+$/, '')}.`,
          0.9,
        ),
      );
    if (date && date.length === 10)
      out.push(
        fact(
          'user.birth_year',
          date.slice(0, 4),
          `The user was born in ${date.slice(0, 4)}.`,
          0.85,
        ),
      );
  } else if (
    (m = /\bmy ([a-z]+(?: [a-z]+)?) is (?:on |scheduled for |set for )?(.+)/i.exec(clause))
  ) {
    // The date is what the thing "is", not a time later in the sentence ("my hobby is
    // pottery, I do it every Sunday").
    const said = m[2]!.split(/,\s*(?:I|and|but)\b/)[0]!;
    const when = normalizeDate(said) ?? timeIn(said);
    const what = m[1]!.toLowerCase();
    if (when && !/\b(?:name|job|favou?rite)\b/.test(what)) {
      out.push(
        fact(
          `user.date.${slug(what, 3)}`,
          when,
          `The user's ${what} is ${m[2]!.replace(/[.!]+$/, '')}.`,
          0.8,
        ),
      );
    }
  }
  return out;
}

function pushPlace(
  out: AnchorCandidate[],
  key: string,
  rest: string,
  say: (place: string) => string,
): void {
  const place = leadingPhrase(rest.replace(/^(?:the city of |the town of )/i, ''), 4);
  if (!place || /^\d/.test(place)) return;
  // Keep "Lisbon, Portugal" in the text, compare on "lisbon".
  const full =
    /^[^,.;!?]+,\s*(?!I\b)\p{Lu}[\p{L}'-]*(?:\s\p{Lu}[\p{L}'-]*)*/u.exec(rest)?.[0] ?? place;
  out.push(fact(key, normalizeValue(place), say(full.startsWith(place) ? full : place)));
}

function pushJob(out: AnchorCandidate[], rest: string, tagger: Tagger, explicit: boolean): void {
  const phrase = leadingPhrase(rest.toLowerCase(), 3);
  if (!phrase) return;
  const words = phrase.split(' ');
  const head = words[words.length - 1]!;
  const known = JOBS.has(phrase) || JOBS.has(head) || tagger.isOccupation(phrase);
  if (!explicit && !known) return;
  out.push(
    fact(
      'user.job',
      normalizeValue(phrase),
      `The user works as ${/^[aeiou]/.test(phrase) ? 'an' : 'a'} ${phrase}.`,
      explicit ? 0.9 : 0.8,
    ),
  );
  const at = /\b(?:at|for) (.+)/i.exec(rest);
  if (at) {
    const org = leadingPhrase(at[1]!, 4);
    if (org) out.push(fact('user.employer', normalizeValue(org), `The user works at ${org}.`, 0.8));
  }
}

/** Family members and pets, with their names: "my sister Maria", "my cat is called Turing". */
export function relationAnchors(clause: string, tagger: Tagger): AnchorCandidate[] {
  const out: AnchorCandidate[] = [];
  const add = (relation: string, name: string, pet: boolean) => {
    const rel = relation.toLowerCase().replace(/\s+/g, ' ');
    const value = normalizeValue(name);
    if (!value) return;
    // Relation words and names as written, not stemmed: "user.wife", "user.pet.cat.turing".
    const relKey = rel.replace(/[\s-]+/g, '_');
    const nameKey = value.replace(/\s+/g, '-');
    const key = pet
      ? `user.pet.${relKey}.${nameKey}`
      : ONE.has(rel)
        ? `user.${relKey}`
        : `user.${relKey}.${nameKey}`;
    out.push(
      fact(
        key,
        value,
        pet
          ? `The user has a ${rel} named ${title(name)}.`
          : `The user's ${rel} is ${title(name)}.`,
        0.85,
      ),
    );
    out.push({
      kind: 'entity',
      key: `entity:${value}`,
      value: pet ? 'pet' : 'person',
      text: `${title(name)} is the user's ${rel}.`,
      confidence: 0.8,
    });
  };
  const forms: [RegExp, boolean][] = [
    [new RegExp(`\\bmy (${RELATION})(?:'s name)? is (called |named )?(.+)`, 'iu'), false],
    [new RegExp(`\\b(?:my|our) (${PET})(?:'s name)? is (called |named )?(.+)`, 'iu'), true],
    [new RegExp(`\\bI have (?:an?|one|two|three) (${PET}) (called |named )(.+)`, 'iu'), true],
    [new RegExp(`\\bI have (?:an?|one) (${RELATION}) (called |named )(.+)`, 'iu'), false],
    // Case matters here (a name follows), so "my" is spelled both ways instead of flag i.
    [new RegExp(`\\b[Mm]y (${RELATION}),? ()(\\p{Lu}.+)`, 'u'), false],
    [new RegExp(`\\b(?:[Mm]y|[Oo]ur) (${PET}),? ()(\\p{Lu}.+)`, 'u'), true],
  ];
  for (const [re, pet] of forms) {
    const m = re.exec(clause);
    if (!m) continue;
    const named = Boolean(m[2]);
    const name = nameAt(m[3]!, named, tagger);
    // "my sister is a nurse": without "called/named" the name must look like a name.
    if (name && (named || isCapitalized(name)) && !/^(?:a|an|the|my|very|so|not)\b/i.test(name))
      add(m[1]!, name, pet);
    if (out.length > 0) return out;
  }
  const m = new RegExp(`^${NAME} is my (${RELATION}|${PET})\\b`, 'u').exec(clause);
  if (m && isCapitalized(m[1]!)) add(m[2]!, m[1]!, lexicon.pets.includes(m[2]!.toLowerCase()));
  return out;
}
