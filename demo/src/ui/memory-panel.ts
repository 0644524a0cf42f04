/**
 * The memory beside the chat: what the last answer recalled and why (score parts as bars),
 * the anchors with strength and decay, the summaries and the short-term window. Anchors can
 * be pinned, edited and forgotten from here; recalled items can be forgotten.
 */
import type { AnchorView, Recall, RecallItem, SessionView } from '../../../src/index.js';
import { bar, fill, formatTime, h, rerender } from '../dom.js';
import { icon } from './icons.js';

export type MemoryTab = 'recalled' | 'anchors' | 'summaries' | 'window';

/** What the panel shows, and what it can ask the app to do. */
export interface MemoryPanelModel {
  view: SessionView | undefined;
  recall: { recall: Recall; ms: number } | undefined;
  tab: MemoryTab;
  /** The anchor being edited, if any. */
  editing: string | null;
  selectTab(tab: MemoryTab): void;
  pin(id: string, pinned: boolean): void;
  forget(id: string, what: string): void;
  startEdit(id: string | null): void;
  edit(id: string, text: string): void;
}

const TABS: { id: MemoryTab; label: string }[] = [
  { id: 'recalled', label: 'Recalled' },
  { id: 'anchors', label: 'Anchors' },
  { id: 'summaries', label: 'Summaries' },
  { id: 'window', label: 'Window' },
];

export function renderMemoryPanel(root: HTMLElement, model: MemoryPanelModel): void {
  const view = model.view;
  const counts: Record<MemoryTab, number> = {
    recalled: model.recall?.recall.items.length ?? 0,
    anchors: view?.anchors.filter((a) => !a.supersededBy).length ?? 0,
    summaries: view?.summaries.length ?? 0,
    window: view?.window.length ?? 0,
  };
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': 'Memory tiers' },
    ...TABS.map((tab) =>
      h(
        'button',
        {
          class: 'tab',
          role: 'tab',
          type: 'button',
          id: `tab-${tab.id}`,
          'aria-selected': String(model.tab === tab.id),
          'aria-controls': 'memory-tabpanel',
          tabindex: model.tab === tab.id ? 0 : -1,
          onclick: () => model.selectTab(tab.id),
          onkeydown: (event: KeyboardEvent) => arrowTabs(event, tab.id, model),
        },
        tab.label,
        h('span', { class: 'count' }, counts[tab.id]),
      ),
    ),
  );
  const panel = h('div', {
    class: 'tab-panel',
    id: 'memory-tabpanel',
    role: 'tabpanel',
    'aria-labelledby': `tab-${model.tab}`,
    dataset: { testid: `memory-${model.tab}` },
  });
  if (model.tab === 'recalled') recalled(panel, model);
  else if (model.tab === 'anchors') anchors(panel, model);
  else if (model.tab === 'summaries') summaries(panel, view);
  else windowTurns(panel, view);
  rerender(root, () => fill(root, tabs, panel));
}

function arrowTabs(event: KeyboardEvent, current: MemoryTab, model: MemoryPanelModel) {
  const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
  if (!step) return;
  event.preventDefault();
  const index = TABS.findIndex((t) => t.id === current);
  const next = TABS[(index + step + TABS.length) % TABS.length]!.id;
  model.selectTab(next);
  requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
}

const PART_LABELS: [keyof RecallItem['scores'], string, string][] = [
  ['vector', 'vector', ''],
  ['lexical', 'keywords', ''],
  ['fused', 'fused', ''],
  ['recency', 'recency', 'amber'],
  ['strength', 'strength', 'teal'],
  ['decay', 'retention', 'teal'],
  ['final', 'final', ''],
];

