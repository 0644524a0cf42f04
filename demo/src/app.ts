/**
 * The chat app: state, rendering and the chat turn. Memory work is memkeeper's; this file
 * decides what to show and when.
 */
import type { Memory, Recall, SessionInfo, SessionView, StorageReport } from '../../src/index.js';
import { $, h } from './dom.js';
import { EMBEDDERS, runTurn } from './engine.js';
import type { Responder } from './responders/types.js';
import { saveSettings, type AppSettings } from './settings.js';
import { renderChat, updateStreaming } from './ui/chat.js';
import { renderConversations, type ConversationEntry } from './ui/conversations.js';
import { confirmDialog } from './ui/dialogs.js';
import { icon } from './ui/icons.js';
import { renderMemoryPanel, type MemoryTab } from './ui/memory-panel.js';
import { renderBadge, renderStats } from './ui/stats.js';

/** The least time between two refreshes caused by memory changes. */
const REFRESH_MS = 80;

/** A new conversation's id: sortable by creation, unique across tabs. */
function newConversationId(): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
  return `c-${Date.now().toString(36)}-${random}`;
}

/** A title from the first message: its first words. */
function titleFrom(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  let title = '';
  for (const word of words) {
    if ((title + ' ' + word).trim().length > 42) break;
    title = (title + ' ' + word).trim();
  }
  return title || text.slice(0, 42);
}

export class App {
  conversations: SessionInfo[] = [];
  current: string;
  view: SessionView | undefined;
  readonly recalls = new Map<string, { recall: Recall; ms: number }>();
  tab: MemoryTab = 'recalled';
  editing: string | null = null;
  renaming: string | null = null;
  streaming: { text: string } | null = null;
  error: string | null = null;
  storage: StorageReport | undefined;
  lastRecallMs: number | undefined;
  /** Responders loaded (a model downloaded and compiled): the first message need not load. */
  readonly loaded = new WeakSet<object>();
  /** The last turn's timings, from Enter: its first reply piece, the whole reply, its recall. */
  lastTurn: { firstPieceMs: number; replyMs: number; recallMs: number; words: number } | undefined;
  private turn: AbortController | null = null;
  private refreshing: Promise<void> | null = null;
  private again = false;
  private unsubscribe: () => void = () => undefined;
  private soon: ReturnType<typeof setTimeout> | undefined;

  constructor(
    public memory: Memory,
    public settings: AppSettings,
    public responder: Responder,
    /** Makes the responder ready (a model download), reporting in the notice line. */
    private readonly ensureResponder: () => Promise<void>,
  ) {
    this.current = settings.current ?? newConversationId();
  }

  /** Wires the page and shows the memory. */
  async start(): Promise<void> {
    this.bindPage();
    this.settings.current = this.current; // other tabs open the same conversation
    saveSettings(this.settings);
    this.attach(this.memory);
    await this.refresh();
    $('#app').dataset.state = 'ready';
    $<HTMLTextAreaElement>('#input').focus();
  }

  /** Follows a (re)opened memory: its changes, local or from another tab, re-render. */
  attach(memory: Memory): void {
    this.unsubscribe();
    this.memory = memory;
    this.recalls.clear();
    this.unsubscribe = memory.onChange(() => this.refreshSoon());
  }

