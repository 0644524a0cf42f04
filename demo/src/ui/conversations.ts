/** The conversation list: open, rename, delete. Each conversation is a memkeeper session. */
import { fill, formatTime, h, rerender } from '../dom.js';
import { icon } from './icons.js';

export interface ConversationEntry {
  id: string;
  title: string;
  lastAt: number | undefined;
  turns: number;
}

export interface ConversationsModel {
  list: ConversationEntry[];
  current: string;
  renaming: string | null;
  open(id: string): void;
  startRename(id: string | null): void;
  rename(id: string, title: string): void;
  remove(id: string): void;
}

export function renderConversations(root: HTMLElement, model: ConversationsModel): void {
  rerender(root, () =>
    fill(
      root,
      ...model.list.map((entry) => {
        const current = entry.id === model.current;
        if (model.renaming === entry.id) return renameRow(entry, model);
        return h(
          'li',
          {
            class: 'conversation',
            'aria-current': String(current),
            dataset: { testid: 'conversation', id: entry.id },
          },
          h(
            'button',
            { class: 'open', type: 'button', onclick: () => model.open(entry.id) },
            h('strong', {}, entry.title),
            h(
              'small',
              {},
              entry.lastAt === undefined
                ? 'empty'
                : `${entry.turns} turns · ${formatTime(entry.lastAt)}`,
            ),
          ),
          h(
            'span',
            { class: 'actions' },
            h(
              'button',
              {
                class: 'icon-button small',
                type: 'button',
                'aria-label': `Rename “${entry.title}”`,
                title: 'Rename',
                onclick: () => model.startRename(entry.id),
              },
              icon('edit'),
            ),
            h(
              'button',
              {
                class: 'icon-button small',
                type: 'button',
                'aria-label': `Delete “${entry.title}”`,
                title: 'Delete',
                onclick: () => model.remove(entry.id),
              },
              icon('trash'),
            ),
          ),
        );
      }),
    ),
  );
}

function renameRow(entry: ConversationEntry, model: ConversationsModel): HTMLElement {
  const input = h('input', {
    value: entry.title,
    'aria-label': 'Conversation title',
    maxLength: 120,
    dataset: { draft: entry.id },
  });
  const done = (save: boolean) => {
    const title = input.value.trim();
    if (save && title && title !== entry.title) model.rename(entry.id, title);
    else model.startRename(null);
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') done(true);
    if (event.key === 'Escape') done(false);
  });
  // A re-render removing the box blurs it too (it may still be in the page then): only a
  // person leaving it saves, so look once the current render is over.
  input.addEventListener('blur', () =>
    queueMicrotask(() => {
      if (input.isConnected) done(true);
    }),
  );
  requestAnimationFrame(() => {
    input.focus();
    input.select();
  });
  return h('li', { class: 'conversation', 'aria-current': 'true' }, input);
}
