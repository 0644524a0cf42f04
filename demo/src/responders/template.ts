/**
 * Chat-template text for a conversation whose earlier turns are already in the KV cache. A
 * template renders whole conversations, so the text of one more turn is what rendering adds
 * after an assistant message: render a stand-in exchange followed by the new messages, and
 * keep what follows the stand-in reply. That text opens with the template's end-of-turn
 * (`<|im_end|>\n` in ChatML); when the model's reply ended with that token itself, it is
 * already in the conversation and is cut off.
 */
import type { ChatMessage } from './prompt.js';

/** The part of a transformers.js tokenizer the templates use. */
export interface TemplateTokenizer {
  apply_chat_template(
    messages: ChatMessage[],
    options: { tokenize: false; add_generation_prompt: boolean },
  ): unknown;
}

// Invisible separators around letters: no template trims or escapes them, no text holds them.
const USER_MARK = '\u2063u\u2063';
const REPLY_MARK = '\u2063r\u2063';

/**
 * The whole conversation as the model's prompt, ending with the assistant's turn opening.
 *
 * @example
 * firstPrompt(tokenizer, chatMessages(request)); // '<|im_start|>system\n…<|im_start|>assistant\n'
 */
export function firstPrompt(tokenizer: TemplateTokenizer, messages: ChatMessage[]): string {
  return render(tokenizer, messages);
}

/**
 * The text that continues a cached conversation with `messages` (the memory's system message
 * if any, and the user's turn), ending with the assistant's turn opening. `endedWith` is the
 * text of the token the last reply ended with, when that was the end-of-turn token.
 * Templates that refuse a system message after the first get the memory in the user's turn.
 *
 * @example
 * nextTurn(tokenizer, [{ role: 'user', content: 'And now?' }], '<|im_end|>');
 * // '\n<|im_start|>user\nAnd now?<|im_end|>\n<|im_start|>assistant\n'
 */
export function nextTurn(
  tokenizer: TemplateTokenizer,
  messages: ChatMessage[],
  endedWith?: string,
): string {
  const standIn: ChatMessage[] = [
    { role: 'system', content: 'S' },
    { role: 'user', content: USER_MARK },
    { role: 'assistant', content: REPLY_MARK },
  ];
  let full: string;
  try {
    full = render(tokenizer, [...standIn, ...messages]);
  } catch (error) {
    if (!messages.some((m) => m.role === 'system')) throw error;
    full = render(tokenizer, [...standIn, ...foldSystem(messages)]);
  }
  const at = full.lastIndexOf(REPLY_MARK);
  if (at < 0) throw new Error('the chat template drops assistant messages');
  const text = full.slice(at + REPLY_MARK.length);
  return endedWith && text.startsWith(endedWith) ? text.slice(endedWith.length) : text;
}

/** System messages moved into the next user message, for templates that allow one system message. */
function foldSystem(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let held: string[] = [];
  for (const m of messages) {
    if (m.role === 'system') held.push(m.content);
    else if (m.role === 'user' && held.length) {
      out.push({ role: 'user', content: `${held.join('\n\n')}\n\n${m.content}` });
      held = [];
    } else out.push(m);
  }
  return out;
}

function render(tokenizer: TemplateTokenizer, messages: ChatMessage[]): string {
  const text = tokenizer.apply_chat_template(messages, {
    tokenize: false,
    add_generation_prompt: true,
  });
  if (typeof text !== 'string') throw new Error('the chat template did not render text');
  return text;
}
