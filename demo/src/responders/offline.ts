/**
 * The responder that needs no model: it answers from memory alone, so that the demo works on
 * first start with nothing downloaded. What the user told it comes back in their own terms
 * ("You told me your name is Maria."), earlier turns are quoted with their date, and when
 * memory holds nothing on the question it says so.
 */
import type { RecallItem } from '../../../src/index.js';
import {
  anchorSentence,
  clip,
  echo,
  quoteUser,
  readSummary,
  readTurnLine,
  sayAnchor,
  spokenDate,
} from './phrasing.js';
import { questionTerms, relevance, type QuestionTerms } from './relevance.js';
import { paced } from './stream.js';
import type { ReplyRequest, Responder } from './types.js';

/** Options of {@link offlineResponder}. */
export interface OfflineResponderOptions {
  /** Milliseconds between word pieces, so that streaming shows (default 8; 0 in tests). */
  readonly delayMs?: number;
}

/** What the reply is composed from. */
export type OfflineQuestion = Pick<ReplyRequest, 'message' | 'turnId' | 'recall' | 'userName'>;

export const NOTHING_KNOWN =
  "I don't have anything about that in memory yet — tell me and I'll remember.";

const GREETING =
  /^(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day))\b[\s,!.]*(?:there|again|everyone|friend)?[\s,!.]*/i;
const THANKS = /^(?:thanks|thank you|thx|ty|cheers|many thanks|much appreciated)\b/i;
const BYE = /^(?:bye|goodbye|good night|see you|see ya|cya|talk (?:to you )?later)\b/i;
const HOW_ARE_YOU = /^how are you\b|^how's it going\b/i;
const WHO_ARE_YOU = /^(?:who|what) are you\b|\bwhat can you do\b/i;
const ABOUT_ME =
  /\bwho am i\b|\b(?:know|remember|recall)\b[^?]*\babout me\b|\btell me about (?:me|myself)\b|\bwhat do you know\b/i;
const QUESTION =
  /\?\s*$|^(?:what|where|when|who|whom|whose|which|why|how|do|does|did|is|are|am|was|were|can|could|would|will|should|have|has|tell me|remind me|remember|recall)\b/i;

/** A memory kept for the answer, with how well it answers. */
interface Kept {
  readonly item: RecallItem;
  readonly score: number;
}

/**
 * The offline responder.
 *
 * @example
 * const responder = offlineResponder();
 * await responder.load(() => {});
 * for await (const piece of responder.reply({ session, message, turnId, recall, signal })) out += piece;
 */
export function offlineResponder({ delayMs = 8 }: OfflineResponderOptions = {}): Responder {
  return {
    id: 'offline',
    label: 'Offline (answers from memory)',
    async load(onProgress) {
      onProgress({ progress: 1, detail: 'Ready: answers from memory, no model needed' });
    },
    reply(request) {
      return paced(offlineAnswer(request), { delayMs, signal: request.signal });
    },
  };
}

/**
 * The whole reply to one message: a short reply to small talk, an acknowledgement of what the
 * user said, or what memory holds on their question.
 *
 * @example
 * offlineAnswer({ message: 'What is my name?', turnId, recall }); // 'You told me your name is Maria.'
 */
export function offlineAnswer(question: OfflineQuestion): string {
  const message = question.message.trim();
  const name = question.userName ?? nameFromMemory(question.recall.items);
  const hi = name ? `Hi ${name}!` : 'Hi!';
  const greeting = GREETING.exec(message);
  const rest = greeting ? message.slice(greeting[0].length).trim() : message;
  if (greeting && !rest)
    return `${hi} I'm answering from memory, with no model. Tell me about yourself, or ask me what I remember.`;
  if (THANKS.test(rest) && rest.split(/\s+/).length <= 6) return "You're welcome!";
  if (BYE.test(rest) && rest.split(/\s+/).length <= 6)
    return 'Bye! I’ll keep all of this in memory for next time.';
  if (HOW_ARE_YOU.test(rest))
    return "I'm well, thanks! I'm the offline responder: I answer from what you've told me.";
  if (WHO_ARE_YOU.test(rest))
    return "I'm the offline responder: I need no model and answer from memory — what you've told me, and when. Tell me something and ask me about it later.";
  const lead = greeting ? `${hi} ` : '';
  if (!QUESTION.test(rest)) return lead + acknowledge(rest);
  return lead + answerFromMemory(rest, question);
}

function acknowledge(statement: string): string {
  const said = echo(statement);
  return said
    ? `Got it: ${said.replace(/[.!]*$/, '.')} I'll remember that.`
    : "Got it — I'll remember that.";
}

