/**
 * What the user does and has: the instrument they play, the car they drive, their hobby, and
 * what they are learning. One current value per relation ("user.instrument"), so that "now I
 * play the banjo" replaces "I play the cello"; a clause that says "also/too/as well" adds a
 * second one under its own key instead of replacing the first.
 */
import type { AnchorCandidate } from './anchor.js';
import { leadingPhrase } from './clause.js';
import lexicon from './lexicon.json';
import { normalizeValue, slug } from './text.js';

const INSTRUMENTS = new Set(lexicon.instruments);
const LANGUAGES = new Set(lexicon.languages);
const CAR_MAKES = new Set(lexicon.carMakes);
const ADVERB = '(?:(?:now|also|still|currently|mostly|mainly|actually|really|usually|just) )*';
const ADJECTIVES =
  /^(?:(?:new|brand new|used|old|second-hand|secondhand|little|small|big|red|blue|black|white|silver|grey|gray|green|battered|trusty|electric|hybrid|vintage) )+/i;
const PRONOUN = /^(?:it|that|this|them|one|something|anything|nothing|some|any)$/i;
/** "also", "too", "as well": a second value next to the first, not a replacement. */
const ADDITIVE = /\b(?:also|too|as well|in addition)\b/i;

const fact = (key: string, value: string, text: string, confidence = 0.85): AnchorCandidate => ({
  kind: 'fact',
  key,
  value,
  text,
  confidence,
});

/** The relation's key: the single current one, or an extra one named by its value. */
function keyOf(relation: string, value: string, clause: string): string {
  return ADDITIVE.test(clause) ? `${relation}.${slug(value, 3)}` : relation;
}

/** Instrument, car, hobby and studies from one expanded first-person clause. */
export function pursuitAnchors(clause: string, sentence: string): AnchorCandidate[] {
  const played = playAnchors(clause);
  // "I practise the cello every evening" is the instrument, not a second, hobby anchor.
  const hobby = played.length > 0 ? [] : hobbyAnchors(clause, sentence);
  return [...played, ...carAnchors(clause), ...hobby, ...learningAnchors(clause)];
}

// "keyboard" is mostly the computer's; "sold my banjo" says the opposite.
const OWNED_INSTRUMENT = new RegExp(
  `(?<!\\b(?:sold|lost|broke|gave away|got rid of|selling) )\\bmy (?:old |new |own |first |second-hand )?(${[
    ...INSTRUMENTS,
  ]
    .filter((i) => i !== 'keyboard' && i !== 'keys')
    .join('|')})\\b`,
  'i',
);

/** "I play the cello", "I practise the piano every evening", "my banjo needs new strings". */
function playAnchors(clause: string): AnchorCandidate[] {
  const played = playedAnchors(clause);
  if (played.length > 0) return played;
  const owned = OWNED_INSTRUMENT.exec(clause)?.[1]?.toLowerCase();
  if (!owned) return [];
  return [fact('user.instrument', owned, `The user plays the ${owned} (has one).`, 0.7)];
}

function playedAnchors(clause: string): AnchorCandidate[] {
  const m = new RegExp(
    `\\bI ${ADVERB}(?:play|practi[sc]e|am playing|have been practi[sc]ing|am practi[sc]ing|have (?:been )?play(?:ed|ing)|am learning to play)(?: on)? (the |a |an |my )?(.+)`,
    'i',
  ).exec(clause);
  if (!m) return [];
  const phrase = leadingPhrase(m[2]!.toLowerCase(), 2);
  if (!phrase || PRONOUN.test(phrase) || /^(?:with|around|along|games?)$/.test(phrase)) return [];
  const instrument = INSTRUMENTS.has(phrase)
    ? phrase
    : [...phrase.split(' ')].reverse().find((w) => INSTRUMENTS.has(w));
  if (instrument) {
    const value = normalizeValue(instrument);
    return [
      fact(keyOf('user.instrument', value, clause), value, `The user plays the ${instrument}.`),
    ];
  }
  // "play the lottery", "practise the speech": an article but no instrument is not a pursuit.
  if (m[1]) return [];
  const value = normalizeValue(phrase);
  return [fact(`user.plays.${slug(value, 3)}`, value, `The user plays ${phrase}.`, 0.75)];
}

