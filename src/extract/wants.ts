/**
 * What the user likes, cannot eat, plans, and asks of the assistant. Keys are about the object
 * ("user.preference.sushi") and values say which way ("likes" / "dislikes"), so that a change
 * of mind is a contradiction of one key, not a second unrelated anchor.
 */
import type { AnchorCandidate } from './anchor.js';
import { leadingPhrase } from './clause.js';
import { CORRECTION_CUE } from './corrections.js';
import lexicon from './lexicon.json';
import { normalizeValue, slug, timeIn, withoutTime } from './text.js';

const TAIL =
  /\s+(?:more than anything|more than (?:\w+ )?(?:else|anyone|ever)|the most|most of all|anymore|any more|so much|a lot|very much|these days|nowadays|lately|too|either|at all|now|that much|as well|though|actually|after all|instead)\b.*$/i;

/** The object of a verb: up to the clause end, split on "and" / "," / "or" into items. */
function objects(rest: string): string[] {
  const phrase =
    rest.split(
      /[.;!?]|,\s*(?:but|because|since|so|which|when|(?:it|that) is)\b|\s+(?:because|but|when|since|so that|unless|if)\s+|\s+so (?!much\b|many\b)/i,
    )[0] ?? '';
  return phrase
    .replace(TAIL, '')
    .split(/\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|nor)\s+/i)
    .map((s) => s.replace(/^(?:the|a|an|some|any|most|all)\s+/i, '').trim())
    .filter((s) => s.length > 0 && s.split(' ').length <= 5)
    .slice(0, 4);
}

const LIKE =
  /\bI (?:really |absolutely |totally |just |also |truly |do )?(love|like|enjoy|adore|prefer)s? (.+)/i;
const FAN =
  /\bI (?:am|have been) (?:really |so |totally )?(?:a (?:big |huge |great )?fan of|really into|into|crazy about|obsessed with|fond of|keen on|passionate about|all about|hooked on) (.+)/i;
const UNLIKE =
  /\bI (?:do not|no longer|do not really|really do not|never) (?:really )?(like|love|enjoy|care for|eat|drink) (.+)/i;
const HATE =
  /\bI (?:really |absolutely |totally )?(hate|dislike|detest|loathe|cannot stand|can not stand|cannot bear|stopped liking|avoid) (.+)/i;
const NOT_FAN =
  /\bI am (?:not (?:a (?:big |huge )?fan of|into|fond of|keen on)|no longer into|sick of|tired of|fed up with) (.+)/i;