  /**
   * A refresh at most every REFRESH_MS for memory changes: a turn brings several (the turn,
   * then summaries, anchors and vectors from the background), and each refresh re-reads the
   * conversation.
   */
  refreshSoon(): void {
    if (this.soon !== undefined) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.refresh();
    }, REFRESH_MS);
  }

  /** Re-reads conversations and the open one's memory, then renders; calls coalesce. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        const memory = this.memory;
        const [list, view, storage] = await Promise.all([
          memory.sessions(),
          memory.session(this.current).inspect(),
          memory.storageReport().catch(() => undefined),
        ]);
        if (memory !== this.memory) continue;
        this.conversations = list;
        this.view = view;
        this.storage = storage;
        this.render();
      } while (this.again);
    })()
      .catch((error: unknown) => this.notice(`Could not read memory: ${String(error)}`))
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  render(): void {
    renderBadge($('#gpu-badge'), this.memory);
    $('#responder-badge').textContent = this.responder.label;
    const entries = this.entries();
    renderConversations($('#conversations'), {
      list: entries,
      current: this.current,
      renaming: this.renaming,
      open: (id) => this.open(id),
      startRename: (id) => {
        this.renaming = id;
        this.render();
      },
      rename: (id, title) => void this.rename(id, title),
      remove: (id) => void this.remove(id),
    });
    $('#chat-title').textContent =
      entries.find((e) => e.id === this.current)?.title ?? 'New conversation';
    const recall = this.recalls.get(this.current);
    renderChat($('#messages'), {
      turns: this.view?.turns ?? [],
      streaming: this.streaming,
      error: this.error,
      recalledCount: recall?.recall.items.length,
      showRecalled: () => this.showMemory('recalled'),
      suggest: (text) => {
        const input = $<HTMLTextAreaElement>('#input');
        input.value = text;
        input.focus();
      },
    });
    renderMemoryPanel($('#memory'), {
      view: this.view,
      recall,
      tab: this.tab,
      editing: this.editing,
      selectTab: (tab) => {
        this.tab = tab;
        this.render();
      },
      pin: (id, pinned) => void this.act(() => this.memory.session(this.current).pin(id, pinned)),
      forget: (id, text) => void this.forget(id, text),
      startEdit: (id) => {
        this.editing = id;
        this.render();
      },
      edit: (id, text) => {
        this.editing = null;
        void this.act(() => this.memory.session(this.current).edit(id, text));
      },
    });
    const embedder = EMBEDDERS.find((e) => e.id === this.settings.embedder);
    renderStats($('#stats'), {
      memory: this.memory,
      storage: this.storage,
      lastRecallMs: this.lastRecallMs,
      embedderLabel:
        embedder?.id === 'hashing'
          ? 'hashing (built in)'
          : (embedder?.id ?? this.settings.embedder),
      kv: this.responder.kv?.(),
    });
    this.renderKv();
    this.renderComposer();
  }

  private entries(): ConversationEntry[] {
    const entries: ConversationEntry[] = this.conversations.map((c) => ({
      id: c.id,
      title: c.title ?? 'Untitled conversation',
      lastAt: c.turns ? c.lastAt : undefined,
      turns: c.turns,
    }));
    if (!entries.some((e) => e.id === this.current))
      entries.unshift({ id: this.current, title: 'New conversation', lastAt: undefined, turns: 0 });
    return entries;
  }

  private renderKv() {
    const kv = this.responder.kv?.();
    const badge = $('#kv-status');
    badge.hidden = !kv;
    if (!kv) return;
    badge.dataset.active = String(kv.active);
    badge.textContent = kv.active
      ? `KV pruned ${kv.prunes}× · ${kv.cacheTokens}/${kv.conversationTokens} tokens · ${kv.policy} on ${kv.backend}`
      : `KV ${kv.cacheTokens}/${kv.budgetTokens} tokens`;
  }

  private renderComposer() {
    const send = $<HTMLButtonElement>('#send');
    const busy = this.turn !== null;
    send.replaceChildren(icon(busy ? 'stop' : 'send'));
    send.setAttribute('aria-label', busy ? 'Stop' : 'Send');
    send.type = busy ? 'button' : 'submit';
  }

  /** Opens a conversation. */
  open(id: string): void {
    if (id === this.current) return this.closeDrawer();
    this.turn?.abort();
    this.current = id;
    this.error = null;
    this.editing = null;
    this.settings.current = id;
    saveSettings(this.settings);
    this.responder.reset?.(id);
    this.closeDrawer();
    void this.refresh().then(() => $<HTMLTextAreaElement>('#input').focus());
  }

  newConversation(): void {
    this.open(newConversationId());
  }

  private async rename(id: string, title: string) {
    this.renaming = null;
    await this.act(() => this.memory.session(id).setTitle(title));
  }

  private async remove(id: string) {
    const title = this.entries().find((e) => e.id === id)?.title ?? id;
    const sure = await confirmDialog(
      'Delete this conversation?',
      `“${title}” and everything memkeeper remembers from it will be deleted on this device.`,
      'Delete',
    );
    if (!sure) return;
    await this.act(() => this.memory.deleteSession(id));
    if (id === this.current) {
      const next = this.conversations.find((c) => c.id !== id);
      this.open(next?.id ?? newConversationId());
    }
  }

  private async forget(id: string, text: string) {
    const sure = await confirmDialog('Forget this memory?', `“${text.slice(0, 160)}”`, 'Forget');
    if (sure) await this.act(() => this.memory.session(this.current).forget(id));
  }

  /** Runs a memory action, showing its failure; onChange re-renders after it. */
  private async act(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.notice(error instanceof Error ? error.message : String(error));
    }
    await this.refresh();
  }

  /** Sends a message: observe, recall, stream the reply, observe it. */
  async send(text: string): Promise<void> {
    const message = text.trim();
    if (!message || this.turn) return;
    const controller = new AbortController();
    this.turn = controller;
    this.error = null;
    this.streaming = { text: '' };
    const session = this.current;
    const first = !this.conversations.some((c) => c.id === session && c.turns > 0);
    const start = performance.now();
    let firstPieceMs: number | undefined;
    this.render();
    try {
      await this.ensureResponder();
      if (first) await this.memory.session(session).setTitle(titleFrom(message));
      const outcome = await runTurn(this.memory, session, message, this.responder, {
        recallTokens: this.settings.recallTokens,
        signal: controller.signal,
        onRecall: (recall, ms) => {
          this.recalls.set(session, { recall, ms });
          this.lastRecallMs = ms;
          this.refreshSoon();
        },
        onPiece: (reply) => {
          firstPieceMs ??= performance.now() - start;
          if (!this.streaming) return;
          this.streaming.text = reply;
          if (!updateStreaming($('#messages'), reply)) this.render();
        },
      });
      if (!outcome.reply.trim()) this.error = 'The responder gave an empty reply.';
      this.lastTurn = {
        firstPieceMs: firstPieceMs ?? Number.NaN,
        replyMs: performance.now() - start,
        recallMs: outcome.recallMs,
        words: outcome.reply.split(/\s+/).length,
      };
    } catch (error) {
      if (!controller.signal.aborted)
        this.error = `No reply: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.turn = null;
      this.streaming = null;
      await this.refresh();
    }
  }

  /** A short message under the composer, cleared after a while. */
  notice(text: string, ms = 6000): void {
    const notice = $('#notice');
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(Number(notice.dataset.timer));
    if (ms > 0) notice.dataset.timer = String(setTimeout(() => (notice.hidden = true), ms));
  }

  showMemory(tab: MemoryTab): void {
    this.tab = tab;
    this.render();
    if (matchMedia('(max-width: 860px)').matches) this.openDrawer('memory');
  }

  private openDrawer(which: 'sidebar' | 'memory') {
    const app = $('#app');
    const open = app.dataset.drawer === which ? undefined : which;
    if (open) app.dataset.drawer = open;
    else delete app.dataset.drawer;
    $('#scrim').hidden = !open;
    $('#toggle-sidebar').setAttribute('aria-expanded', String(open === 'sidebar'));
    $('#toggle-memory').setAttribute('aria-expanded', String(open === 'memory'));
    if (open)
      requestAnimationFrame(() => $(`#${open}`).querySelector<HTMLElement>('button')?.focus());
  }

  closeDrawer(): void {
    const app = $('#app');
    if (!app.dataset.drawer) return;
    delete app.dataset.drawer;
    $('#scrim').hidden = true;
    $('#toggle-sidebar').setAttribute('aria-expanded', 'false');
    $('#toggle-memory').setAttribute('aria-expanded', 'false');
  }

  private bindPage() {
    $('#toggle-sidebar').append(icon('menu'));
    $('#toggle-memory').append(icon('brain'));
    $('#open-settings').append(icon('settings'));
    $('#new-chat').append(icon('plus'), h('span', {}, 'New conversation'));
    $('#toggle-sidebar').addEventListener('click', () => this.openDrawer('sidebar'));
    $('#toggle-memory').addEventListener('click', () => this.openDrawer('memory'));
    $('#scrim').addEventListener('click', () => this.closeDrawer());
    $('#new-chat').addEventListener('click', () => this.newConversation());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.closeDrawer();
    });
    const input = $<HTMLTextAreaElement>('#input');
    const grow = () => {
      input.style.height = 'auto';
      input.style.height = `${Math.min(input.scrollHeight, 180)}px`;
    };
    input.addEventListener('input', grow);
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $<HTMLFormElement>('#composer').requestSubmit();
      }
    });
    $('#composer').addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value;
      if (!text.trim() || this.turn) return;
      input.value = '';
      grow();
      void this.send(text);
    });
    $('#send').addEventListener('click', () => {
      if (this.turn) this.turn.abort();
    });
  }
}
