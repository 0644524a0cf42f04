/**
 * Turns a sentence into first-person clauses ready for the patterns: contractions expanded,
 * opening fillers dropped, questions and hypotheticals recognized (they state no fact).
 */

const FILLERS =
  /^(?:(?:actually|well|oh|ok|okay|so|also|and|but|btw|by the way|anyway|now|hey|hi|hello|yeah|yes|no|um|uh|fyi|just so you know|for the record|update|oh and|and also|sorry|oops|wait|whoops|scratch that|correction|lol|haha|omg|ugh|honestly|tbh|turns out|it turns out|guess what|fun fact)\b[,:!.-]?\s*)+/i;

/**
 * Expands the contractions the patterns care about ("I'm" → "I am", "don't" → "do not"),
 * straightens quotes and collapses spaces; letter case is kept, names need it.
 */
export function expandContractions(text: string): string {
  return (
    text
      .replace(/[’‘]/g, "'")
      .replace(/\s+/g, ' ')
      .replace(/\bI'm\b/gi, 'I am')
      .replace(/\bI've\b/gi, 'I have')
      .replace(/\bI'll\b/gi, 'I will')
      .replace(/\bI'd\b/gi, 'I would')
      .replace(/\bmy name's\b/gi, 'my name is')
      .replace(/^name's\b/i, 'my name is')
      // "my car's an old Fiat", "my bday's on May 3", "my sister's Ana": "'s" is "is" where a
      // predicate follows, a possessive where a noun does ("my sister's name").
      .replace(
        /\b((?:my|our) (?:[a-z]+ )?[a-z]+)'s (?=(?:an?|the|on|in|at|from|called|named|now|still|just|actually|really|so|very|not|always|been|getting|going|turning)\b|\p{Lu}|\d)/gu,
        '$1 is ',
      )
      .replace(/\b(he|she|it|that|there|what|who|where)'s\b/gi, '$1 is')
      .replace(/\bcan't\b/gi, 'cannot')
      .replace(/\bwon't\b/gi, 'will not')
      .replace(/\b(\w+)n't\b/gi, '$1 not')
      // Chat without apostrophes: "im", "ive", "dont", "cant", "didnt", "isnt".
      .replace(/\bim\b/g, 'I am')
      .replace(/\bIm\b/g, 'I am')
      .replace(/\bive\b/g, 'I have')
      .replace(/\b(do|does|did|is|are|was|were|have|has|had|should|would|could)nt\b/gi, '$1 not')
      .replace(/\bcant\b/gi, 'cannot')
      .replace(/\bi\b/g, 'I')
      // Chat spellings of the words the patterns key on.
      .replace(/\bal+er+gic\b/gi, 'allergic')
      .replace(/\bal+er+g(y|ies)\b/gi, 'allerg$1')
      .replace(/\b(?:bday|b-day|birthdy)\b/gi, 'birthday')
      .replace(/\bfave?\b/gi, 'favourite')
      .replace(/\bmy (\w+ )?sis\b/gi, 'my $1sister')
      .replace(/\bmy (\w+ )?bro\b/gi, 'my $1brother')
      .replace(/\bgonna\b/gi, 'going to')
      .replace(/\bwanna\b/gi, 'want to')
      .replace(/\brn\b/gi, 'right now')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Verbs that open a chat clause whose "I" was left out ("been living in Oslo for years"). */
const DROPPED_I =
  /^(?:(been)|(just |finally |recently )?(went|moved|relocated|started|switched|left|dropped|quit|gave up|took up|traded|bought|sold|got|retrained|became|adopted|joined|turned|changed)|(trying|turning|working|living|learning|studying|playing|moving|starting|thinking))\b/i;

/**
 * Puts back the "I" that chat leaves out at the start of a clause: "been at Acme for two
 * years" → "I have been at Acme…", "went vegan last year" → "I went vegan…", "trying to learn
 * Dutch" → "I am trying to learn Dutch", "born on May 3" → "I was born on May 3". Only past tenses and "-ing" forms: a bare present
 * ("play some jazz") is an imperative to the assistant, not a statement.
 */
export function withSubject(clause: string): string {
  if (/^born (?:on|in)\b/i.test(clause)) return `I was ${clause}`;
  const m = DROPPED_I.exec(clause);
  if (!m) return clause;
  if (m[1]) return `I have ${clause}`;
  if (m[4]) return `I am ${clause}`;
  return `I ${clause}`;
}

/**
 * Splits an expanded sentence where a new first-person clause starts ("I live in Lisbon and I
 * work as a nurse"), and drops opening fillers ("Actually, I moved to Berlin").
 */
export function clausesOf(sentence: string): string[] {
  return sentence
    .split(
      /(?:[,;]\s*|\s+)(?:and|but|so|though|although|while|because)\s+(?=(?:I|my)\b)|,\s*(?=I (?:am|have|was|do|did|will|live|work|play|drive|moved|went|switched|got|gave|took)\b)|;\s*|:\s+(?=(?:I|my)\b)|\s+-\s+/,
    )
    .map((c) => withSubject(c.replace(FILLERS, '').trim()))
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
  /\b(?:if|wish|imagine|imagining|suppose|supposing|pretend|hypothetically|whether|unless|in case|dream(?:ed|t)? (?:of|about)|someone|somebody|a friend of mine said|they say)\b|\b(?:would|could|might)\b(?! (?:like|love|prefer|rather)\b)(?! (?:eat|drink|listen to|watch|read) [^.]*\b(?:every|all) (?:single )?(?:day|night|week|meal)\b)/i;

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
    'daily weekly is are was were am has have had will would can could should do does did'
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
    if (capitalRun && out.length > 0 && word === 'I') break;
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

const ASKING =
  /[,;]\s*(?:so |and |but |just )?(?:what|how|where|when|who|which|why|should|shall|can|could|would|will|do|does|did|is|are|am|any|anything|got|ideas?|thoughts?|tips?|suggestions?|recommendations?|advice|help|right|ok|okay)\b[^,]*$/i;

/**
 * The statement a question opens with, which the question takes as given: "I'm a nurse, any
 * tips for night shifts?" → "I am a nurse"; "as a vegetarian, what should I eat?" → "I am a
 * vegetarian". Undefined when the sentence only asks ("Do you think I live in Paris?").
 */
export function statementBeforeQuestion(expanded: string): string | undefined {
  const s = expanded.replace(FILLERS, '').trim();
  const as = AS_WHO.exec(s);
  if (as) return asStatement(as);
  if (QUESTION_START.test(s)) return undefined;
  const asking = ASKING.exec(s);
  const statement = asking ? s.slice(0, asking.index).trim() : '';
  return statement && !QUESTION_START.test(statement) ? statement : undefined;
}

const AS_WHO = /^as (an? |someone who |somebody who |a person who )([^,]+?)(?:,\s*|\s+(?=I\b))/i;

function asStatement(m: RegExpExecArray): string {
  if (/^an? $/i.test(m[1]!)) return `I am ${m[1]}${m[2]}`;
  // "someone who lives in Oslo" → "I live in Oslo"
  return `I ${m[2]!.replace(/^(\w+)\b/, firstPerson)}`;
}

function firstPerson(verb: string): string {
  const irregular: Record<string, string> = { is: 'am', has: 'have', does: 'do', goes: 'go' };
  const lower = verb.toLowerCase();
  if (irregular[lower]) return irregular[lower];
  if (/(?:ss|x|z|ch|sh)es$/i.test(verb)) return verb.slice(0, -2);
  return verb.replace(/([^s])s$/i, '$1');
}

/**
 * Chat shorthands restated as the sentences the patterns read: "new hobby: pottery" → "my
 * hobby is pottery"; "As a nurse, I work nights" → "I am a nurse; I work nights".
 */
export function restated(expanded: string): string {
  const s = expanded.replace(FILLERS, '').trim();
  const fresh = /^(?:my )?new ([a-z]+(?: [a-z]+)?)\s*[:=-]\s*(.+)$/i.exec(s);
  if (fresh) return `my ${fresh[1]} is ${fresh[2]}`;
  // "my favourite food changed, it's ramen now"
  const changed = /^my ([a-z-]+(?: [a-z]+)?) (?:has )?changed,? (?:it is|now it is) (.+)$/i.exec(s);
  if (changed) return `my ${changed[1]} is now ${changed[2]}`;
  const as = AS_WHO.exec(s);
  if (as) return `${asStatement(as)}; ${s.slice(as[0].length)}`;
  return expanded;
}

const PREPOSITION_OBJECT =
  /^.*\b(?:for|at|in|without|with|about|of|on|to|into|from|like)\s+(?:the |a |an |some |any |my )?([^,.;!?]+?)\s*[,.;!?]*\s*$/i;

/**
 * What a short follow-up points back to, in the clause before it: the subject of "X makes me
 * sneeze", else the object of its last preposition ("better at rock climbing?" → "rock
 * climbing").
 */
export function antecedent(before: string): string | undefined {
  const last =
    before
      .split(/[.;!?]\s+|,\s*/)
      .filter((c) => c.trim())
      .pop()
      ?.trim() ?? '';
  const cause = /^(.+?) (?:makes?|made|gives?|gave) me\b/i.exec(last)?.[1];
  // "does this have sesame in it?": the thing had, when the preposition's object is "it".
  const had =
    /\b(?:have|has|contain|contains|with|without|no|any)\s+(?:any |some |the )?(\p{L}[\p{L}-]*(?: (?!please|pls|thanks)\p{L}[\p{L}-]*)?)(?= in\b| on\b| please\b| pls\b|[?.!,]|$)/iu.exec(
      last,
    )?.[1];
  // "peanuts please, I'm allergic": a short verbless clause is the thing itself.
  const bare = last.replace(/\b(?:please|pls|thanks|thx)\b/gi, '').replace(/[^\p{L}\s-]/gu, '');
  const itself = bare.trim().split(/\s+/).length <= 3 ? bare.trim() : undefined;
  for (const phrase of [cause, PREPOSITION_OBJECT.exec(last)?.[1], had, itself]) {
    const words = phrase?.replace(/^(?:the|a|an|some|my)\s+/i, '').trim();
    if (words && words.split(/\s+/).length <= 4 && !PRONOUN.test(words)) return words;
  }
  return undefined;
}

const PRONOUN = /^(?:it|that|this|them|me|you|one|there|here)$/i;

/** The place a "here" or "there" points back to: the last capitalized name in `before`. */
function placeIn(before: string): string | undefined {
  const names = [
    ...before.matchAll(/(?<!^|[.!?]\s)\b(\p{Lu}[\p{L}'-]+(?: \p{Lu}[\p{L}'-]+)*)/gu),
  ].map((m) => m[1]!);
  return names.filter((n) => n !== 'I').pop();
}

/**
 * A clause whose pronoun (or missing object) points back at the clause before: "it's my
 * favourite" → "tacos is my favourite", "I'm learning it" → "I am learning Dutch", "I'm
 * allergic" → "I am allergic to cashews".
 */
export function resolveReferences(clause: string, before: string): string {
  const favourite =
    /^(?:it|that|this) (is|are) (my (?:\w+ )?(?:favourite|hobby|pastime|thing)\b.*)$/i;
  const object =
    /\bI (?:am|have been) (?:\w+ )?(learning|studying|allergic to|into|obsessed with|playing) (it|that|them)\b/i;
  const bare = /\bI am (?:(?:so|very|really|severely|badly|also) )?allergic\s*[.!]*$/i;
  // "is Ghent nice for kids? we live here now", "Globex? it's where I work"
  const here =
    /\b((?:I|we) (?:\w+ )?(?:live|am based|are based|work|moved|have moved)) (here|there)\b/i;
  const where = /^(?:it|that|this) is where (I|we) (live|work)\b/i;
  if (here.test(clause) || where.test(clause)) {
    const place = where.test(clause) ? antecedent(before) : placeIn(before);
    if (!place) return clause;
    return clause
      .replace(
        here,
        (_m, said: string) => `${said} ${/\bwork$/i.test(said) ? 'at' : 'in'} ${place}`,
      )
      .replace(
        where,
        (_m, who: string, verb: string) =>
          `${who} ${verb} ${verb.toLowerCase() === 'work' ? 'at' : 'in'} ${place}`,
      );
  }
  if (!favourite.test(clause) && !object.test(clause) && !bare.test(clause)) return clause;
  const thing = antecedent(before);
  if (!thing) return clause;
  return clause
    .replace(favourite, `${thing} $1 $2`)
    .replace(object, (m, _verb: string, pronoun: string) =>
      m.replace(new RegExp(`${pronoun}$`), thing),
    )
    .replace(bare, (m) => `${m.replace(/[.!]*$/, '')} to ${thing}`);
}