/** Likes, dislikes, favourites, allergies and diets. */
export function preferenceAnchors(clause: string): AnchorCandidate[] {
  const out: AnchorCandidate[] = [];
  const add = (rest: string, likes: boolean, say: string) => {
    for (const item of objects(rest)) {
      if (/^(?:to )?(?:it|that|this|them|you|him|her)$/i.test(item)) continue;
      const key = `user.preference.${slug(item.replace(/^to\s+/i, ''), 4)}`;
      out.push({
        kind: 'preference',
        key,
        value: likes ? 'likes' : 'dislikes',
        text: `The user ${say} ${item}.`,
        confidence: 0.85,
      });
    }
  };
  let m: RegExpExecArray | null;
  const favourite =
    /\bmy (?:absolute |all-time |all time |very |top |number one )?(?:favou?rite|fav) ([a-z]+(?: [a-z]+)?) (?:is|are) (?:now |still |actually )?(.+)/i.exec(
      clause,
    ) ?? reverseFavourite(clause);
  if (favourite) {
    const value = leadingPhrase(favourite[2]!, 4);
    const what = favourite[1]!.toLowerCase();
    // "my favourite dish" and "my favourite food" are one slot, so a change replaces.
    const slot = (lexicon.favoriteSynonyms as Record<string, string>)[what] ?? what;
    if (value) out.push(favouriteAnchor(slot, what, value, clause));
  } else if ((m = UNLIKE.exec(clause))) add(m[2]!, false, `does not ${m[1]!.toLowerCase()}`);
  else if ((m = HATE.exec(clause))) add(m[2]!, false, third(m[1]!.toLowerCase()));
  else if ((m = NOT_FAN.exec(clause))) add(m[1]!, false, 'is not keen on');
  else if ((m = FAN.exec(clause))) add(m[1]!, true, 'is into');
  else if ((m = LIKE.exec(clause)) && !/\bI would (?:like|love|prefer)\b/i.test(clause))
    add(m[2]!, true, third(m[1]!.toLowerCase()));
  else if (
    (m =
      /\bI could (eat|drink|listen to|watch|read) (.+?) (?:every|all) (?:single )?(?:day|night|week|meal)\b/i.exec(
        clause,
      ))
  )
    add(m[2]!, true, 'loves');

  if (
    (m = /\bI am (not |no longer )?(?:severely |mildly |very |also )?allergic to (.+)/i.exec(
      clause,
    )) ||
    (m = /\bI have (no )?(?:an? )?(?:[a-z]+ )?allerg(?:y|ies) to (.+)/i.exec(clause)) ||
    (m = /\bmy (?:only )?allerg(?:y|ies) (?:is|are) (?:actually |really |only )?(?:to )?(.+)/i.exec(
      clause,
    )) ||
    (m = /\bI have (no )?(?:an? |severe |mild )?(?!an?\b)(\S+(?: \S+)?) allergy\b/i.exec(clause))
  ) {
    const [said, rest] = m.length > 2 ? [m[1], m[2]!] : [undefined, m[1]!];
    const negated = Boolean(said);
    for (const item of objects(rest)) {
      out.push({
        kind: 'fact',
        key: `user.allergy.${slug(item, 3)}`,
        value: negated ? 'not allergic' : 'allergic',
        text: `The user is ${negated ? 'not ' : ''}allergic to ${item}.`,
        confidence: 0.9,
      });
    }
  }
  const diet = new RegExp(
    `\\bI (?:am|have been|went|became|turned|switched to|went fully|have gone) (?:now |fully |completely )?(not |no longer )?(?:an? )?(?:strict )?(${lexicon.diets.join('|')})\\b`,
    'i',
  ).exec(clause);
  if (diet) {
    const value = `${diet[1] ? 'not ' : ''}${diet[2]!.toLowerCase()}`;
    out.push({
      kind: 'fact',
      key: 'user.diet',
      value,
      text: `The user is ${value}.`,
      confidence: 0.85,
    });
  }
  return out;
}

/** Words after "my favourite" that are not what it is a favourite of ("…is my favourite now"). */
const NOT_A_SLOT =
  /^(?:now|too|again|ever|though|anyway|by far|of all|of all time|these days|lately|still|thing)$/i;

/**
 * A favourite, keyed by what it is a favourite of ("user.favorite.food"). One said without
 * ("nothing beats ramen", "tacos are my favourite now") is keyed "user.favorite"; said as a
 * change, it corrects whichever favourite it replaces and takes its slot (the tier decides).
 */
function favouriteAnchor(
  slot: string,
  what: string,
  value: string,
  clause: string,
): AnchorCandidate {
  const known = slot !== '' && !NOT_A_SLOT.test(slot);
  const candidate: AnchorCandidate = {
    kind: 'preference',
    key: known ? `user.favorite.${slug(slot, 2)}` : 'user.favorite',
    value: normalizeValue(value),
    text: known ? `The user's favourite ${what} is ${value}.` : `The user's favourite is ${value}.`,
    confidence: known ? 0.9 : 0.8,
  };
  return !known && CORRECTION_CUE.test(clause)
    ? { ...candidate, corrects: { under: 'user.favorite' } }
    : candidate;
}

/**
 * "Pizza is my favourite food", "Nothing beats ramen, it is my favourite dish", "I'm over
 * curry, tacos are my favourite now", "honestly nothing beats ramen": [match, slot, value].
 */
function reverseFavourite(clause: string): [string, string, string] | undefined {
  const m =
    /(?:^|,\s*)(?:nothing beats |I cannot get enough of |I could eat )?([^,]+?),? (?:it is |that is |is |are )(?:definitely |still |now |really |totally )?my (?:absolute |all-time |all time |very |top |number one )?(?:favou?rite|fav)(?: ([a-z]+(?: of all time)?))?\b/i.exec(
      clause,
    );
  if (m && !/^(?:it|that|this|what|which|who|mine)$/i.test(m[1]!)) return [m[0], m[2] ?? '', m[1]!];
  const beats = /^nothing (?:beats|tops|compares to) (.+)/i.exec(clause);
  return beats ? [beats[0], '', beats[1]!] : undefined;
}

