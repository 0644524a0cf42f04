/**
 * Patterns for what a user says about themselves: name, place, job, age and dates (family and
 * pets: relations.ts; likes and allergies: wants.ts). Each candidate's key names what it is about ("user.location") and its
 * value what is said, so that "I moved to Berlin" supersedes "I live in Paris" and "I don't like
 * sushi anymore" contradicts "I love sushi" (same key, other value).
 */
import type { AnchorCandidate } from './anchor.js';
import { isCapitalized, leadingPhrase } from './clause.js';
import lexicon from './lexicon.json';
import { normalizeDate, normalizeValue, slug, startsWithTime, timeIn } from './text.js';

/** Asks the NLP tagger whether a short phrase is a person's name or an occupation. */
export interface Tagger {
  isPersonName(phrase: string): boolean;
  isOccupation(phrase: string): boolean;
}

const JOBS = new Set(lexicon.jobs);
/** Adverbs between "I" and the verb that do not change the fact ("I am now a nurse"). */
const NOW = '(?:(?:now|currently|still|actually|also|just|recently) )*';
/** A sentence about work, where "I'm at Acme" names the employer, not a place visited. */
const WORK_CUE =
  /\b(?:work|job|jobs|company|firm|employer|office|boss|raise|salary|promotion|hired|colleagues?|coworkers?|left|quit|switched|joined)\b|\bfor (?:a|an|one|two|three|four|five|six|\d+|many|several) (?:years?|months?)\b/i;

const fact = (key: string, value: string, text: string, confidence = 0.9): AnchorCandidate => ({
  kind: 'fact',
  key,
  value,
  text,
  confidence,
});

