/**
 * Settings: the responder (offline, in-browser LLM, OpenAI-compatible endpoint), the embedder,
 * the recall budget, encryption with a passphrase, export / import and clear all.
 */
import { fill, h } from '../dom.js';
import type { EmbedderEntry } from '../engine.js';
import type { ResponderId } from '../responders/types.js';
import type { AppSettings, OpenAiSettings } from '../settings.js';
import { icon } from './icons.js';

/** A long job's state, as the dialog shows it. */
export interface JobState {
  state: 'idle' | 'busy' | 'ready' | 'error';
  progress?: number;
  detail?: string;
}

export interface LlmEntry {
  id: string;
  label: string;
  size: string;
}

export interface SettingsModel {
  settings: AppSettings;
  llms: LlmEntry[];
  embedders: EmbedderEntry[];
  responderJob: JobState;
  embedderJob: JobState;
  dataJob: JobState;
  encrypted: boolean;
  close(): void;
  chooseResponder(id: ResponderId): void;
  chooseLlm(id: string): void;
  loadLlm(): void;
  setOpenAi(openai: OpenAiSettings): void;
  connectOpenAi(): void;
  switchEmbedder(id: string): void;
  setRecallTokens(tokens: number): void;
  encrypt(passphrase: string): void;
  decrypt(): void;
  exportMemory(): void;
  importMemory(file: File): void;
  clearAll(): void;
}

export function renderSettings(dialog: HTMLDialogElement, model: SettingsModel): void {
  const focused = document.activeElement?.id;
  fill(
    dialog,
    h(
      'div',
      { class: 'dialog-head' },
      h('h2', { id: 'settings-title' }, 'Settings'),
      h(
        'button',
        {
          class: 'icon-button',
          type: 'button',
          'aria-label': 'Close settings',
          onclick: () => model.close(),
        },
        icon('x'),
      ),
    ),
    h(
      'div',
      { class: 'dialog-body' },
      responderSection(model),
      embedderSection(model),
      privacySection(model),
      dataSection(model),
    ),
  );
  if (focused) document.getElementById(focused)?.focus();
}

function responderSection(model: SettingsModel) {
  const { settings } = model;
  const choice = (id: ResponderId, title: string, detail: string, extra?: HTMLElement) =>
    h(
      'div',
      {},
      h(
        'label',
        { class: 'choice' },
        h('input', {
          type: 'radio',
          name: 'responder',
          id: `responder-${id}`,
          value: id,
          checked: settings.responder === id,
          onchange: () => model.chooseResponder(id),
        }),
        h('span', {}, title, h('small', {}, detail)),
      ),
      settings.responder === id && extra ? extra : null,
    );
  return h(
    'fieldset',
    {},
    h('legend', {}, 'Responder'),
    choice(
      'offline',
      'Offline — answers from memory',
      'No model, nothing downloaded. Shows what memkeeper recalls, phrased as an answer.',
    ),
    choice(
      'llm',
      'In-browser LLM',
      'A small instruct model on WebGPU through transformers.js, cached for offline use. Its KV cache is pruned past its budget.',
      llmOptions(model),
    ),
    choice(
      'openai',
      'OpenAI-compatible endpoint',
      'A local llama.cpp or Ollama server, or any /v1/chat/completions API.',
      openAiOptions(model),
    ),
  );
}

function llmOptions(model: SettingsModel) {
  const select = h(
    'select',
    { id: 'llm-model', onchange: () => model.chooseLlm(select.value) },
    ...model.llms.map((m) =>
      h(
        'option',
        { value: m.id, selected: m.id === model.settings.llmModel },
        `${m.label} — ${m.size}`,
      ),
    ),
  );
  return h(
    'div',
    { class: 'sub' },
    h('label', { class: 'field', for: 'llm-model' }, 'Model', select),
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          class: 'secondary',
          type: 'button',
          id: 'llm-load',
          disabled: model.responderJob.state === 'busy',
          onclick: () => model.loadLlm(),
        },
        icon('download'),
        'Download and load',
      ),
    ),
    jobLine(model.responderJob, 'llm-progress'),
  );
}

function openAiOptions(model: SettingsModel) {
  const o = model.settings.openai;
  const input = (id: string, label: string, value: string, type = 'text', placeholder = '') =>
    h(
      'label',
      { class: 'field', for: id },
      label,
      h('input', { id, type, value, placeholder, autocomplete: 'off', onchange: save }),
    );
  function save() {
    const value = (id: string) => (document.getElementById(id) as HTMLInputElement).value.trim();
    model.setOpenAi({
      baseUrl: value('openai-url'),
      model: value('openai-model'),
      apiKey: value('openai-key'),
    });
  }
  return h(
    'div',
    { class: 'sub' },
    input('openai-url', 'Base URL', o.baseUrl, 'url', 'http://127.0.0.1:8080/v1'),
    h(
      'div',
      { class: 'row' },
      input('openai-model', 'Model', o.model, 'text', 'llama3.2'),
      input('openai-key', 'API key (optional)', o.apiKey, 'password'),
    ),
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          class: 'secondary',
          type: 'button',
          id: 'openai-connect',
          onclick: () => {
            save();
            model.connectOpenAi();
          },
        },
        'Connect',
      ),
    ),
    jobLine(model.responderJob, 'openai-status'),
  );
}

