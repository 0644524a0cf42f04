/**
 * The prompt the model responders send: one system message (who the assistant is, then the
 * memory recall found), the recent turns, and the user's message last.
 */
import type { ReplyRequest } from './types.js';

/** A chat message as chat templates and OpenAI-compatible servers take it. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** What the assistant is told before its memory. */
export const SYSTEM_PROMPT =
  'You are a helpful assistant with memory of your earlier conversations with this user. ' +
  'Use what you remember when it is relevant; each memory line carries its date. ' +
  'If your memory does not say, say that you do not know rather than guess.';

/**
 * The messages for one reply: the system prompt and recall's memory as one system message
 * (several chat templates refuse a second one), then recall's recent turns, ending with the
 * user's message (added if recall left it out, e.g. under a tiny budget).
 *
 * @example
 * chatMessages(request); // [{ role: 'system', … }, …, { role: 'user', content: request.message }]
 */
export function chatMessages(
  request: Pick<ReplyRequest, 'message' | 'recall'>,
  systemPrompt = SYSTEM_PROMPT,
): ChatMessage[] {
  const memory = request.recall.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const turns = request.recall.messages
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
  const last = turns[turns.length - 1];
  if (!last || last.role !== 'user' || last.content !== request.message) {
    turns.push({ role: 'user', content: request.message });
  }
  const system = [systemPrompt, ...memory].filter((s) => s.trim()).join('\n\n');
  return [{ role: 'system', content: system }, ...turns];
}