function third(verb: string): string {
  if (verb === 'cannot stand' || verb === 'can not stand' || verb === 'cannot bear')
    return `can't ${verb.split(' ').pop()}`;
  if (verb === 'stopped liking') return 'no longer likes';
  return verb.endsWith('s') ? verb : `${verb}s`;
}

const PLAN =
  /\bI (?:am|was) (?:planning|hoping|intending|going|about|thinking) (?:on |to |about |of )?(.+)|\bI (?:plan|intend|want|would like|would love|hope|need|have|aim|mean) to (.+)|\bI will (?:probably |definitely |soon )?(?!be\b)(.+)|\bI (?:have|got) (?:an? )(.*\b(?:appointment|meeting|interview|exam|flight|trip|party|date|class)\b.*)/i;
const CANCEL =
  /\bI (?:am not|am no longer) (?:going|planning) (?:to |on )?(.+)|\bI (?:will not|do not plan to|no longer plan to|no longer want to|do not want to) (.+)|\bI (?:cancelled|canceled|called off|postponed|put off) (.+)/i;
const PROGRESSIVE = /\bI am (\w+ing) (.+)/i;

/** Plans and intents: the action is the key, when it happens (or "cancelled") the value. */
export function intentAnchors(clause: string): AnchorCandidate[] {
  const going = /\bI am (?:going|heading|off) to (.+)/i.exec(clause);
  // "going to Tokyo" is a trip; "going to learn Rust" is a plan to learn Rust.
  if (
    going &&
    /^(?:the|my|a|bed|work|school|church|town|college|university|\p{Lu})/u.test(going[1]!)
  ) {
    return intentAnchors(`I plan to go to ${going[1]}`);
  }
  let m = CANCEL.exec(clause);
  if (m) {
    const action = actionOf(m[1] ?? m[2] ?? m[3]!);
    const postponed = /\b(?:postponed|put off)\b/i.test(clause);
    return action
      ? [
          plan(
            action,
            postponed ? 'postponed' : 'cancelled',
            `The user ${postponed ? 'postponed' : 'cancelled'} the plan to ${action}.`,
            0.8,
          ),
        ]
      : [];
  }
  m = PLAN.exec(clause);
  let rest = m ? (m[1] ?? m[2] ?? m[3] ?? m[4]) : undefined;
  if (!m) {
    // "I'm flying to Tokyo next week": a present progressive with a time ahead is a plan.
    const p = PROGRESSIVE.exec(clause);
    if (p && timeIn(p[2]!) && !/^(?:living|working|staying|feeling|doing)$/i.test(p[1]!))
      rest = `${p[1]} ${p[2]}`;
  }
  if (!rest) return [];
  if (/^(?:going to|moving to|heading to|flying to)\b/i.test(rest) || /^to\b/i.test(rest))
    rest = rest.replace(/^(?:going )?to\s+/i, 'go to ');
  const when = timeIn(rest);
  const action = actionOf(rest);
  if (!action || /^(?:be|say|tell|ask|try|think|see|let)$/i.test(action)) return [];
  const weak = /\bthinking\b/i.test(m?.[0] ?? '');
  return [
    plan(
      action,
      when ?? 'planned',
      `The user plans to ${action}${when ? ` ${when}` : ''}.`,
      weak ? 0.5 : 0.75,
    ),
  ];
}