function embedderSection(model: SettingsModel) {
  const select = h(
    'select',
    { id: 'embedder' },
    ...model.embedders.map((e) =>
      h(
        'option',
        { value: e.id, selected: e.id === model.settings.embedder },
        `${e.label} — ${e.size}`,
      ),
    ),
  );
  const budget = h('input', {
    id: 'recall-tokens',
    type: 'number',
    min: 100,
    max: 8000,
    step: 50,
    value: String(model.settings.recallTokens),
    onchange: () => model.setRecallTokens(Number(budget.value)),
  });
  return h(
    'fieldset',
    {},
    h('legend', {}, 'Memory'),
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'field', for: 'embedder' }, 'Embedder', select),
      h(
        'button',
        {
          class: 'secondary',
          type: 'button',
          id: 'embedder-switch',
          disabled: model.embedderJob.state === 'busy',
          onclick: () => model.switchEmbedder(select.value),
          style: 'align-self: flex-end',
        },
        'Switch and re-embed',
      ),
    ),
    jobLine(model.embedderJob, 'embedder-progress'),
    h(
      'label',
      { class: 'field', for: 'recall-tokens' },
      'Memory context per answer (tokens)',
      budget,
    ),
  );
}

function privacySection(model: SettingsModel) {
  if (model.encrypted)
    return h(
      'fieldset',
      {},
      h('legend', {}, 'Encryption'),
      h(
        'p',
        { class: 'ok-text', dataset: { testid: 'encryption-on' } },
        'On: text and vectors are encrypted at rest with a key from your passphrase (PBKDF2 → AES-GCM).',
      ),
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          { class: 'secondary', type: 'button', id: 'decrypt', onclick: () => model.decrypt() },
          'Turn encryption off',
        ),
      ),
    );
  const pass = h('input', { id: 'passphrase', type: 'password', autocomplete: 'new-password' });
  const again = h('input', {
    id: 'passphrase-again',
    type: 'password',
    autocomplete: 'new-password',
  });
  const error = h('p', { class: 'error-text', role: 'alert' });
  return h(
    'fieldset',
    {},
    h('legend', {}, 'Encryption'),
    h(
      'p',
      { class: 'panel-note' },
      'Off. With a passphrase, memory is encrypted at rest in IndexedDB and asked for at start. A lost passphrase cannot be recovered.',
    ),
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'field', for: 'passphrase' }, 'Passphrase', pass),
      h('label', { class: 'field', for: 'passphrase-again' }, 'Again', again),
    ),
    error,
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          class: 'secondary',
          type: 'button',
          id: 'encrypt',
          onclick: () => {
            if (pass.value.length < 8) error.textContent = 'Use at least 8 characters.';
            else if (pass.value !== again.value) error.textContent = 'The passphrases differ.';
            else model.encrypt(pass.value);
          },
        },
        icon('lock'),
        'Encrypt memory',
      ),
    ),
  );
}

function dataSection(model: SettingsModel) {
  const file = h('input', {
    id: 'import-file',
    type: 'file',
    accept: '.jsonl,.ndjson,application/x-ndjson,text/plain',
    hidden: true,
    onchange: () => {
      const chosen = file.files?.[0];
      if (chosen) model.importMemory(chosen);
      file.value = '';
    },
  });
  return h(
    'fieldset',
    {},
    h('legend', {}, 'Data'),
    h(
      'p',
      { class: 'panel-note' },
      'Export writes every conversation and its memory as JSON Lines (decrypted); import adds the conversations of an export.',
    ),
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        { class: 'secondary', type: 'button', id: 'export', onclick: () => model.exportMemory() },
        icon('download'),
        'Export',
      ),
      h(
        'button',
        { class: 'secondary', type: 'button', id: 'import', onclick: () => file.click() },
        icon('upload'),
        'Import',
      ),
      file,
      h(
        'button',
        {
          class: 'danger',
          type: 'button',
          id: 'clear-all',
          onclick: () => model.clearAll(),
          style: 'margin-left: auto',
        },
        icon('trash'),
        'Clear all',
      ),
    ),
    jobLine(model.dataJob, 'data-status'),
  );
}

function jobLine(job: JobState, id: string) {
  if (job.state === 'idle') return h('div', { id, hidden: true });
  const line = h(
    'div',
    { id, class: 'sub-status', dataset: { testid: id, state: job.state } },
    job.state === 'busy' && job.progress !== undefined
      ? h('progress', { max: 1, value: job.progress, 'aria-label': job.detail ?? 'progress' })
      : null,
    h(
      'p',
      {
        class:
          job.state === 'error'
            ? 'error-text'
            : job.state === 'ready'
              ? 'ok-text'
              : 'progress-line',
        role: job.state === 'error' ? 'alert' : 'status',
      },
      job.detail ?? '',
    ),
  );
  return line;
}

/** Updates a job's progress line in place while the dialog is open. */
export function updateJob(dialog: HTMLDialogElement, id: string, job: JobState): boolean {
  const line = dialog.querySelector<HTMLElement>(`#${id}`);
  if (!line || line.hidden) return false;
  const progress = line.querySelector('progress');
  const text = line.querySelector('p');
  if (!progress || !text || job.state !== 'busy') return false;
  progress.value = job.progress ?? 0;
  text.textContent = job.detail ?? '';
  return true;
}
