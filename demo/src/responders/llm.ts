/**
 * The in-browser LLM responder: a small chat model on transformers.js (WebGPU, or WASM) that
 * keeps ONE KV cache across the conversation, through memkeeper's KvChat. Each turn feeds
 * only what the cache lacks — the user's message, and memory recall found that was not fed
 * before — and once the conversation passes the model's KV budget the cache is pruned
 * (KNorm, keys re-rotated; on the GPU with KvPruner when the cache lives there).
 */
import { KvChat, type KvPolicy, type Rotation } from '../../../src/index.js';
import {
  answeredElsewhere,
  continuation,
  endedWith,
  feed,
  type Conversation,
  type PruneSettings,
} from './conversation.js';
import { loadLlm, type LlmDevice, type LlmModelEntry, type LoadedLlm } from './llm-load.js';
import models from './models.json';
import { chatMessages, SYSTEM_PROMPT } from './prompt.js';
import { abortReason, ResponderError } from './stream.js';
import { firstPrompt, nextTurn } from './template.js';
import type { KvStatus, ReplyRequest, Responder } from './types.js';

export type { LlmDevice, LlmModelEntry } from './llm-load.js';

/**
 * Share of the KV budget that memory fed into a cached conversation may take per turn: the
 * rest is the conversation itself (recall's whole context goes only into a first prompt).
 */
const MEMORY_SHARE = 0.25;

/** The models the demo offers (models.json). */
export const LLM_MODELS: readonly LlmModelEntry[] = models.models;

/** Options of {@link llmResponder}. */
export interface LlmResponderOptions {
  /** An entry of {@link LLM_MODELS} (or of the same shape, e.g. a test model). */
  readonly model: LlmModelEntry;
  /** Imports transformers.js; default `() => import('@huggingface/transformers')`. */
  readonly transformers?: () => Promise<unknown>;
  /** Default `'auto'`: WebGPU when an adapter is found, WASM otherwise (CPU in Node). */
  readonly device?: LlmDevice;
  /** Overrides the entry's choice of dtype. */
  readonly dtype?: string;
  /** Reads models from here (`env.localModelPath`) — tests, or a self-hosted copy. */
  readonly localModelPath?: string;
  /** `false`: never fetch from the Hugging Face Hub. Default: transformers.js's own (`true`). */
  readonly allowRemoteModels?: boolean;
  /**
   * onnxruntime-web's runtime files (`env.backends.onnx.wasm.wasmPaths`). Default in a
   * browser: the app's own copies (ort-wasm.ts), so that nothing comes from a CDN.
   */
  readonly wasmPaths?: { readonly mjs: string; readonly wasm: string } | string;
  /** Default {@link SYSTEM_PROMPT}. */
  readonly systemPrompt?: string;
  /** Overrides the entry's KV budget (tokens per head). */
  readonly kvBudgetTokens?: number;
  /** Overrides the entry's reply length. */
  readonly maxNewTokens?: number;
  /** Default `{ kind: 'knorm' }` (keys only: works with any export). */
  readonly policy?: KvPolicy;
}

/**
 * The responder. `load()` downloads (cached by transformers.js in the browser's Cache Storage,
 * so later loads work offline), compiles and warms the model up; `kv()` tells the UI what the
 * cache holds; `reset()` starts a fresh cache.
 *
 * @example
 * const responder = llmResponder({ model: LLM_MODELS[0] });
 * await responder.load(({ progress, detail }) => bar.update(progress, detail));
 * for await (const piece of responder.reply(request)) out += piece;
 */
