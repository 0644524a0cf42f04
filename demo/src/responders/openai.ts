/**
 * A responder over an OpenAI-compatible server the user points at: a local llama.cpp server
 * (`llama-server`, http://127.0.0.1:8080) or Ollama (http://127.0.0.1:11434), both of which
 * serve /v1/chat/completions. Replies stream as server-sent events.
 */
import { chatMessages, SYSTEM_PROMPT } from './prompt.js';
import { sseData } from './sse.js';
import { abortReason, isAbort, ResponderError, throwIfAborted } from './stream.js';
import type { ReplyRequest, Responder } from './types.js';

/** Options of {@link openAiResponder}. */
export interface OpenAiResponderOptions {
  /** The server, with or without `/v1`: "http://127.0.0.1:8080", "http://localhost:11434/v1". */
  readonly baseUrl: string;
  /** The model to ask for ("llama3.2" on Ollama; llama.cpp serves one and ignores it). Empty: the first the server lists. */
  readonly model: string;
  /** Sent as `Authorization: Bearer …` when given. */
  readonly apiKey?: string;
  /** Default {@link SYSTEM_PROMPT}. */
  readonly systemPrompt?: string;
  /** Most tokens of a reply (default 512). */
  readonly maxTokens?: number;
  /** Default 0.7. */
  readonly temperature?: number;
  /** How long load() waits for the server (default 10 s). */
  readonly timeoutMs?: number;
  /** The fetch to use (default the global one). */
  readonly fetch?: typeof fetch;
}

/** One streamed chunk of a chat completion, as far as the responder reads it. */
interface CompletionChunk {
  choices?: { delta?: { content?: string | null }; message?: { content?: string | null } }[];
  error?: { message?: string } | string;
}

/**
 * The responder. `load()` checks that the server answers (GET /v1/models; a server without
 * that route is fine); `reply()` streams the completion's text.
 *
 * @example
 * const responder = openAiResponder({ baseUrl: 'http://127.0.0.1:11434', model: 'llama3.2' });
 * await responder.load((p) => console.log(p.detail));
 * for await (const piece of responder.reply(request)) out += piece;
 */
export function openAiResponder(options: OpenAiResponderOptions): Responder {
  const api = apiRoot(options.baseUrl);
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  let model = options.model.trim();
  const headers = (json: boolean): Record<string, string> => ({
    ...(json ? { 'Content-Type': 'application/json' } : {}),
    ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}),
  });

  async function load(onProgress: Parameters<Responder['load']>[0], signal?: AbortSignal) {
    onProgress({ progress: 0, detail: `Connecting to ${api}…` });
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await doFetch(`${api}/models`, { headers: headers(false), signal: both });
    } catch (cause) {
      throwIfAborted(signal);
      const why = timeout.aborted ? 'it did not answer in time' : describe(cause);
      throw new ResponderError(
        'UNREACHABLE',
        `Cannot reach ${api}: ${why}. Is the server running, and does it allow requests from ` +
          `this page (CORS: llama-server allows any page; Ollama allows pages on localhost, others ` +
          `need OLLAMA_ORIGINS)?`,
        { cause },
      );
    }
    // Servers without a model list still chat; only a refusal of the key is final.
    if (response.status === 401 || response.status === 403) {
      throw new ResponderError(
        'HTTP_STATUS',
        await statusMessage(response, api, 'refused the API key'),
      );
    }
    const served = response.ok ? await listedModels(response) : [];
    if (!model && served[0]) model = served[0];
    const known = !served.length || served.some((id) => id === model || id === `${model}:latest`);
    const detail = known
      ? `Connected to ${api}${model ? ` (${model})` : ''}`
      : `Connected to ${api}; it lists ${served.slice(0, 5).join(', ')}, not "${model}"`;
    onProgress({ progress: 1, detail });
  }

  async function* reply(request: ReplyRequest): AsyncGenerator<string> {
    const { signal } = request;
    throwIfAborted(signal);
    const body = {
      model,
      messages: chatMessages(request, options.systemPrompt ?? SYSTEM_PROMPT),
      stream: true,
      max_tokens: options.maxTokens ?? 512,
      temperature: options.temperature ?? 0.7,
    };
    let response: Response;
    try {
      response = await doFetch(`${api}/chat/completions`, {
        method: 'POST',
        headers: headers(true),
        body: JSON.stringify(body),
        signal,
      });
    } catch (cause) {
      if (isAbort(cause, signal)) throw abortReason(signal);
      throw new ResponderError('UNREACHABLE', `Cannot reach ${api}: ${describe(cause)}.`, {
        cause,
      });
    }
    if (!response.ok) {
      throw new ResponderError(
        'HTTP_STATUS',
        await statusMessage(response, api, 'refused the request'),
      );
    }
    if (!response.body) throw new ResponderError('BAD_RESPONSE', `${api} sent an empty reply.`);
    // A server that ignores `stream: true` answers with one JSON object.
    if (!/event-stream/.test(response.headers.get('content-type') ?? '')) {
      const text = await response.text();
      throwIfAborted(signal);
      const content = readChunk(text, api).choices?.[0]?.message?.content;
      if (content) yield content;
      return;
    }
    try {
      for await (const data of sseData(response.body, signal)) {
        if (data.trim() === '[DONE]') return;
        const content = readChunk(data, api).choices?.[0]?.delta?.content;
        if (content) yield content;
      }
    } catch (cause) {
      if (isAbort(cause, signal)) throw abortReason(signal);
      if (cause instanceof ResponderError) throw cause;
      throw new ResponderError(
        'UNREACHABLE',
        `The connection to ${api} broke: ${describe(cause)}.`,
        {
          cause,
        },
      );
    }
  }

  return {
    id: 'openai',
    label: `OpenAI-compatible server (${api})`,
    load,
    reply,
  };
}

