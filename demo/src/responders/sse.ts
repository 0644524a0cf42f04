/**
 * Server-sent events as OpenAI-compatible servers stream them: `data: {...}` lines, events
 * ended by a blank line, `[DONE]` at the end. Bytes arrive cut anywhere, even inside a
 * multi-byte character, so decoding and line splitting carry what is left over.
 */
import { abortReason } from './stream.js';

/**
 * Splits text chunks into event payloads (the `data:` lines of one event, joined by "\n").
 * Comments (`:`) and other fields (`event:`, `id:`) are skipped.
 *
 * @example
 * const events = new SseEvents();
 * events.push('data: {"a"'); // []
 * events.push(':1}\n\n');    // ['{"a":1}']
 */
export class SseEvents {
  private line = '';
  private data: string[] = [];

  /** Takes the next chunk of text; returns the payloads of the events it completed. */
  push(chunk: string): string[] {
    const out: string[] = [];
    let text = this.line + chunk;
    // A "\r" at the end may be the first half of a "\r\n" cut by the network.
    const held = text.endsWith('\r') ? '\r' : '';
    if (held) text = text.slice(0, -1);
    const lines = text.split(/\r\n|\r|\n/);
    this.line = (lines.pop() ?? '') + held;
    for (const line of lines) {
      if (line === '') {
        if (this.data.length) out.push(this.data.join('\n'));
        this.data = [];
      } else if (line.startsWith('data:')) {
        this.data.push(line.slice(line[5] === ' ' ? 6 : 5));
      }
    }
    return out;
  }

  /** The end of the stream: an event the server did not close with a blank line. */
  end(): string[] {
    const out = this.push('\n\n');
    this.line = '';
    return out;
  }
}

/**
 * The event payloads of a response body, as they arrive. Cancels the body and throws the
 * signal's reason when `signal` aborts.
 */
export async function* sseData(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events = new SseEvents();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const { done, value } = await reader.read();
      if (signal?.aborted) throw abortReason(signal);
      if (done) break;
      yield* events.push(decoder.decode(value, { stream: true }));
    }
    finished = true;
    yield* events.push(decoder.decode());
    yield* events.end();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // A consumer that stops early (or an abort) frees the connection.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
