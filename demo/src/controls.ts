/**
 * What the settings dialog does: switch responder or embedder, encrypt, export / import and
 * clear all. Steps that reopen the memory tell other tabs first (they close theirs and reload
 * when it is back), so IndexedDB is never held open by a tab that would block them.
 */
import { MemoryError, randomSalt, type Memory } from '../../src/index.js';
import type { App } from './app.js';
import { $ } from './dom.js';
import { EMBEDDERS, deleteMemoryDatabase, exportText, openMemory } from './engine.js';
import { LLMS, createResponder } from './responder-choice.js';
import { saveSettings, toBase64 } from './settings.js';
import {
  renderSettings,
  updateJob,
  type JobState,
  type SettingsModel,
} from './ui/settings-dialog.js';
import { confirmDialog } from './ui/dialogs.js';

const channel =
  typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('memkeeper-demo');

/** Listens for another tab reopening the memory: closes ours, reloads when it is back. */
export function followOtherTabs(getMemory: () => Memory, onClosing: () => void): void {
  channel?.addEventListener('message', (event: MessageEvent<{ type: string }>) => {
    if (event.data.type === 'closing') {
      onClosing();
      void getMemory().close();
    } else if (event.data.type === 'reopened') location.reload();
  });
}

export class Controls {
  private responderJob: JobState = { state: 'idle' };
  private embedderJob: JobState = { state: 'idle' };
  private dataJob: JobState = { state: 'idle' };
  private passphrase: string | undefined;

  constructor(
    private readonly app: App,
    passphrase: string | undefined,
  ) {
    this.passphrase = passphrase;
    $('#open-settings').addEventListener('click', () => this.open());
    $<HTMLDialogElement>('#settings').addEventListener('close', () => $('#open-settings').focus());
  }

  open(): void {
    const dialog = $<HTMLDialogElement>('#settings');
    this.render();
    if (!dialog.open) dialog.showModal();
  }

  private render() {
    const dialog = $<HTMLDialogElement>('#settings');
    const model: SettingsModel = {
      settings: this.app.settings,
      llms: LLMS,
      embedders: EMBEDDERS,
      responderJob: this.responderJob,
      embedderJob: this.embedderJob,
      dataJob: this.dataJob,
      encrypted: this.app.settings.encryptionSalt !== null,
      close: () => dialog.close(),
      chooseResponder: (id) => {
        this.app.settings.responder = id;
        this.responderJob = { state: 'idle' };
        this.useResponder();
      },
      chooseLlm: (id) => {
        this.app.settings.llmModel = id;
        this.responderJob = { state: 'idle' };
        this.useResponder();
      },
      loadLlm: () => void this.loadResponder(),
      setOpenAi: (openai) => {
        this.app.settings.openai = openai;
        saveSettings(this.app.settings);
      },
      connectOpenAi: () => {
        this.useResponder();
        void this.loadResponder();
      },
      switchEmbedder: (id) => void this.switchEmbedder(id),
      setRecallTokens: (tokens) => {
        if (Number.isInteger(tokens) && tokens >= 100) this.app.settings.recallTokens = tokens;
        saveSettings(this.app.settings);
      },
      encrypt: (passphrase) => void this.reencrypt(passphrase),
      decrypt: () => void this.reencrypt(undefined),
      exportMemory: () => void this.exportMemory(),
      importMemory: (file) => void this.importMemory(file),
      clearAll: () => void this.clearAll(),
    };
    renderSettings(dialog, model);
  }

  private job(which: 'responder' | 'embedder' | 'data', job: JobState, id: string) {
    this[`${which}Job`] = job;
    const dialog = $<HTMLDialogElement>('#settings');
    if (dialog.open && !updateJob(dialog, id, job)) this.render();
  }

  /** Puts the chosen responder in place (not loaded yet). */
  private useResponder() {
    saveSettings(this.app.settings);
    void this.app.responder.dispose?.();
    this.app.responder = createResponder(this.app.settings);
    this.app.render();
    this.render();
  }

  /** Loads the current responder, showing progress in the dialog and the notice line. */
  async loadResponder(): Promise<void> {
    const id = this.app.settings.responder === 'llm' ? 'llm-progress' : 'openai-status';
    const responder = this.app.responder;
    this.job('responder', { state: 'busy', progress: 0, detail: 'Starting…' }, id);
    try {
      await responder.load((p) => {
        this.job('responder', { state: 'busy', progress: p.progress, detail: p.detail }, id);
        this.app.notice(`${responder.label}: ${p.detail}`, 0);
      });
      this.app.loaded.add(responder);
      this.job('responder', { state: 'ready', detail: `${responder.label} is ready.` }, id);
      this.app.notice(`${responder.label} is ready.`);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.job('responder', { state: 'error', detail }, id);
      this.app.notice(detail);
      throw error;
    } finally {
      this.app.render();
    }
  }