/** "http://host:8080/" → "http://host:8080/v1"; a URL that already ends in /v1 is kept. */
export function apiRoot(baseUrl: string): string {
  const trimmed = baseUrl.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(trimmed)) {
    throw new ResponderError(
      'UNREACHABLE',
      `"${baseUrl}" is not a server address: write it like http://127.0.0.1:8080`,
    );
  }
  return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

function readChunk(data: string, api: string): CompletionChunk {
  let chunk: CompletionChunk;
  try {
    chunk = JSON.parse(data) as CompletionChunk;
  } catch (cause) {
    throw new ResponderError(
      'BAD_RESPONSE',
      `${api} sent something that is not JSON: ${JSON.stringify(data.slice(0, 80))}`,
      { cause },
    );
  }
  if (chunk?.error) {
    const message = typeof chunk.error === 'string' ? chunk.error : chunk.error.message;
    throw new ResponderError('BAD_RESPONSE', `${api} reported an error: ${message ?? 'unknown'}`);
  }
  if (typeof chunk !== 'object' || chunk === null) {
    throw new ResponderError('BAD_RESPONSE', `${api} sent ${JSON.stringify(data.slice(0, 80))}`);
  }
  return chunk;
}

async function listedModels(response: Response): Promise<string[]> {
  try {
    const list = (await response.json()) as {
      data?: { id?: unknown }[];
      models?: { name?: unknown }[];
    };
    const ids = [...(list.data ?? []).map((m) => m.id), ...(list.models ?? []).map((m) => m.name)];
    return ids.filter((id): id is string => typeof id === 'string');
  } catch {
    return [];
  }
}

/** "… answered 404 Not Found: model "x" not found", with the server's own words when it gave any. */
async function statusMessage(response: Response, api: string, what: string): Promise<string> {
  let said = '';
  try {
    const text = (await response.text()).trim();
    try {
      const json = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
      said =
        (typeof json.error === 'string' ? json.error : json.error?.message) ?? json.message ?? text;
    } catch {
      said = text;
    }
  } catch {
    // The status says enough.
  }
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return `${api} ${what} (${status})${said ? `: ${said.slice(0, 200)}` : ''}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const inner = cause instanceof Error ? cause.message : '';
    return inner && !error.message.includes(inner) ? `${error.message} (${inner})` : error.message;
  }
  return String(error);
}
