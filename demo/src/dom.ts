/** A tiny element builder: the demo needs no framework. */

type Child = Node | string | number | false | null | undefined;
type Props = Record<string, unknown> & {
  class?: string;
  dataset?: Record<string, string>;
  style?: Partial<CSSStyleDeclaration> | string;
};

/**
 * Creates an element: `h('button', { class: 'primary', onclick }, 'Send')`. Props starting
 * with `on` are listeners, `aria-*`/`data-*`/`role`/`for` are attributes, the rest properties.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = String(value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'style' && typeof value === 'string') element.setAttribute('style', value);
    else if (key === 'style') Object.assign(element.style, value);
    else if (key.startsWith('on') && typeof value === 'function')
      element.addEventListener(key.slice(2), value as EventListener);
    else if (/^(aria-|data-|role$|for$|title$|tabindex$|hidden$)/.test(key))
      element.setAttribute(key, value === true ? '' : String(value));
    else (element as unknown as Record<string, unknown>)[key] = value;
  }
  append(element, children);
  return element;
}

function append(parent: Element, children: Child[]) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * Re-renders `root` with `render`, keeping what a person was doing in it: the focused control
 * (found again by id or aria-label) and the text typed in inputs marked `data-draft` (matched
 * by that mark). Memory changes re-render panels while someone types or tabs through them.
 */
export function rerender(root: HTMLElement, render: () => void): void {
  const drafts = new Map<string, string>();
  for (const input of root.querySelectorAll<HTMLInputElement>('input[data-draft]'))
    drafts.set(input.dataset.draft!, input.value);
  const focused = root.contains(document.activeElement) ? document.activeElement : null;
  const focusKey = focused?.id || focused?.getAttribute('aria-label');
  // Where the caret was (or what was selected): typing goes on there, not at the end.
  const selection =
    focused instanceof HTMLInputElement
      ? { start: focused.selectionStart, end: focused.selectionEnd }
      : undefined;
  render();
  for (const input of root.querySelectorAll<HTMLInputElement>('input[data-draft]')) {
    const draft = drafts.get(input.dataset.draft!);
    if (draft !== undefined) input.value = draft;
  }
  if (!focusKey) return;
  const again = [...root.querySelectorAll<HTMLElement>('[id], [aria-label]')].find(
    (e) => e.id === focusKey || e.getAttribute('aria-label') === focusKey,
  );
  again?.focus();
  if (again instanceof HTMLInputElement && selection?.start != null && selection.end != null)
    again.setSelectionRange(selection.start, selection.end);
}

/** The element for `selector`, which must exist. */
export function $<T extends Element = HTMLElement>(
  selector: string,
  root: ParentNode = document,
): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`missing element ${selector}`);
  return element;
}

/** A horizontal bar of `value` in 0..1, labelled for screen readers. */
export function bar(value: number, label: string, tone = ''): HTMLElement {
  const v = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0));
  return h(
    'span',
    {
      class: `bar ${tone}`,
      role: 'meter',
      'aria-valuemin': 0,
      'aria-valuemax': 1,
      'aria-valuenow': v.toFixed(2),
      'aria-label': label,
      title: `${label}: ${v.toFixed(2)}`,
    },
    h('span', { class: 'fill', style: { width: `${(v * 100).toFixed(1)}%` } }),
  );
}

/** Bytes for a person: "1.2 MB". */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

/** "12:04" today, "3 Dec 12:04" otherwise. */
export function formatTime(at: number): string {
  const date = new Date(at);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (new Date().toDateString() === date.toDateString()) return time;
  return `${date.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}