  /** Closes the memory, runs `step` with no memory open anywhere, reopens, tells other tabs. */
  private async reopen(step: (memory: Memory) => Promise<Memory>, what: string) {
    channel?.postMessage({ type: 'closing' });
    const before = this.app.memory;
    try {
      const after = await step(before);
      this.app.attach(after);
      this.app.settings.current = this.app.current;
      saveSettings(this.app.settings);
      await this.app.refresh();
    } finally {
      channel?.postMessage({ type: 'reopened' });
    }
    this.app.notice(what);
  }

  private async switchEmbedder(id: string) {
    if (id === this.app.settings.embedder) return;
    const job = (j: JobState) => this.job('embedder', j, 'embedder-progress');
    job({ state: 'busy', progress: 0, detail: 'Loading the embedder…' });
    try {
      await this.reopen(async (memory) => {
        await memory.close();
        const next = await openMemory({
          embedder: id,
          passphrase: this.passphrase,
          salt: this.app.settings.encryptionSalt,
          onProgress: (event) => {
            if (event.kind === 'download')
              job({
                state: 'busy',
                progress: event.progress,
                detail: `Downloading ${event.file} — ${Math.round(event.progress * 100)}%`,
              });
            else if (event.kind === 'reembed')
              job({
                state: 'busy',
                progress: event.progress,
                detail: `Re-embedding memory: ${event.done} of ${event.total}`,
              });
          },
        }).catch(async (error: unknown) => {
          // The old embedder's memory is intact: reopen it.
          this.app.attach(
            await openMemory({
              embedder: this.app.settings.embedder,
              passphrase: this.passphrase,
              salt: this.app.settings.encryptionSalt,
            }),
          );
          throw error;
        });
        this.app.settings.embedder = id;
        return next;
      }, 'Embedder switched; memory re-embedded.');
      job({ state: 'ready', detail: 'Memory re-embedded with the new embedder.' });
    } catch (error) {
      job({
        state: 'error',
        detail: `Could not switch: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** Moves the memory to a new key (or to none): export, delete, reopen, import. */
  private async reencrypt(passphrase: string | undefined) {
    const job = (j: JobState) => this.job('data', j, 'data-status');
    job({ state: 'busy', progress: 0.1, detail: passphrase ? 'Encrypting…' : 'Decrypting…' });
    let text: string | undefined;
    try {
      await this.reopen(
        async (memory) => {
          text = await exportText(memory);
          job({ state: 'busy', progress: 0.4, detail: 'Rewriting the database…' });
          await memory.close();
          await deleteMemoryDatabase();
          const salt = passphrase === undefined ? null : toBase64(randomSalt());
          const next = await openMemory({ embedder: this.app.settings.embedder, passphrase, salt });
          await next.import(text);
          this.app.settings.encryptionSalt = salt;
          this.passphrase = passphrase;
          return next;
        },
        passphrase ? 'Memory encrypted.' : 'Encryption turned off.',
      );
      job({
        state: 'ready',
        detail: passphrase ? 'Memory is encrypted.' : 'Memory is stored in plain text again.',
      });
    } catch (error) {
      if (text) download(text, 'memkeeper-rescue'); // nothing is lost if the rewrite failed
      job({
        state: 'error',
        detail: `Failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    this.render();
  }

  private async exportMemory() {
    const text = await exportText(this.app.memory);
    download(text, 'memkeeper-export');
    this.job(
      'data',
      { state: 'ready', detail: `Exported ${text.split('\n').length} lines.` },
      'data-status',
    );
  }

  private async importMemory(file: File) {
    const job = (j: JobState) => this.job('data', j, 'data-status');
    job({ state: 'busy', progress: 0.5, detail: `Importing ${file.name}…` });
    try {
      await this.app.memory.import(await file.text());
      job({ state: 'ready', detail: `Imported ${file.name}.` });
      await this.app.refresh();
    } catch (error) {
      const detail =
        error instanceof MemoryError || error instanceof Error ? error.message : String(error);
      job({ state: 'error', detail: `Import failed: ${detail}` });
    }
  }

  private async clearAll() {
    const sure = await confirmDialog(
      'Clear all memory?',
      'Every conversation and everything memkeeper remembers on this device will be deleted. Export first to keep a copy.',
      'Clear all',
    );
    if (!sure) return;
    await this.reopen(async (memory) => {
      await memory.close();
      await deleteMemoryDatabase();
      this.app.settings.encryptionSalt = null;
      this.passphrase = undefined;
      return openMemory({ embedder: this.app.settings.embedder });
    }, 'All memory cleared.');
    this.app.newConversation();
    this.job('data', { state: 'ready', detail: 'All memory cleared.' }, 'data-status');
  }
}

/** Saves text as a dated .jsonl download. */
function download(text: string, stem: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${stem}-${new Date().toISOString().slice(0, 10)}.jsonl`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
