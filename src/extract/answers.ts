/**
 * Facts said over two turns: the assistant asks, the user answers in a fragment ("What did you
 * name him?" — "Biscuit :) he's a menace"). The fragment alone says nothing about anyone; with
 * the question (and the user's turn before it, for who "him" is) it is restated as the
 * sentence the patterns read ("my dog is called Biscuit").
 */
import { isCapitalized, leadingPhrase } from './clause.js';
import lexicon from './lexicon.json';

/** A turn said before the one being read, oldest first. */
export interface EarlierTurn {
  role: string;
  content: string;
}

const KIN = [...lexicon.relations.one, ...lexicon.relations.many, ...lexicon.pets]
  .map((w) => w.replace(/[-\s]/g, '[-\\s]'))
  .join('|');
const KIN_MENTION = new RegExp(`\\b(?:my|our|a|an|the|new) (?:\\w+ )?(${KIN})\\b`, 'gi');

/** What the assistant asked for, and the sentence that says it once answered. */
const ASKS: {
  re: RegExp;
  say: (value: string, about: string | undefined) => string | undefined;
}[] = [
  {
    // the user's own name
    re: /\b(?:what should I call you|what(?:'s| is) your name|how should I (?:call|address) you|who am I (?:talking|speaking) (?:to|with))\b/i,
    say: (v) => `my name is ${v}`,
  },
  {
    // someone's or a pet's name: "What's her name?", "What did you name him?"
    re: new RegExp(
      `\\b(?:what(?:'s| is| was) (?:his|her|their|its|the (${KIN})'s) name|what did you (?:name|call) (?:him|her|them|it|the (${KIN}))|what(?:'s| is| are) (?:he|she|they|it|the (${KIN})) called|who(?:'s| is) (?:he|she))\\b`,
      'i',
    ),
    // A name: capitalized, or one word in lowercase chat ("biscuit lol" is not one).
    say: (v, about) =>
      about && about !== 'home' && (isCapitalized(v) || !v.includes(' '))
        ? `my ${about} is called ${v}`
        : undefined,
  },
  {
    // an employer: "Which company?", "Where will you work?"
    re: /\b(?:(?:which|what) (?:company|employer|firm|organi[sz]ation)|where (?:will|do|are|did) you (?:work|be working|start)|who(?:'s| is) (?:the|your) (?:new )?employer)\b/i,
    say: (v) => (isCapitalized(v) ? `I work at ${v}` : undefined),
  },
  {
    // a job: "What will you be doing?", "What's the role?"
    re: /\b(?:what will you be doing|what(?:'s| is) (?:the|your) (?:new )?(?:role|job|position)|what (?:kind of|sort of) (?:job|work|role)|what do you do(?: for (?:a living|work))?)\b/i,
    say: (v) => `I work as a ${v.toLowerCase()}`,
  },
  {
    // a home: "Where is it?" after "we found a flat", "Where to?" after "we're moving"
    re: /\bwhere\b/i,
    say: (v, about) => (about === 'home' && isCapitalized(v) ? `I live in ${v}` : undefined),
  },
];

const NOT_AN_ANSWER =
  /^(?:\w+n't|(?:do|ca|wo|have|has|did|is|are|was|does)nt|have|has|had|was|were|will|gonna|none|not sure|I|we|my|our|it|its|it's|that|this|no|not|nope|yes|yeah|yep|sure|idk|dunno|hmm+|um+|uh|haha\w*|lol|maybe|well|why|what|how|who|where|when|which|can|could|would|should|do|does|did|is|are|the|a|an|nothing|nowhere|nobody|someone|somewhere|still|just|oh|ok|okay|thanks|thank)\b/i;

/**
 * The statement a fragment answer makes, or undefined when the turn is no such answer.
 *
 * @example
 * answerAsStatement('Biscuit :) he is a menace', [
 *   { role: 'user', content: 'we adopted a puppy!' },
 *   { role: 'assistant', content: 'Congrats! What did you name him?' },
 * ]); // "my puppy is called Biscuit"
 */
export function answerAsStatement(
  content: string,
  previous: readonly EarlierTurn[],
): string | undefined {
  const asked = previous[previous.length - 1];
  if (asked?.role !== 'assistant') return undefined;
  const question = asked.content
    .split(/(?<=[.!?])\s+/)
    .filter((s) => /\?\s*$/.test(s))
    .pop();
  if (!question) return undefined;
  const fragment = content
    .trim()
    .split(/[.!?;:(]|\s[-–]\s/)[0]!
    .trim();
  if (!fragment || NOT_AN_ANSWER.test(fragment)) return undefined;
  const value = leadingPhrase(fragment, 3);
  // A fragment is a name or a short noun phrase, not a sentence of its own.
  if (!value || value.split(' ').length > 3) return undefined;
  const said = [...previous.slice(0, -1)].reverse().find((t) => t.role === 'user')?.content ?? '';
  for (const ask of ASKS) {
    const m = ask.re.exec(question);
    if (!m) continue;
    const about = m.slice(1).find(Boolean)?.toLowerCase() ?? aboutIn(said);
    return ask.say(value, about);
  }
  return undefined;
}

/** Whom or what the user's turn before the question was about: the last relation or pet named, or "home". */
function aboutIn(said: string): string | undefined {
  const kin = [...said.matchAll(KIN_MENTION)].pop()?.[1];
  if (kin) return kin.toLowerCase();
  if (/\b(?:mov(?:e|ed|ing)|flat|apartment|house|home|relocat\w*|place to live)\b/i.test(said))
    return 'home';
  return undefined;
}
