/**
 * One conversation held in the LLM's KV cache, and what the cache holds of it: which memory
 * items and turns were fed, and which replies were generated, so that each turn feeds only
 * what is missing, and a conversation answered elsewhere is noticed.
 */
import type { KvChat, KvChatOptions, RecallItem } from '../../../src/index.js';
import { HEADERS } from '../../../src/recall/pack.js';
import type { LoadedLlm } from './llm-load.js';
import { readTurnLine } from './phrasing.js';
import type { ChatMessage } from './prompt.js';
import type { ReplyRequest } from './types.js';

/** KvChat's prune settings, changed between turns (window, rotation). */
export type PruneSettings = { -readonly [K in keyof KvChatOptions]: KvChatOptions[K] };

/** One conversation's cache and what it holds. */
export interface Conversation {
  readonly session: string;
  readonly chat: KvChat;
  readonly prune: PruneSettings;
  prunes: number;
  /** Memory items (anchors, summaries, earlier turns) in the cache. */
  readonly fedItems: Set<string>;
  /** Ids of user turns in the cache, and the replies generated (trimmed). */
  readonly fedTurns: Set<string>;
  readonly replies: Set<string>;
  /** The last token of the last reply. */
  lastToken?: number;
}

/**
 * The new messages for a cached conversation: memory it lacks, then the user's message. The
 * memory fed per turn is capped at `memoryTokens` (a share of the KV budget), the most relevant
 * first: recall is sized for a whole prompt, and feeding all of it into a cache near its budget
 * would prune again at every turn. Returns the ids of the memory items fed.
 */
export function continuation(
  conversation: Conversation,
  request: ReplyRequest,
  memoryTokens = Number.POSITIVE_INFINITY,
): { messages: ChatMessage[]; items: string[] } {
  const fresh = request.recall.items.filter(
    (item) =>
      item.tier !== 'short-term' &&
      !conversation.fedItems.has(item.id) &&
      !inCache(conversation, item),
  );
  const chosen = new Set<string>();
  let used = 0;
  for (const item of [...fresh].sort((a, b) => b.scores.final - a.scores.final)) {
    if (used + item.tokens > memoryTokens) continue;
    chosen.add(item.id);
    used += item.tokens;
  }
  const kept = fresh.filter((i) => chosen.has(i.id));
  const anchors = kept.filter((i) => i.kind === 'anchor').map((i) => i.text);
  const earlier = kept.filter((i) => i.kind !== 'anchor').map((i) => i.text);
  const memory = [
    anchors.length ? [HEADERS.anchors, ...anchors].join('\n') : '',
    earlier.length ? [HEADERS.earlier, ...earlier].join('\n') : '',
  ].filter(Boolean);
  const user: ChatMessage = { role: 'user', content: request.message };
  const messages: ChatMessage[] = memory.length
    ? [{ role: 'system', content: memory.join('\n\n') }, user]
    : [user];
  return { messages, items: [...chosen] };
}

/** Records what this turn feeds (`items`: the memory items fed, default all of recall's). */
export function feed(
  conversation: Conversation,
  request: ReplyRequest,
  fresh: boolean,
  items?: readonly string[],
): void {
  const fed = items ? new Set(items) : undefined;
  for (const item of request.recall.items) {
    if (item.tier !== 'short-term') {
      if (!fed || fed.has(item.id)) conversation.fedItems.add(item.id);
    } else if (fresh) for (const s of item.sources) conversation.fedTurns.add(s);
  }
  conversation.fedTurns.add(request.turnId);
}

/** An earlier turn this conversation's cache was fed (or generated) itself. */
export function inCache(conversation: Conversation, item: RecallItem): boolean {
  if (item.kind !== 'turn') return false;
  if (item.sources.every((s) => conversation.fedTurns.has(s))) return true;
  const turn = readTurnLine(item.text);
  return turn?.role === 'assistant' && conversation.replies.has(turn.content.trim());
}

/**
 * Whether the turn before this message was answered by someone else (another responder, or
 * another tab): then the cache lacks it, and the conversation starts over from recall.
 */
export function answeredElsewhere(conversation: Conversation, request: ReplyRequest): boolean {
  const turns = request.recall.messages.filter((m) => m.role !== 'system');
  const before = turns.at(-1)?.content === request.message ? turns.at(-2) : turns.at(-1);
  return before?.role === 'assistant' && !conversation.replies.has(before.content.trim());
}

/** The end-of-turn text the last reply ended with, when it ended with one. */
export function endedWith(conversation: Conversation, loaded: LoadedLlm): string | undefined {
  const last = conversation.lastToken;
  return last !== undefined && loaded.eos.has(last) ? loaded.tokenizer.decode([last]) : undefined;
}