function actionOf(rest: string): string {
  const first =
    rest.split(/[.;!?]|,\s*(?:but|because|since|so)\b|\s+(?:because|but|so that|since)\s+/i)[0] ??
    '';
  return withoutTime(first.replace(TAIL, ''))
    .replace(/\s+(?:with|for) (?:my|a|the|some)\b.*$/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .split(' ')
    .slice(0, 8)
    .join(' ');
}

function plan(action: string, value: string, text: string, confidence: number): AnchorCandidate {
  const key = action.replace(/^(\w+)ing\b/i, '$1');
  return { kind: 'intent', key: `user.plan.${slug(key, 4)}`, value, text, confidence };
}

const LANGUAGE = new RegExp(`\\b(?:in|into) (${lexicon.languages.join('|')})\\b`, 'i');
const SHORT = /\b(short|shorter|brief|briefer|concise|succinct|terse|to the point)\b/i;
const LONG = /\b(long|longer|detailed|in depth|in detail|thorough|verbose|elaborate)\b/i;
const VERBS = new Set(lexicon.instructionVerbs);
const STYLE_VERBS = new Set(lexicon.styleVerbs);
const STYLE_NOUNS = new Set(lexicon.styleNouns);
const STANDING = new RegExp(`\\b(?:${lexicon.standingMarkers.join('|')})\\b`, 'i');

/** Whether an unmarked imperative is about how answers read, rather than one task. */
function aboutStyle(body: string): boolean {
  if (/^\w+ (?:me|us|this|that|these|the following)\b/i.test(body)) return false;
  if (LANGUAGE.test(body) || SHORT.test(body) || LONG.test(body) || /\bemoji/i.test(body))
    return true;
  return body
    .toLowerCase()
    .split(/[^a-z]+/)
    .some((w) => STYLE_NOUNS.has(w));
}

/**
 * Standing instructions to the assistant ("always answer in French", "please keep answers
 * short", "don't use emojis"): kind preference, key `user.instruction.<topic>`.
 */
export function instructionAnchors(sentence: string): AnchorCandidate[] {
  let s = sentence
    .replace(
      /^(?:I want you to|I would like you to|I need you to|make sure (?:to|you)|feel free to|you (?:can|may)(?: always)?|go ahead and)\s+/i,
      '',
    )
    .replace(
      /^(?:(?:please|kindly|from now on|going forward|in future|in the future|also|and)\b,?\s*)+/i,
      '',
    )
    .replace(/[.!]+$/, '');
  const prefer =
    /^I (?:prefer|like|want|would like|would prefer) (short|shorter|brief|concise|long|longer|detailed) (?:answers|responses|replies)\b/i.exec(
      s,
    );
  if (prefer) s = `keep answers ${prefer[1]}`;
  const polar = /^(always|never|do not|stop|no more|avoid)\b\s*(?:please\s+)?/i.exec(s);
  // A request for one thing ("Write me a short poem", "Summarize this article") is not a
  // standing instruction: those say so (always, never, from now on, don't…), or are about
  // how every answer should read ("Answer in French", "Keep answers short").
  const marked = Boolean(polar || prefer) || STANDING.test(` ${sentence} `.slice(0, 200));
  const negative = Boolean(polar && !/^always$/i.test(polar[1]!));
  const body = polar ? s.slice(polar[0].length) : s;
  const verb = (body.split(' ')[0] ?? '').toLowerCase().replace(/ing$/, '');
  const isAvoid = /^avoid$/i.test(polar?.[1] ?? '');
  if (!isAvoid && !VERBS.has(verb) && !VERBS.has(`${verb}e`)) return [];
  if (lexicon.notInstructionObjects.some((w) => body.toLowerCase().startsWith(w))) return [];
  if (/^call me\b/i.test(body)) return [];
  if (!marked && !(STYLE_VERBS.has(verb) && aboutStyle(body))) return [];
  const say = `Standing instruction from the user: ${sentence.trim().replace(/[.!]*$/, '.')}`;
  const make = (topic: string, value: string): AnchorCandidate[] => [
    { kind: 'preference', key: `user.instruction.${topic}`, value, text: say, confidence: 0.85 },
  ];
  if (/\bemoji|emoticon/i.test(body)) return make('emojis', negative ? 'avoid' : 'use');
  const language = LANGUAGE.exec(body);
  if (language) return make('language', `${negative ? 'not ' : ''}${language[1]!.toLowerCase()}`);
  if (SHORT.test(body)) return make('length', negative ? 'detailed' : 'short');
  if (LONG.test(body)) return make('length', negative ? 'short' : 'detailed');
  const topic = slug(isAvoid ? body : body.replace(/^(\w+?)(?:ing)?\b/i, '$1'), 4);
  return topic ? make(topic, negative ? "don't" : 'do') : [];
}