function answerFromMemory(message: string, { turnId, recall }: OfflineQuestion): string {
  const terms = questionTerms(message);
  const items = recall.items.filter((item) => !isTheQuestion(item, turnId));
  const anchors = ABOUT_ME.test(message)
    ? items.filter((i) => i.kind === 'anchor' && isProfile(i)).map((item) => ({ item, score: 1 }))
    : keepBest(
        items
          .filter((i) => i.kind === 'anchor')
          .map((item) => {
            const { sentence, gloss } = anchorSentence(item.text);
            return { item, score: relevance(terms, sentence, lexicalBonus(item), gloss) };
          }),
        1,
      );
  const told = new Set(anchors.flatMap((a) => a.item.sources));
  const earlier = ABOUT_ME.test(message)
    ? []
    : keepBest(
        items
          .filter((i) => i.kind !== 'anchor' && !i.sources.every((s) => told.has(s)))
          .map((item) => ({ item, score: scoreEarlier(item, terms) })),
        2,
      )
        .slice(0, 3)
        .sort((a, b) => a.item.at - b.item.at);
  const facts = unique(anchors.map((a) => sayAnchor(a.item.text)));
  const quotes = unique(earlier.map((e) => quoteEarlier(e.item, terms)).filter(isText));
  if (!facts.length && !quotes.length) return NOTHING_KNOWN;
  const parts: string[] = [];
  if (facts.length) parts.push(facts.join(' '));
  if (quotes.length === 1 && facts.length) parts.push(`Earlier, ${lowerFirst(quotes[0]!)}`);
  else if (quotes.length === 1) parts.push(quotes[0]!);
  else if (quotes.length) parts.push(`From our earlier conversation:\n${quotes.join('\n')}`);
  return parts.join('\n\n');
}

/** The question's own turn (in the window, or found by search) is not an answer to it. */
function isTheQuestion(item: RecallItem, turnId: string): boolean {
  if (item.sources.length === 1 && item.sources[0] === turnId) return true;
  if (item.kind !== 'turn') return false;
  const turn = readTurnLine(item.text);
  // The assistant's own earlier replies and the user's earlier questions tell nothing new.
  return !turn || turn.role !== 'user' || /\?\s*$/.test(turn.content);
}

function isProfile(item: RecallItem): boolean {
  const { sentence } = anchorSentence(item.text);
  return /^The user\b|^Standing instruction from the user\b|\bthe user's\b/i.test(sentence);
}

function lexicalBonus(item: RecallItem): number {
  return item.scores.lexical !== undefined && item.scores.lexical > 0 ? 0.5 : 0;
}

function scoreEarlier(item: RecallItem, terms: QuestionTerms): number {
  if (item.kind === 'summary') {
    const user = readSummary(item.text).parts.filter((p) => p.role === 'user');
    return Math.max(0, ...user.map((p) => relevance(terms, p.content)));
  }
  const turn = readTurnLine(item.text);
  return turn ? relevance(terms, turn.content, lexicalBonus(item)) : 0;
}

/** What scores at least `floor` and at least half the best, best first. */
function keepBest(scored: Kept[], floor: number): Kept[] {
  const best = Math.max(0, ...scored.map((s) => s.score));
  return scored
    .filter((s) => s.score >= floor && s.score >= best / 2)
    .sort((a, b) => b.score - a.score);
}

function quoteEarlier(item: RecallItem, terms: QuestionTerms): string | undefined {
  if (item.kind === 'summary') {
    const said = readSummary(item.text)
      .parts.filter((p) => p.role === 'user' && relevance(terms, p.content) > 0)
      .map((p) => clip(p.content, 30));
    return said.length
      ? `Around ${spokenDate(item.at)} you said: “${said.join(' … ')}”`
      : undefined;
  }
  const turn = readTurnLine(item.text);
  return turn ? quoteUser(item.at, turn.content) : undefined;
}

function nameFromMemory(items: readonly RecallItem[]): string | undefined {
  for (const item of items) {
    if (item.kind !== 'anchor') continue;
    const m = /^The user's name is ([^.(]+)/.exec(anchorSentence(item.text).sentence);
    if (m) return m[1]!.trim();
  }
  return undefined;
}

/** One of each sentence, compared by its words (two anchors can say one thing). */
function unique(lines: string[]): string[] {
  const seen = new Set<string>();
  return lines.filter((line) => {
    const key = line
      .toLowerCase()
      .replace(/[^\p{L}\p{N} ]/gu, '')
      .split(' ')
      .sort()
      .join(' ');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isText(value: string | undefined): value is string {
  return typeof value === 'string' && value.length > 0;
}

function lowerFirst(text: string): string {
  return text[0]!.toLowerCase() + text.slice(1);
}