export function llmResponder(options: LlmResponderOptions): Responder {
  const entry = options.model;
  const budget = options.kvBudgetTokens ?? entry.kvBudgetTokens;
  const maxNewTokens = options.maxNewTokens ?? entry.maxNewTokens ?? 256;
  const systemPrompt = options.systemPrompt ?? SYSTEM_PROMPT;
  const policy = options.policy ?? { kind: 'knorm' };
  let loading: Promise<LoadedLlm> | undefined;
  let llm: LoadedLlm | undefined;
  let current: Conversation | undefined;
  let queue: Promise<void> = Promise.resolve();

  /** Runs `work` after every reply, reset or dispose queued before it. */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work);
    queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async function load(onProgress: Parameters<Responder['load']>[0], signal?: AbortSignal) {
    loading ??= (async () => {
      const wasmPaths =
        options.wasmPaths ??
        (typeof window !== 'undefined'
          ? (await import('./ort-wasm.js')).ORT_WASM_PATHS
          : undefined);
      return loadLlm(
        {
          entry,
          transformers: options.transformers ?? (() => import('@huggingface/transformers')),
          device: options.device ?? 'auto',
          dtype: options.dtype,
          localModelPath: options.localModelPath,
          allowRemoteModels: options.allowRemoteModels,
          wasmPaths,
        },
        onProgress,
        signal,
      );
    })();
    try {
      llm = await loading;
    } catch (error) {
      loading = undefined;
      throw error;
    }
  }

  function start(session: string, loaded: LoadedLlm): Conversation {
    const prunable = Boolean(loaded.rope);
    const prune: PruneSettings = {
      library: loaded.library,
      // A model whose cache cannot be pruned keeps it whole (and restarts at its context).
      budgetTokens: prunable ? budget : Number.MAX_SAFE_INTEGER,
      policy,
      rope: loaded.rope,
      pruner: loaded.pruner,
      rotation: 'shift',
    };
    // KvChat reads its options at each prune: the object stays ours to adjust per turn.
    const chat = new KvChat(loaded.model, prune);
    return {
      session,
      chat,
      prune,
      prunes: 0,
      fedItems: new Set(),
      fedTurns: new Set(),
      replies: new Set(),
    };
  }

  async function drop(): Promise<void> {
    const old = current;
    current = undefined;
    await old?.chat.dispose();
  }

  /** The tokens of this turn, starting the conversation over when the cache cannot go on. */
  async function turnTokens(request: ReplyRequest, loaded: LoadedLlm): Promise<number[]> {
    const { tokenizer } = loaded;
    if (current && (current.session !== request.session || answeredElsewhere(current, request))) {
      await drop();
    }
    if (current && current.chat.conversationLength > 0) {
      const next = continuation(current, request, Math.floor(budget * MEMORY_SHARE));
      const text = nextTurn(tokenizer, next.messages, endedWith(current, loaded));
      const ids = tokenizer.encode(text, { add_special_tokens: false });
      const room = current.chat.cacheLength + current.chat.pendingTokens.length + ids.length;
      if (room + maxNewTokens <= entry.contextTokens) {
        feed(current, request, false, next.items);
        return ids;
      }
      await drop();
    }
    current ??= start(request.session, loaded);
    feed(current, request, true);
    // Recall is sized by the app's budget; should it not fit the context, the oldest recent
    // turns go first (the system message and the user's message stay).
    const messages = chatMessages(request, systemPrompt);
    for (;;) {
      const ids = tokenizer.encode(firstPrompt(tokenizer, messages), { add_special_tokens: false });
      if (ids.length + maxNewTokens <= entry.contextTokens) return ids;
      if (messages.length <= 2) {
        throw new ResponderError(
          'GENERATION_FAILED',
          `The prompt (${ids.length} tokens) does not fit ${entry.label}'s context of ` +
            `${entry.contextTokens}: recall with a smaller budget`,
        );
      }
      messages.splice(1, 1);
    }
  }

  async function* reply(request: ReplyRequest): AsyncGenerator<string> {
    const loaded = llm;
    if (!loaded) throw new ResponderError('NOT_LOADED', `${entry.label} is not loaded yet`);
    // One turn at a time: the cache holds one conversation.
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = queue;
    queue = before.then(() => mine);
    await before;
    try {
      yield* generate(request, loaded);
    } finally {
      release();
    }
  }

  async function* generate(request: ReplyRequest, loaded: LoadedLlm): AsyncGenerator<string> {
    if (request.signal.aborted) throw abortReason(request.signal);
    const ids = await turnTokens(request, loaded);
    const conversation = current!;
    tunePrune(conversation, ids.length, loaded);
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    request.signal.addEventListener('abort', onAbort, { once: true });
    const generated: number[] = [];
    const pieces: string[] = [];
    let shown = '';
    let wake: (() => void) | undefined;
    const show = (final: boolean) => {
      const text = loaded.tokenizer.decode(generated, { skip_special_tokens: true });
      // Hold back a character cut in the middle; keep pieces joining to the whole reply.
      if ((!final && text.endsWith('\uFFFD')) || !text.startsWith(shown) || text === shown) return;
      pieces.push(text.slice(shown.length));
      shown = text;
    };
    let settled = false;
    let failure: unknown;
    let stopped = false;
    const run = conversation.chat
      .say(ids, {
        maxNewTokens,
        signal: stop.signal,
        onToken: (id) => {
          generated.push(id);
          show(false);
          wake?.();
        },
      })
      .then(
        (turn) => {
          stopped = turn.stopped ?? false;
          if (turn.pruned) {
            conversation.prunes++;
            // What pruning dropped may be memory: recall feeds it again when it matters.
            conversation.fedItems.clear();
          }
        },
        (error: unknown) => (failure = error),
      )
      .finally(() => {
        settled = true;
        wake?.();
      });
    try {
      for (;;) {
        if (pieces.length) yield pieces.shift()!;
        else if (settled) break;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
      await run;
      if (failure) {
        await drop();
        throw new ResponderError(
          'GENERATION_FAILED',
          `${entry.label} failed while answering: ${(failure as Error)?.message ?? failure}`,
          { cause: failure },
        );
      }
      show(true);
      while (pieces.length) yield pieces.shift()!;
      conversation.lastToken = generated.at(-1);
      conversation.replies.add(shown.trim());
      if (stopped && request.signal.aborted) throw abortReason(request.signal);
    } finally {
      request.signal.removeEventListener('abort', onAbort);
      // A consumer that stopped early: end generation so the cache stays in step.
      if (!settled) {
        stop.abort();
        await run;
      }
    }
  }

  /** Sinks cover the system prompt's start; the recent window covers this turn and its reply. */
  function tunePrune(conversation: Conversation, turnLength: number, loaded: LoadedLlm): void {
    const keep = Math.floor(budget * 0.75);
    const system = loaded.tokenizer.encode(
      firstPrompt(loaded.tokenizer, [{ role: 'system', content: systemPrompt }]),
      { add_special_tokens: false },
    ).length;
    conversation.prune.sinks = Math.min(Math.max(4, system), Math.floor(keep / 4));
    conversation.prune.window = Math.min(turnLength + maxNewTokens, Math.floor(keep / 2));
    // Keeping distances lets positions of old keys drift far back; near the model's context,
    // compact so that positions stay inside what it was trained on.
    const rotation: Rotation =
      conversation.chat.conversationLength + turnLength + maxNewTokens > 0.75 * entry.contextTokens
        ? 'compact'
        : 'shift';
    conversation.prune.rotation = rotation;
  }

  return {
    id: 'llm',
    label: `${entry.label} (in the browser)`,
    load,
    reply,
    kv(): KvStatus | undefined {
      if (!llm) return undefined;
      const c = current;
      const backend = !llm.rope
        ? 'none'
        : llm.pruner
          ? 'webgpu'
          : llm.location === 'gpu-buffer'
            ? 'none'
            : 'cpu';
      return {
        budgetTokens: budget,
        cacheTokens: c?.chat.cacheLength ?? 0,
        conversationTokens: c?.chat.conversationLength ?? 0,
        prunes: c?.prunes ?? 0,
        active: (c?.prunes ?? 0) > 0,
        policy: policy.kind,
        backend,
        ...(llm.why ? { reason: llm.why } : {}),
      };
    },
    reset() {
      void serial(drop);
    },
    async dispose() {
      await serial(async () => {
        await drop();
        llm?.pruner?.destroy();
        await llm?.model.dispose();
        llm = undefined;
        loading = undefined;
      });
    },
  };
}
