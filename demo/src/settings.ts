/**
 * The app's preferences, kept in localStorage (the memory itself lives in IndexedDB). The
 * passphrase is never stored: only the salt its key is derived with.
 */
import type { ResponderId } from './responders/types.js';

export interface OpenAiSettings {
  baseUrl: string;
  model: string;
  apiKey: string;
}

export interface AppSettings {
  responder: ResponderId;
  /** Id of the in-browser model (responders/models.json). */
  llmModel: string;
  openai: OpenAiSettings;
  /** `'hashing'` or a sentence-embedding model of embedders.json. */
  embedder: string;
  /** Base64 salt of the passphrase key when encryption is on. */
  encryptionSalt: string | null;
  /** Tokens of memory context per answer. */
  recallTokens: number;
  /** The open conversation. */
  current: string | null;
}

const KEY = 'memkeeper-demo:settings';

export const DEFAULT_SETTINGS: AppSettings = {
  responder: 'offline',
  llmModel: '',
  openai: { baseUrl: 'http://127.0.0.1:8080/v1', model: 'local', apiKey: '' },
  embedder: 'hashing',
  encryptionSalt: null,
  recallTokens: 900,
  current: null,
};

/** The saved settings over the defaults (unknown or broken entries fall back). */
export function loadSettings(): AppSettings {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<AppSettings>;
    return {
      ...DEFAULT_SETTINGS,
      ...saved,
      openai: { ...DEFAULT_SETTINGS.openai, ...(saved.openai ?? {}) },
    };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(settings: AppSettings): void {
  localStorage.setItem(KEY, JSON.stringify(settings));
}

export function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