/** The capitalized name at the start of `rest`, or the one word after "called/named". */
export function nameAt(rest: string, named: boolean, tagger: Tagger): string | undefined {
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
export function identityAnchors(
  clause: string,
  tagger: Tagger,
  sentence = clause,
): AnchorCandidate[] {
  const out: AnchorCandidate[] = [];
  let m: RegExpExecArray | null;

  if ((m = /\bmy name is (.+)/i.exec(clause))) {
    const name = nameAt(m[1]!, true, tagger);
    if (name)
      out.push(fact('user.name', normalizeValue(name), `The user's name is ${title(name)}.`, 0.95));
  } else if (
    (m = /\b(?:you can |please |just )?call me (.+)/i.exec(clause)) ||
    (m =
      /\b(?:everyone|everybody|people|they|friends|my friends|most people)(?: \w+){0,2} calls? me (.+)/i.exec(
        clause,
      )) ||
    (m = /\bI go by (.+)/i.exec(clause))
  ) {
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
  } else if (
    (m = /^(\p{Lu}[\p{L}'-]+) here\b(?! is\b)(,)?/u.exec(clause)) &&
    (m[2] !== undefined || tagger.isPersonName(m[1]!))
  ) {
    // "Ada here, quick question": a chat's self-introduction.
    out.push(fact('user.name', normalizeValue(m[1]!), `The user's name is ${m[1]}.`, 0.75));
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
      /\b(?:I|we) (?:currently |now |still )?(?:live|am living|are living|have been living|have lived|reside|am based|are based|am located|am staying) in (.+)/i.exec(
        clause,
      ))
  ) {
    pushPlace(out, 'user.location', m[1]!, (p) => `The user lives in ${p}.`);
  } else if (
    (m =
      /\b(?:I|we) (?:just |recently |finally |have |now )*(?:moved|relocated) (?:back )?to (.+)/i.exec(
        clause,
      ))
  ) {
    pushPlace(out, 'user.location', m[1]!, (p) => `The user moved to ${p} and lives there now.`);
  } else if (
    (m =
      /\b(\p{Lu}[\p{L}'-]+(?: \p{Lu}[\p{L}'-]+)*),? where (?:I|we) (?:live|am based|are based)\b/u.exec(
        clause,
      ))
  ) {
    // "greetings from rainy Utrecht where I live"
    pushPlace(out, 'user.location', m[1]!, (p) => `The user lives in ${p}.`);
  } else if (
    (m = /\bI am (?:now |currently |still )?in (\p{Lu}.+)/u.exec(clause)) &&
    !/\b(?:for (?:a|an|the|my|work|business|the weekend)|on (?:a|my|holiday|vacation|business)|visiting|this week|today|tonight)\b/i.test(
      sentence,
    ) &&
    !tagger.isPersonName(leadingPhrase(m[1]!, 3))
  ) {
    // "I'm in Ghent these days", but not "I'm in Rome for a conference".
    pushPlace(out, 'user.location', m[1]!, (p) => `The user lives in ${p}.`);
  } else if (
    (m =
      /\b(?:home for me is|my home is(?: in)?|home is(?: in)?|I call|I have called|I have been calling) (.+?)(?: home)?(?: (?:since|for|now) .*)?$/i.exec(
        clause,
      )) ||
    (m = /(?:^|,\s*)(\p{Lu}[\p{L}'-]*(?: \p{Lu}[\p{L}'-]*)*) is (?:my )?home\b/u.exec(clause))
  ) {
    // "Home for me is Lima, I have lived there for years", "I call Lima home", "Lima is home".
    const capital = isCapitalized(m[1]!.trim().replace(/^the /i, ''));
    if (capital && (!/^I (?:have )?call/i.test(m[0]) || / home\b/i.test(m[0])))
      pushPlace(out, 'user.location', m[1]!, (p) => `The user lives in ${p}.`);
  }
  if (
    (m = /\bI (?:am|come) (?:originally )?from (.+)/i.exec(clause)) ||
    (m = /\bI was born (?:and raised )?in (?!\d)(.+)/i.exec(clause))
  ) {
    pushPlace(out, 'user.origin', m[1]!, (p) => `The user is from ${p}.`);
  }

  if (
    (m = new RegExp(
      `\\bI ${NOW}(?:work|am working|am employed|became)(?: (?:nights|days|weekends|shifts|part-time|full-time|part time|full time|freelance))? as (?:an? )?(.+)`,
      'i',
    ).exec(clause)) ||
    (m = /\bmy (?:job|work|day job) as (?:an? )?(.+)/i.exec(clause)) ||
    (m = /^([a-z]+(?: [a-z]+)?) by (?:trade|profession)\b/i.exec(clause)) ||
    (m = /\bmy (?:job|profession|occupation) is (?:an? )?(.+)/i.exec(clause)) ||
    (m = new RegExp(
      `\\bI ${NOW}(?:became|have become|retrained as|trained as) (?:an? )(.+)`,
      'i',
    ).exec(clause))
  ) {
    pushJob(out, m[1]!, tagger, true);
  } else if ((m = new RegExp(`\\bI (?:am|have been) ${NOW}(?:an? )(.+)`, 'i').exec(clause))) {
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
    (m = /\bmy (?:employer|workplace|company) is (.+)/i.exec(clause)) ||
    (m = /\bmy (?:employer|workplace|company),? (\p{Lu}[\p{L}'-]*(?: \p{Lu}[\p{L}'-]*)*)/u.exec(
      clause,
    )) ||
    (m = /\b(?:at|for) (\p{Lu}[\p{L}'-]*(?: \p{Lu}[\p{L}'-]*)*)\b[^.]*?,? where I work\b/u.exec(
      clause,
    )) ||
    (m = /\bI (?:have )?(?:worked|been working) (?:at|for) (\p{Lu}.+)/u.exec(clause)) ||
    (m = /(?:\bI (?:just |recently )?|\band (?:then )?)joined (\p{Lu}.+)/u.exec(clause)) ||
    ((m = /\bI (?:am|have been) (?:now |currently |still )?at (\p{Lu}.+)/u.exec(clause)) &&
      WORK_CUE.test(sentence))
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
  if (
    (m =
      /\b(?:my birthday is|my birthday falls on|it is my birthday on|I was born on|I was born) (.+)/i.exec(
        clause,
      )) ||
    (m = /\bI am turning \d{1,3} (?:on )?(.+)/i.exec(clause))
  ) {
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
    // The date must be what the thing is ("my exam is next Friday"), not a time later in the
    // clause ("my sister Ana is visiting next week").
    const when = startsWithTime(said) ? (normalizeDate(said) ?? timeIn(said)) : undefined;
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
  const said = leadingPhrase(rest.toLowerCase(), 3);
  if (!said) return;
  // "a baker starts at 4am": a known job word ends the phrase, what follows is not the job.
  const all = said.split(' ');
  let end = -1;
  all.forEach((w, i) => {
    if (JOBS.has(w) || JOBS.has(all.slice(0, i + 1).join(' '))) end = i;
  });
  const phrase = end >= 0 ? all.slice(0, end + 1).join(' ') : said;
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
    // "a dentist for ten years" says how long, not where.
    const spell = /\b(?:years?|months?|weeks?|days?|hours?|ages|a while|long|now)$/i;
    if (org && isCapitalized(org) && !spell.test(org))
      out.push(fact('user.employer', normalizeValue(org), `The user works at ${org}.`, 0.8));
  }
}