function recalled(panel: HTMLElement, model: MemoryPanelModel) {
  const last = model.recall;
  if (!last) {
    panel.append(
      note('Send a message: what memkeeper recalls for the answer shows here, with why.'),
    );
    return;
  }
  const { recall, ms } = last;
  const e = recall.explain;
  panel.append(
    note(
      `“${e.query}” — ${recall.items.length} items, ${e.tokens} of ${e.budgetTokens} tokens, ` +
        `${e.candidates.vector} vector + ${e.candidates.lexical} keyword candidates, ` +
        `${ms.toFixed(1)} ms on ${e.backend.name}.` +
        (e.pending ? ` ${e.pending} background jobs were still running.` : '') +
        (e.reason ? ` ${e.reason}.` : ''),
    ),
  );
  const maxLexical = Math.max(1e-9, ...recall.items.map((i) => i.scores.lexical ?? 0));
  for (const item of recall.items) {
    const rows: HTMLElement[] = [];
    for (const [key, label, tone] of PART_LABELS) {
      const value = item.scores[key];
      if (value === undefined || (key === 'fused' && item.tier === 'short-term')) continue;
      // BM25 is unbounded: its bar is relative to the best keyword match of this recall.
      const shown = key === 'lexical' ? value / maxLexical : value;
      rows.push(
        h('span', {}, label),
        bar(shown, `${label} score`, tone),
        h('span', { class: 'value' }, value.toFixed(2)),
      );
    }
    const anchor =
      item.kind === 'anchor' ? model.view?.anchors.find((a) => a.id === item.id) : undefined;
    panel.append(
      h(
        'article',
        { class: 'card', dataset: { testid: 'recalled-item', kind: item.kind, tier: item.tier } },
        h(
          'div',
          { class: 'card-head' },
          h('span', { class: 'chip' }, item.tier),
          h(
            'span',
            { class: `chip ${anchor ? `kind-${anchor.kind}` : ''}` },
            anchor?.kind ?? item.kind,
          ),
          anchor?.pinned ? h('span', { class: 'chip pinned' }, 'pinned') : null,
          h(
            'span',
            { class: 'actions' },
            anchor ? pinButton(anchor, model) : null,
            item.tier === 'short-term' ? null : forgetButton(item.id, item.text, model),
          ),
        ),
        h('div', { class: 'card-text' }, item.text),
        h('div', { class: 'scores' }, ...rows),
      ),
    );
  }
}

function anchors(panel: HTMLElement, model: MemoryPanelModel) {
  const list = model.view?.anchors ?? [];
  if (!list.length) {
    panel.append(
      note('No anchors yet. Tell the chat about yourself — a name, a place, a plan, a preference.'),
    );
    return;
  }
  panel.append(
    note(
      'Long-term memory: strength grows with each restatement; retention falls with time unless pinned.',
    ),
  );
  const ordered = [...list].sort(
    (a, b) => Number(Boolean(a.supersededBy)) - Number(Boolean(b.supersededBy)),
  );
  for (const anchor of ordered) panel.append(anchorCard(anchor, model));
}

function anchorCard(anchor: AnchorView, model: MemoryPanelModel): HTMLElement {
  const superseded = Boolean(anchor.supersededBy);
  const editing = model.editing === anchor.id;
  const text = editing ? editRow(anchor, model) : h('div', { class: 'card-text' }, anchor.text);
  return h(
    'article',
    {
      class: `card${superseded ? ' superseded' : ''}`,
      dataset: { testid: 'anchor', kind: anchor.kind, id: anchor.id },
    },
    h(
      'div',
      { class: 'card-head' },
      h('span', { class: `chip kind-${anchor.kind}` }, anchor.kind),
      anchor.pinned ? h('span', { class: 'chip pinned' }, 'pinned') : null,
      superseded
        ? h(
            'span',
            { class: 'chip warn', title: `replaced by ${anchor.supersededBy}` },
            'superseded',
          )
        : null,
      h(
        'span',
        { class: 'actions' },
        superseded ? null : pinButton(anchor, model),
        superseded
          ? null
          : h(
              'button',
              {
                class: 'icon-button small',
                type: 'button',
                'aria-label': `Edit “${anchor.text}”`,
                title: 'Edit',
                onclick: () => model.startEdit(anchor.id),
              },
              icon('edit'),
            ),
        forgetButton(anchor.id, anchor.text, model),
      ),
    ),
    text,
    h(
      'div',
      { class: 'scores' },
      h('span', {}, 'strength'),
      bar(anchor.strength, 'strength', 'teal'),
      h('span', { class: 'value' }, anchor.strength.toFixed(2)),
      h('span', {}, 'retention'),
      bar(anchor.retention, 'retention', anchor.retention < 0.5 ? 'amber' : 'teal'),
      h('span', { class: 'value' }, anchor.retention.toFixed(2)),
    ),
    h(
      'div',
      { class: 'panel-note' },
      `first ${formatTime(anchor.firstSeen)} · last ${formatTime(anchor.lastSeen)} · recalled ${anchor.recalls}×`,
    ),
  );
}

