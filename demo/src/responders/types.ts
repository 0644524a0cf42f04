/**
 * What the chat asks of a responder: given the user's message and memkeeper's recall for it,
 * stream a reply. The app observes the user's turn before recalling, so `recall.messages`
 * ends with that turn; the app observes the finished reply afterwards.
 */
import type { Recall } from '../../../src/index.js';

/** One turn's input. */
export interface ReplyRequest {
  /** The conversation (a memkeeper session id). */
  readonly session: string;
  /** The user's message, as sent. */
  readonly message: string;
  /** Id of the user's turn just observed: recall items whose sources hold only it are the question itself. */
  readonly turnId: string;
  /** recall()'s result for the message: the prompt is built from it. */
  readonly recall: Recall;
  /** The user's display name when known (for the offline responder's phrasing). */
  readonly userName?: string;
  readonly signal: AbortSignal;
}

/** Progress of loading a responder (a model download). */
export interface LoadProgress {
  /** 0..1, never going back. */
  readonly progress: number;
  /** What is happening, for a person: "Downloading model.onnx (12 / 240 MB)". */
  readonly detail: string;
}

/** The state of the in-browser LLM's KV cache, for the UI. */
export interface KvStatus {
  /** Tokens the cache may hold before it is pruned. */
  readonly budgetTokens: number;
  /** Tokens per head the cache holds now. */
  readonly cacheTokens: number;
  /** Tokens of the conversation so far (what the cache would hold without pruning). */
  readonly conversationTokens: number;
  /** Times the cache was pruned in this conversation. */
  readonly prunes: number;
  /** Whether pruning has kicked in (the conversation passed the budget). */
  readonly active: boolean;
  /** The KV scoring policy, e.g. "knorm". */
  readonly policy: string;
  /** Where pruning ran: "webgpu" or "cpu"; "none" when this model's cache is not pruned. */
  readonly backend: string;
  /** Set when the model's cache cannot be pruned: why (e.g. a sliding-window model). */
  readonly reason?: string;
}

export type ResponderId = 'offline' | 'llm' | 'openai';

export interface Responder {
  readonly id: ResponderId;
  /** For a person: "Offline (answers from memory)". */
  readonly label: string;
  /** Prepares the responder (downloads and compiles a model); resolves when replies can start. */
  load(onProgress: (progress: LoadProgress) => void, signal?: AbortSignal): Promise<void>;
  /** Streams the reply in pieces; the pieces joined are the whole reply. */
  reply(request: ReplyRequest): AsyncIterable<string>;
  /** The KV cache's state (the in-browser LLM only). */
  kv?(): KvStatus | undefined;
  /** Forgets per-conversation state (the LLM's cache) when the user switches conversations. */
  reset?(session: string): void;
  /** Frees what it holds (a model session). */
  dispose?(): Promise<void> | void;
}
