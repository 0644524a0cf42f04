/**
 * The app's memory: opens memkeeper with the chosen embedder and key, runs one chat turn
 * (observe → recall → reply → observe), and moves memory between plain and encrypted.
 */
import {
  createMemory,
  hashingEmbedder,
  IndexedDbStore,
  keyFromPassphrase,
  transformersEmbedder,
  type Embedder,
  type EmbedderLoader,
  type Memory,
  type ProgressEvent,
  type Recall,
} from '../../src/index.js';
import embedders from './embedders.json';
import type { Responder } from './responders/types.js';
import { fromBase64 } from './settings.js';

/** The memory's name (its IndexedDB database is derived from it). */
export const MEMORY_NAME = 'memkeeper-demo';

/** The tiers' budgets in the demo: a short window and small summaries show the tiers at work. */
export const DEMO_BUDGETS = { windowTokens: 160, summaryEveryTokens: 64 };

export interface EmbedderEntry {
  id: string;
  label: string;
  size: string;
  dtype?: 'fp32' | 'q8';
  queryPrefix?: string;
}

export const EMBEDDERS = embedders as EmbedderEntry[];

export interface OpenOptions {
  embedder: string;
  /** Passphrase and salt when the memory is encrypted. */
  passphrase?: string;
  salt?: string | null;
  onProgress?: (event: ProgressEvent) => void;
  /** Where transformers.js finds local models (tests); the Hub otherwise. */
  localModelPath?: string;
}

/**
 * The embedder, or a loader for a Hub model (createMemory reports its download through the
 * same onProgress). onnxruntime's runtime comes from the app's own assets, not a CDN, so the
 * installed app embeds offline.
 */
async function makeEmbedder(id: string, options: OpenOptions): Promise<Embedder | EmbedderLoader> {
  if (id === 'hashing') return hashingEmbedder({ dim: 384 });
  const entry = EMBEDDERS.find((e) => e.id === id);
  const [{ env }, { ORT_WASM_PATHS }] = await Promise.all([
    import('@huggingface/transformers'),
    import('./responders/ort-wasm.js'),
  ]);
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown } } | undefined;
  if (onnx?.wasm) onnx.wasm.wasmPaths = { ...ORT_WASM_PATHS };
  return (load) =>
    transformersEmbedder({
      model: id,
      ...(entry?.dtype ? { dtype: entry.dtype } : {}),
      ...(entry?.queryPrefix ? { queryPrefix: entry.queryPrefix } : {}),
      ...(options.localModelPath
        ? { localModelPath: options.localModelPath, allowRemoteModels: false }
        : {}),
      ...load,
    });
}

/** Opens the app's memory; rejects with `DECRYPT_FAILED` for a wrong passphrase. */
export async function openMemory(options: OpenOptions): Promise<Memory> {
  const embedder = await makeEmbedder(options.embedder, options);
  const encryptionKey =
    options.salt && options.passphrase !== undefined
      ? await keyFromPassphrase(options.passphrase, fromBase64(options.salt))
      : undefined;
  return createMemory({
    name: MEMORY_NAME,
    embedder,
    reembed: true,
    // A small window, so that a person sees turns summarized within a short chat.
    budgets: DEMO_BUDGETS,
    ...(encryptionKey ? { encryptionKey } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/** What one turn produced. */
export interface TurnOutcome {
  recall: Recall;
  /** Milliseconds recall() took. */
  recallMs: number;
  reply: string;
}

/** One chat turn; `onPiece` sees the reply grow. The user's turn is stored even if the reply fails. */
export async function runTurn(
  memory: Memory,
  sessionId: string,
  message: string,
  responder: Responder,
  options: {
    recallTokens: number;
    signal: AbortSignal;
    onRecall?: (recall: Recall, ms: number) => void;
    onPiece: (text: string) => void;
  },
): Promise<TurnOutcome> {
  const session = memory.session(sessionId);
  const turn = await session.observe({ role: 'user', content: message });
  const start = performance.now();
  const recall = await session.recall(message, { budgetTokens: options.recallTokens });
  const recallMs = performance.now() - start;
  options.onRecall?.(recall, recallMs);
  let reply = '';
  try {
    for await (const piece of responder.reply({
      session: sessionId,
      message,
      turnId: turn.id,
      recall,
      signal: options.signal,
    })) {
      reply += piece;
      options.onPiece(reply);
    }
  } finally {
    if (reply.trim()) await session.observe({ role: 'assistant', content: reply.trim() });
  }
  return { recall, recallMs, reply };
}

/** Deletes the app's memory database (after the memory is closed). */
export async function deleteMemoryDatabase(): Promise<void> {
  await IndexedDbStore.remove(MEMORY_NAME);
}

/** The whole memory as one export text (JSON Lines). */
export async function exportText(memory: Memory): Promise<string> {
  const lines: string[] = [];
  for await (const line of memory.export()) lines.push(line);
  return lines.join('\n');
}