function editRow(anchor: AnchorView, model: MemoryPanelModel): HTMLElement {
  const input = h('input', {
    value: anchor.text,
    'aria-label': 'Anchor text',
    dataset: { draft: anchor.id },
  });
  const save = () => {
    const text = input.value.trim();
    if (text && text !== anchor.text) model.edit(anchor.id, text);
    else model.startEdit(null);
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') save();
    if (event.key === 'Escape') model.startEdit(null);
  });
  requestAnimationFrame(() => input.focus());
  return h(
    'div',
    { class: 'edit-row' },
    input,
    h('button', { class: 'primary', type: 'button', onclick: save }, 'Save'),
    h(
      'button',
      { class: 'secondary', type: 'button', onclick: () => model.startEdit(null) },
      'Cancel',
    ),
  );
}

function pinButton(anchor: AnchorView, model: MemoryPanelModel) {
  const label = anchor.pinned ? 'Unpin' : 'Pin';
  return h(
    'button',
    {
      class: 'icon-button small',
      type: 'button',
      'aria-label': `${label} “${anchor.text}”`,
      'aria-pressed': String(anchor.pinned),
      title: anchor.pinned ? 'Unpin (let it decay again)' : 'Pin (never decays)',
      style: anchor.pinned ? { color: 'var(--accent-2)' } : {},
      onclick: () => model.pin(anchor.id, !anchor.pinned),
    },
    icon('pin'),
  );
}

function forgetButton(id: string, text: string, model: MemoryPanelModel) {
  return h(
    'button',
    {
      class: 'icon-button small',
      type: 'button',
      'aria-label': `Forget “${text.slice(0, 60)}”`,
      title: 'Forget',
      onclick: () => model.forget(id, text),
    },
    icon('trash'),
  );
}

function summaries(panel: HTMLElement, view: SessionView | undefined) {
  const list = view?.summaries ?? [];
  if (!list.length) {
    panel.append(
      note(
        'Turns that leave the short-term window are summarized here. Keep chatting to see some.',
      ),
    );
    return;
  }
  for (const summary of list) {
    panel.append(
      h(
        'article',
        { class: 'card', dataset: { testid: 'summary' } },
        h(
          'div',
          { class: 'card-head' },
          h('span', { class: 'chip' }, summary.method),
          h(
            'span',
            { class: 'panel-note' },
            `${summary.sources.length} turns · ${summary.tokens} tokens`,
          ),
        ),
        h('div', { class: 'card-text' }, summary.text),
        h(
          'div',
          { class: 'panel-note' },
          `${formatTime(summary.from)} – ${formatTime(summary.to)}`,
        ),
      ),
    );
  }
}

function windowTurns(panel: HTMLElement, view: SessionView | undefined) {
  if (!view?.window.length) {
    panel.append(note('The short-term window holds the most recent turns, word for word.'));
    return;
  }
  const byId = new Map(view.turns.map((t) => [t.id, t]));
  const tokens = view.window.reduce((sum, id) => sum + (byId.get(id)?.tokens ?? 0), 0);
  panel.append(note(`${view.window.length} recent turns, ${tokens} tokens, kept verbatim.`));
  for (const id of view.window) {
    const turn = byId.get(id);
    if (!turn) continue;
    panel.append(
      h(
        'article',
        { class: 'card', dataset: { testid: 'window-turn' } },
        h(
          'div',
          { class: 'card-head' },
          h('span', { class: 'chip' }, turn.role),
          h('span', { class: 'panel-note' }, `${turn.tokens} tokens · ${formatTime(turn.at)}`),
        ),
        h('div', { class: 'card-text' }, turn.content),
      ),
    );
  }
}

function note(text: string) {
  return h('p', { class: 'panel-note' }, text);
}
