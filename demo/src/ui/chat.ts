/** The message list: stored turns, then the reply being streamed. */
import type { Turn } from '../../../src/index.js';
import { formatTime, h } from '../dom.js';

export interface ChatModel {
  turns: Turn[];
  /** The reply being written, if any. */
  streaming: { text: string } | null;
  /** A failed reply's message, shown under the last turn. */
  error: string | null;
  /** Items recalled for the last answer (shown under it). */
  recalledCount: number | undefined;
  showRecalled(): void;
  suggest(text: string): void;
}

const SUGGESTIONS = [
  'My name is Maria and I live in Lisbon.',
  'I prefer window seats and vegetarian food.',
  'I plan to visit Tokyo in April.',
];

/** Each list's message elements by turn id: a long conversation is not rebuilt per change. */
const built = new WeakMap<HTMLElement, Map<string, HTMLElement>>();

export function renderChat(root: HTMLElement, model: ChatModel): void {
  const before = built.get(root) ?? new Map<string, HTMLElement>();
  const after = new Map<string, HTMLElement>();
  const items: HTMLElement[] = [];
  const visible = model.turns.filter((t) => t.role === 'user' || t.role === 'assistant');
  visible.forEach((turn, i) => {
    const last = i === visible.length - 1 && turn.role === 'assistant' && !model.streaming;
    if (last) return items.push(message(turn.role, turn.content, turn.at, model));
    const element = before.get(turn.id) ?? message(turn.role, turn.content, turn.at, undefined);
    after.set(turn.id, element);
    items.push(element);
  });
  built.set(root, after);
  if (model.streaming) {
    const streaming = message('assistant', model.streaming.text, undefined, undefined);
    streaming.classList.add('streaming');
    streaming.dataset.testid = 'streaming';
    items.push(streaming);
  }
  if (model.error) {
    const failed = message('assistant', model.error, undefined, undefined);
    failed.classList.add('error');
    failed.dataset.testid = 'reply-error';
    items.push(failed);
  }
  if (!items.length) items.push(emptyState(model));
  const stick = root.scrollHeight - root.scrollTop - root.clientHeight < 80;
  // Keep the children that are already in place (the conversation so far); replace the rest.
  let same = 0;
  while (same < items.length && root.children[same] === items[same]) same++;
  while (root.children.length > same) root.lastElementChild!.remove();
  root.append(...items.slice(same));
  if (stick || model.streaming) root.scrollTop = root.scrollHeight;
}

/** Updates the streaming bubble in place (no full re-render per token). */
export function updateStreaming(root: HTMLElement, text: string): boolean {
  const bubble = root.querySelector('[data-testid="streaming"] .bubble');
  if (!bubble) return false;
  bubble.textContent = text;
  root.scrollTop = root.scrollHeight;
  return true;
}

function message(role: string, text: string, at: number | undefined, last: ChatModel | undefined) {
  const meta = h('div', { class: 'meta' }, role === 'user' ? 'You' : 'Assistant');
  if (at !== undefined) meta.append(h('span', {}, formatTime(at)));
  if (last?.recalledCount !== undefined)
    meta.append(
      h(
        'button',
        { class: 'link-button', type: 'button', onclick: () => last.showRecalled() },
        `${last.recalledCount} memories recalled`,
      ),
    );
  return h(
    'li',
    { class: `message ${role}`, dataset: { testid: `message-${role}` } },
    h('div', { class: 'bubble' }, text),
    meta,
  );
}

function emptyState(model: ChatModel) {
  return h(
    'li',
    { class: 'empty' },
    h('h2', {}, 'A chat that remembers'),
    h(
      'p',
      {},
      'Tell it about yourself. memkeeper keeps the recent turns, summarizes older ones and ' +
        'anchors facts, preferences and plans — on your device, across reloads, offline.',
    ),
    h(
      'div',
      { class: 'suggestions' },
      ...SUGGESTIONS.map((text) =>
        h('button', { type: 'button', onclick: () => model.suggest(text) }, text),
      ),
    ),
  );
}
