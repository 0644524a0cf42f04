/**
 * What every responder shares: one error class for what a person reads, and the pacing of a
 * reply that is known whole (the offline responder's) into visible word pieces.
 */

/** Why a responder failed, for branching; the message is for a person. */
export type ResponderErrorCode =
  | 'UNREACHABLE'
  | 'HTTP_STATUS'
  | 'BAD_RESPONSE'
  | 'MODEL_LOAD_FAILED'
  | 'NOT_LOADED'
  | 'GENERATION_FAILED';

/**
 * The one error responders throw (aborts excepted: those rethrow the signal's reason, an
 * `AbortError` by default, so that the app can tell "stopped" from "failed").
 *
 * @example
 * try { for await (const piece of responder.reply(request)) show(piece); }
 * catch (e) { if (e instanceof ResponderError) banner(e.message); }
 */
export class ResponderError extends Error {
  readonly code: ResponderErrorCode;

  constructor(code: ResponderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResponderError';
    this.code = code;
  }
}

/** Throws the signal's reason (an `AbortError` unless the app gave another) once aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** The error an aborted signal stands for. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The reply was stopped', 'AbortError');
}

/** Whether `error` is the abort of `signal` (not a failure to report). */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return (signal?.aborted ?? false) || (error instanceof Error && error.name === 'AbortError');
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A text cut into word pieces, each with the whitespace after it: joined, they are the text.
 *
 * @example
 * wordPieces('Hi Maria!\nHow are you?'); // ['Hi ', 'Maria!\n', 'How ', 'are ', 'you?']
 */
export function wordPieces(text: string): string[] {
  const lead = /^\s*/.exec(text)![0];
  const pieces = text.slice(lead.length).match(/\S+\s*/g) ?? [];
  if (lead && pieces.length) pieces[0] = lead + pieces[0];
  return pieces.length ? pieces : text ? [text] : [];
}

/**
 * Streams `text` in word pieces, `delayMs` apart, so that a reply known at once still reads
 * as it is written. Stops with the signal's reason when it aborts.
 *
 * @example
 * for await (const piece of paced('You told me your name is Maria.', { delayMs: 8, signal })) out += piece;
 */
export async function* paced(
  text: string,
  { delayMs = 8, signal }: { delayMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<string> {
  const pieces = wordPieces(text);
  for (let i = 0; i < pieces.length; i++) {
    throwIfAborted(signal);
    if (i > 0 && delayMs > 0) await sleep(delayMs, signal);
    yield pieces[i]!;
  }
}
