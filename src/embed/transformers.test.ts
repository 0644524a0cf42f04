import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@huggingface/transformers';
import { makeTinyModels, TINY_HIDDEN, TINY_MODEL } from '../../scripts/make-tiny-models.mjs';
import { createMemory } from '../memory.js';
import type { ProgressEvent } from './embedder.js';
import { transformersEmbedder } from './transformers.js';

// The model is generated per run in a private folder: other test runs in the same tree may be
// generating theirs at the same moment.
const root = mkdtempSync(join(tmpdir(), 'memkeeper-models-'));
const offline = { model: TINY_MODEL as string, localModelPath: root, allowRemoteModels: false };
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

beforeAll(() => {
  makeTinyModels(root);
  // A copy whose config lies about its width, for the wrong-dimension check.
  cpSync(join(root, TINY_MODEL), join(root, 'liar'), { recursive: true });
  const config = JSON.parse(readFileSync(join(root, 'liar', 'config.json'), 'utf8'));
  writeFileSync(join(root, 'liar', 'config.json'), JSON.stringify({ ...config, hidden_size: 48 }));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('onnxruntime-node', () => {
  it('ships its CPU binary for this platform, and it loads', async () => {
    const bin = join(
      'node_modules',
      'onnxruntime-node',
      'bin',
      'napi-v6',
      process.platform,
      process.arch,
    );
    expect(existsSync(join(bin, 'onnxruntime_binding.node'))).toBe(true);
    const ort = await import('onnxruntime-node');
    expect(typeof ort.InferenceSession.create).toBe('function');
  });
});

describe('transformersEmbedder (tiny generated BERT, offline)', () => {
  it('loads from a local folder with no network, with dim read from the model', async () => {
    const e = await transformersEmbedder(offline);
    expect(e.dim).toBe(TINY_HIDDEN);
    expect(e.id).toBe(`transformers-v1:${TINY_MODEL}:fp32:mean:d${TINY_HIDDEN}`);
    const vectors = await e.embed(['I live in Berlin', 'my cat is called Turing', '']);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(TINY_HIDDEN);
      expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
    }
    expect(dot(vectors[0]!, vectors[1]!)).toBeLessThan(0.999);
    await e.dispose?.();
  });

  it('is deterministic across calls and instances', async () => {
    const a = await transformersEmbedder(offline);
    const b = await transformersEmbedder(offline);
    const [x1] = await a.embed(['I love sushi on friday']);
    const [x2] = await a.embed(['I love sushi on friday']);
    const [y] = await b.embed(['I love sushi on friday']);
    expect(Array.from(x2!)).toEqual(Array.from(x1!));
    for (let i = 0; i < TINY_HIDDEN; i++) expect(y![i]).toBeCloseTo(x1![i]!, 6);
    await Promise.all([a.dispose?.(), b.dispose?.()]);
  });

  it('pools over the attention mask: padding in a batch does not change a vector', async () => {
    const e = await transformersEmbedder({ ...offline, batchSize: 8 });
    const [alone] = await e.embed(['hello']);
    const [padded] = await e.embed([
      'hello',
      'my sister maria moved to berlin last year and loves coffee in the morning',
    ]);
    for (let i = 0; i < TINY_HIDDEN; i++) expect(padded![i]).toBeCloseTo(alone![i]!, 5);
    // Batching is invisible too: 20 texts in batches of 8 equal each embedded alone.
    const texts = Array.from(
      { length: 20 },
      (_, i) => `sentence ${i} about tokyo ${'x'.repeat(i)}`,
    );
    const batched = await e.embed(texts);
    const single = await Promise.all(texts.map(async (t) => (await e.embed([t]))[0]!));
    batched.forEach((v, i) => expect(dot(v, single[i]!)).toBeCloseTo(1, 5));
    await e.dispose?.();
  });

  it('applies query and document prefixes and names them in the id', async () => {
    const e = await transformersEmbedder({
      ...offline,
      documentPrefix: 'passage: ',
      queryPrefix: 'query: ',
    });
    expect(e.id).toContain('passage: ');
    const [doc] = await e.embed(['paris']);
    const [query] = await e.embedQuery!(['paris']);
    expect(dot(doc!, query!)).toBeLessThan(0.9999);
    await e.dispose?.();
  });

  it('fails with clear codes: missing model, model that lies about its width, bad options', async () => {
    await expect(
      transformersEmbedder({ ...offline, model: 'no-such-model' }),
    ).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    await expect(transformersEmbedder({ ...offline, model: 'liar' })).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
    });
    await expect(transformersEmbedder({ ...offline, model: '' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    await expect(transformersEmbedder({ ...offline, batchSize: 0 })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });

  it('disposes once, then refuses work with DESTROYED; rejects bad texts and aborted signals', async () => {
    const e = await transformersEmbedder(offline);
    await expect(e.embed([7 as unknown as string])).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(e.embed(['x'], controller.signal)).rejects.toThrow('stop');
    await e.dispose?.();
    await e.dispose?.();
    await expect(e.embed(['x'])).rejects.toMatchObject({ code: 'DESTROYED' });
  });
});

describe('transformersEmbedder download progress', () => {
  let server: Server;
  let host = '';
  const saved = { ...env };

  beforeAll(async () => {
    // A real HTTP download from a local server, through transformers.js's own fetch path:
    // each file is sent in small chunks so that the library reports byte progress.
    server = createServer((req, res) => {
      const match = /^\/memkeeper-test\/tiny-bert\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      const file = match && join(root, TINY_MODEL, decodeURIComponent(match[1]!));
      if (!file || !existsSync(file)) return void res.writeHead(404).end();
      const body = readFileSync(file);
      res.writeHead(200, {
        'content-length': body.length,
        'content-type': 'application/octet-stream',
      });
      let offset = 0;
      const next = () => {
        if (offset >= body.length) return void res.end();
        res.write(body.subarray(offset, (offset += 512)));
        setTimeout(next, 1);
      };
      next();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    host = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  afterAll(async () => {
    Object.assign(env, {
      remoteHost: saved.remoteHost,
      cacheDir: saved.cacheDir,
      localModelPath: saved.localModelPath,
    });
    await new Promise((done) => server.close(done));
  });

  it('forwards download progress over all files, never going back, then ready', async () => {
    // Node keeps downloaded model files in its file cache and loads them from there.
    Object.assign(env, {
      remoteHost: host,
      cacheDir: join(root, 'cache'),
      localModelPath: join(root, 'nothing-here'),
    });
    const events: ProgressEvent[] = [];
    const e = await transformersEmbedder({
      model: 'memkeeper-test/tiny-bert',
      onProgress: (event) => events.push(event),
    });
    const downloads = events.filter((x) => x.kind === 'download');
    expect(new Set(downloads.map((x) => x.file)).size).toBeGreaterThanOrEqual(2);
    expect(downloads.length).toBeGreaterThan(5);
    for (let i = 1; i < downloads.length; i++) {
      expect(downloads[i]!.progress).toBeGreaterThanOrEqual(downloads[i - 1]!.progress);
      expect(downloads[i]!.loaded).toBeGreaterThanOrEqual(downloads[i - 1]!.loaded);
    }
    expect(downloads.at(-1)!.progress).toBe(1);
    expect(events.at(-1)).toEqual({ kind: 'ready', what: 'memkeeper-test/tiny-bert' });
    expect((await e.embed(['hello']))[0]!.length).toBe(TINY_HIDDEN);
    await e.dispose?.();
  });

  it("shows the download in createMemory's onProgress when the memory loads the embedder", async () => {
    Object.assign(env, {
      remoteHost: host,
      cacheDir: join(root, 'cache-memory'), // not yet downloaded: the files come over HTTP
      localModelPath: join(root, 'nothing-here'),
    });
    const events: ProgressEvent[] = [];
    const memory = await createMemory({
      gpu: 'cpu',
      storage: 'memory',
      embedder: (load) => transformersEmbedder({ model: 'memkeeper-test/tiny-bert', ...load }),
      onProgress: (event) => events.push(event),
    });
    const downloads = events.filter((x) => x.kind === 'download');
    expect(downloads.length).toBeGreaterThan(5);
    for (let i = 1; i < downloads.length; i++)
      expect(downloads[i]!.progress).toBeGreaterThanOrEqual(downloads[i - 1]!.progress);
    expect(downloads.at(-1)!.progress).toBe(1);
    expect(events.slice(-2)).toEqual([
      { kind: 'ready', what: 'memkeeper-test/tiny-bert' },
      { kind: 'ready', what: 'memory' },
    ]);
    expect(memory.embedder.dim).toBe(TINY_HIDDEN);
    await memory.session('chat').observe({ role: 'user', content: 'I live in Lisbon.' });
    const recall = await memory.session('chat').recall('Lisbon', { budgetTokens: 200 });
    expect(recall.text).toContain('Lisbon');
    await memory.close();
  });
});