const MAKES = [...CAR_MAKES].sort((a, b) => b.length - a.length).join('|');
const OWNED = new RegExp(
  `\\b(?:my|our) (?:(?:old|new|little|trusty|beloved|battered|\\d{4}) )*(${MAKES})\\b`,
  'i',
);

/**
 * A car the user speaks of owning, in passing: "my Toyota broke down again", "should I sell
 * my old Volvo?" (a question takes the car as given).
 */
export function ownedCarAnchors(clause: string): AnchorCandidate[] {
  const m = OWNED.exec(clause);
  if (!m) return [];
  const value = normalizeValue(m[1]!);
  return [fact('user.car', value, `The user's car is a ${title(m[1]!)}.`, 0.7)];
}

/** "I drive a Volvo", "my car is an old Fiat", "I sold the old car and bought a Subaru". */
function carAnchors(clause: string): AnchorCandidate[] {
  let m = /\bmy (?:car|vehicle|ride) is (?:an? |the )?(.+)/i.exec(clause);
  let named = Boolean(m);
  if (!m) m = new RegExp(`\\bI ${ADVERB}(?:drive|am driving) (?:an? |the )?(.+)`, 'i').exec(clause);
  named ||= Boolean(m);
  if (!m)
    m = new RegExp(
      // "I sold the old car and bought a Subaru": the second verb's subject is still "I".
      `(?:\\bI ${ADVERB}|\\band (?:then )?)(?:have got|have|own|bought|got|leased|purchased|have bought|just bought) (?:an? |the )?(.+)`,
      'i',
    ).exec(clause);
  if (!m) return ownedCarAnchors(clause);
  const rest = m[1]!.replace(ADJECTIVES, '');
  const phrase = leadingPhrase(rest, 3);
  if (!phrase || PRONOUN.test(phrase)) return [];
  const lower = phrase.toLowerCase();
  // "a beat-up Skoda": the make may come after words the adjective list does not know.
  const make = [...CAR_MAKES].find(
    (c) => lower === c || lower.startsWith(`${c} `) || lower.endsWith(` ${c}`),
  );
  // "I have a cold", "I bought a lamp": without "drive" or "my car" only a known make is a car.
  const carWord = /^\S+(?: \S+)? car\b/i.test(rest);
  if (!make && !(named || carWord)) return [];
  if (!make && /^(?:to|for|home|back|around|there|here|safely|carefully)$/i.test(lower)) return [];
  const value = normalizeValue(make ?? phrase.replace(/\s+car$/i, ''));
  if (!value) return [];
  const said = m[1]!
    .replace(/[.!]+$/, '')
    .split(/[,;]| and | but /)[0]!
    .trim();
  return [fact(keyOf('user.car', value, clause), value, `The user's car is ${article(said)}.`)];
}

function article(phrase: string): string {
  if (/^(?:an?|the|my)\s/i.test(phrase)) return phrase;
  return `${/^[aeiou]/i.test(phrase) ? 'an' : 'a'} ${phrase}`;
}

