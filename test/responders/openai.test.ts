/**
 * The OpenAI-compatible responder against a real HTTP server in the test (node:http): SSE
 * written in pieces cut at arbitrary bytes (inside JSON, inside a UTF-8 character, between
 * "\r" and "\n"), error statuses, bad JSON, a server without /v1/models, a dead port, abort.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoot, openAiResponder } from '../../demo/src/responders/openai.js';
import { SseEvents } from '../../demo/src/responders/sse.js';
import type { ReplyRequest } from '../../demo/src/responders/types.js';

const REPLY = ['Olá', ' Maria', '! You', ' live in Lisbon', ' — naïve café ☕ 🌍.'];

interface Seen {
  body: Record<string, unknown>;
  authorization?: string;
}
const seen: Seen[] = [];
let server: Server;
let base: string;

function sse(pieces: string[], crlf = false): Buffer {
  const end = crlf ? '\r\n\r\n' : '\n\n';
  const events = pieces.map(
    (content, i) =>
      `data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: i === 0 ? { role: 'assistant', content } : { content } }] })}${end}`,
  );
  return Buffer.from(`: keep-alive${end}${events.join('')}data: [DONE]${end}`, 'utf8');
}

/** Writes `bytes` in pieces of 1..7 bytes, a tick apart. */
async function dribble(res: ServerResponse, bytes: Buffer): Promise<void> {
  let at = 0;
  let size = 1;
  while (at < bytes.length) {
    res.write(bytes.subarray(at, at + size));
    at += size;
    size = (size % 7) + 1;
    await new Promise((r) => setTimeout(r, 0));
  }
  res.end();
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Seen['body']) : {};
  const url = req.url ?? '';
  if (url.startsWith('/nomodels/v1/models')) return res.writeHead(404).end('Not Found');
  if (url.endsWith('/v1/models')) {
    if (req.headers.authorization === 'Bearer wrong') {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: 'Invalid API key' } }));
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(
      JSON.stringify({ object: 'list', data: [{ id: 'tiny:latest' }, { id: 'other' }] }),
    );
  }
  if (!url.endsWith('/v1/chat/completions')) return res.writeHead(404).end();
  seen.push({ body, authorization: req.headers.authorization });
  const model = String(body.model);
  if (model === 'missing') {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    return res.end(
      JSON.stringify({ error: { message: 'model "missing" not found, try pulling it first' } }),
    );
  }
  if (model === 'plain') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(
      JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Whole.' } }] }),
    );
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  if (model === 'badjson')
    return res.end('data: {"choices": [{"delta": {"content": "a"}}]}\n\ndata: {oops\n\n');
  if (model === 'slow') {
    for (let i = 0; i < 200 && !res.destroyed; i++) {
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: `w${i} ` } }] })}\n\n`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return res.end();
  }
  return dribble(res, sse(REPLY, model === 'crlf'));
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function request(signal = new AbortController().signal): ReplyRequest {
  return {
    session: 's',
    message: 'Where do I live?',
    turnId: 's/t2',
    userName: 'Maria',
    signal,
    recall: {
      text: '',
      items: [],
      explain: {} as never,
      messages: [
        {
          role: 'system',
          content:
            'What is known (long-term memory):\n[2025-01-06 09:01] The user lives in Lisbon.',
        },
        { role: 'user', content: 'Hi, I am Maria.', name: 'Maria' },
        { role: 'assistant', content: 'Hello Maria!' },
        { role: 'user', content: 'Where do I live?', name: 'Maria' },
      ],
    },
  };
}

async function collect(pieces: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of pieces) out.push(piece);
  return out;
}

describe('openAiResponder', () => {
  it('streams a reply cut at arbitrary bytes, with the memory prompt and the key', async () => {
    for (const model of ['tiny', 'crlf']) {
      const responder = openAiResponder({ baseUrl: `${base}/`, model, apiKey: 'k1' });
      const progress: string[] = [];
      await responder.load((p) => progress.push(`${p.progress} ${p.detail}`));
      expect(progress.at(-1)).toMatch(/^1 Connected to http:\/\/127\.0\.0\.1:\d+\/v1/);
      const pieces = await collect(responder.reply(request()));
      expect(pieces.join('')).toBe(REPLY.join(''));
      expect(pieces.length).toBe(REPLY.length);
    }
    const sent = seen.at(-1)!;
    expect(sent.authorization).toBe('Bearer k1');
    expect(sent.body).toMatchObject({ model: 'crlf', stream: true });
    const messages = sent.body.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[0]!.content).toMatch(/^You are a helpful assistant with memory/);
    expect(messages[0]!.content).toContain('The user lives in Lisbon.');
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Where do I live?' });
  });

  it('tolerates a server without /v1/models, takes the listed model when none is named, and reads a whole JSON reply', async () => {
    const bare = openAiResponder({ baseUrl: `${base}/nomodels`, model: 'plain' });
    await bare.load(() => {});
    expect((await collect(bare.reply(request()))).join('')).toBe('Whole.');
    const first = openAiResponder({ baseUrl: `${base}/v1`, model: '' });
    const details: string[] = [];
    await first.load((p) => details.push(p.detail));
    expect(details.at(-1)).toContain('(tiny:latest)');
  });

  it('turns statuses, bad JSON and dead servers into messages a person can read', async () => {
    const missing = openAiResponder({ baseUrl: base, model: 'missing' });
    await expect(collect(missing.reply(request()))).rejects.toMatchObject({
      name: 'ResponderError',
      code: 'HTTP_STATUS',
      message: expect.stringMatching(
        /refused the request \(404 Not Found\): model "missing" not found/,
      ),
    });
    const bad = openAiResponder({ baseUrl: base, model: 'badjson' });
    await expect(collect(bad.reply(request()))).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringMatching(/not JSON: "\{oops"/),
    });
    const key = openAiResponder({ baseUrl: base, model: 'tiny', apiKey: 'wrong' });
    await expect(key.load(() => {})).rejects.toMatchObject({
      code: 'HTTP_STATUS',
      message: expect.stringMatching(/refused the API key \(401 Unauthorized\): Invalid API key/),
    });
    // A port nothing listens on: bind one, then close it.
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const gone = openAiResponder({ baseUrl: `http://127.0.0.1:${port}`, model: 'x' });
    await expect(gone.load(() => {})).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(
        /^Cannot reach http:\/\/127\.0\.0\.1:\d+\/v1: .*Is the server running/,
      ),
    });
    await expect(collect(gone.reply(request()))).rejects.toMatchObject({ code: 'UNREACHABLE' });
    expect(() => openAiResponder({ baseUrl: 'localhost:8080', model: 'x' })).toThrow(
      /not a server address/,
    );
  });

  it('stops streaming when the signal aborts', async () => {
    const controller = new AbortController();
    const responder = openAiResponder({ baseUrl: base, model: 'slow' });
    const pieces: string[] = [];
    const started = performance.now();
    await expect(
      (async () => {
        for await (const piece of responder.reply(request(controller.signal))) {
          pieces.push(piece);
          if (pieces.length === 3) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(pieces).toEqual(['w0 ', 'w1 ', 'w2 ']);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('SSE and addresses', () => {
  it('joins multi-line data, skips comments and fields, flushes an unterminated event', () => {
    const events = new SseEvents();
    expect(events.push('event: message\nid: 1\ndata: a\n')).toEqual([]);
    expect(events.push('data: b\r')).toEqual([]);
    expect(events.push('\n\r\n: comment\ndata:c')).toEqual(['a\nb']);
    expect(events.end()).toEqual(['c']);
  });

  it('finds the API root', () => {
    expect(apiRoot('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/v1');
    expect(apiRoot('http://localhost:11434/v1/')).toBe('http://localhost:11434/v1');
  });
});