const FREE_TIME =
  /\b(?:on (?:the )?weekends?|at weekends?|in my (?:free|spare) time|for fun|as a hobby|every (?:weekend|evening|morning|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|on (?:mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays))\b/i;

/**
 * "My hobby is pottery", "On weekends I do bouldering", "I gave up my old hobby; now I do
 * fencing": "I do X" is a hobby only when the sentence says so (free time, weekends, hobby),
 * never on its own ("I do the dishes", "I do my best").
 */
function hobbyAnchors(clause: string, sentence: string): AnchorCandidate[] {
  const out: AnchorCandidate[] = [];
  const when = FREE_TIME.exec(sentence)?.[0].toLowerCase();
  const add = (raw: string, key?: string) => {
    const phrase = leadingPhrase(raw.replace(/^(?:doing|to do|some|a bit of|a lot of) /i, ''), 3);
    const value = normalizeValue(phrase);
    if (!value || PRONOUN.test(value) || /^(?:my|not|nothing|the dishes|my best)\b/.test(value))
      return;
    const text = `The user's hobby is ${phrase.toLowerCase()}${when ? ` (${when})` : ''}.`;
    out.push(fact(key ?? keyOf('user.hobby', value, clause), value, text));
  };
  let m: RegExpExecArray | null;
  if (
    (m =
      /\bmy (?:main |new |favou?rite |current )?(?:hobby|pastime) (?:is|these days is|now is) (.+)/i.exec(
        clause,
      ))
  )
    add(m[1]!);
  else if ((m = /\bmy (?:hobbies|pastimes) are (.+)/i.exec(clause)))
    for (const item of m[1]!.split(/\s*,\s*(?:and\s+)?|\s+and\s+/).slice(0, 4))
      add(item, `user.hobby.${slug(item, 3)}`);
  else if (
    (m = /^(.+?) is my (?:main |new |favou?rite )?(?:hobby|pastime)\b/i.exec(clause)) ||
    (m =
      /^(.+?) is (?:how|what) I (?:unwind|relax|chill|switch off|spend my (?:free|spare) time|do for fun)\b/i.exec(
        clause,
      ))
  )
    add(m[1]!.replace(/^(?:nothing beats |I love )/i, ''));
  else if (
    (m =
      /\bI spend (?:my |most of my |all my )?(?:weekends|free time|spare time|evenings|mornings|(?:mon|tues|wednes|thurs|fri|satur|sun)days) (?:doing|on|at|practi[sc]ing) (.+)/i.exec(
        clause,
      ))
  )
    add(m[1]!);
  else if (
    (m = new RegExp(
      `\\bI ${ADVERB}(?:took up|have taken up|got into|started doing|picked up) (.+)`,
      'i',
    ).exec(clause))
  )
    add(m[1]!, `user.hobby.${slug(leadingPhrase(m[1]!, 3), 3)}`);
  else if (
    (m = new RegExp(`\\bI ${ADVERB}(?:do|go|practi[sc]e) (?!my )(.+)`, 'i').exec(clause)) &&
    !LANGUAGES.has(leadingPhrase(m[1]!, 1).toLowerCase()) &&
    (when || /\b(?:hobby|hobbies|pastime)\b/i.test(sentence))
  )
    add(m[1]!);
  return out;
}

/** "I am learning Korean", "My evening class is Welsh for beginners", "I take pottery classes". */
function learningAnchors(clause: string): AnchorCandidate[] {
  const m =
    new RegExp(
      `\\bI (?:am|have been) ${ADVERB}(?:learning|studying|trying to learn|teaching myself|taking (?:classes|lessons|a course|a class) in) (.+)`,
      'i',
    ).exec(clause) ??
    /\bmy (?:\w+ )?(?:class|course|lessons?|classes) (?:is|are) (?:in |on |about )?(.+)/i.exec(
      clause,
    ) ??
    new RegExp(
      `\\bI ${ADVERB}(?:take|study|have|am taking|have been taking) (.+?) (?:classes|lessons|courses)\\b`,
      'i',
    ).exec(clause) ??
    // "I practise my Korean every morning": a language practised is one being learned.
    new RegExp(
      `\\bI ${ADVERB}(?:practi[sc]e|am practi[sc]ing|brush up on|am brushing up on) (?:my )?(${[...LANGUAGES].join('|')})\\b`,
      'i',
    ).exec(clause);
  if (!m) return [];
  const phrase = leadingPhrase(m[1]!, 3);
  const value = normalizeValue(phrase);
  if (!value || PRONOUN.test(value) || /^(?:to play|a lot|so much|how)\b/.test(value)) return [];
  // "learning the violin" is the instrument the user plays now.
  const instrument = value.split(' ').find((w) => INSTRUMENTS.has(w));
  if (instrument)
    return [
      fact(
        keyOf('user.instrument', instrument, clause),
        instrument,
        `The user plays the ${instrument} (learning it).`,
      ),
    ];
  const language = value.split(' ').find((w) => LANGUAGES.has(w));
  if (language)
    return [
      fact(
        keyOf('user.learning.language', language, clause),
        language,
        `The user is learning ${title(language)}.`,
      ),
    ];
  return [fact(`user.learning.${slug(value, 3)}`, value, `The user is learning ${phrase}.`, 0.75)];
}

const title = (s: string) => s.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
