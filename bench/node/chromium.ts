/**
 * The Chromium half of the bench: a Vite dev server on 127.0.0.1 (a free port) serves
 * bench/browser/ with the repository's sources, plus the cached vectors and the exact results
 * the Node half found; Playwright drives Debian's Chromium on it, forwards the page's progress,
 * and reads the page's result from the DOM.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { createLogger, createServer, type Plugin } from 'vite';
import { chromiumLaunchOptions } from '../../src/testing/chromium.js';
import { configToJson, QUERY_ROWS, type BenchConfig, type DataKind } from '../options.js';
import type { EnvResult } from '../types.js';
import type { StreamFile } from './data.js';

/** What the Chromium half needs from the Node side. */
export interface ChromiumInput {
  readonly root: string;
  readonly config: BenchConfig;
  readonly streams: ReadonlyMap<DataKind, StreamFile>;
  readonly truths: ReadonlyMap<string, Int32Array>;
  progress(line: string): void;
}

/** Runs the page to the end; returns its result and the browser's version. */
export async function runChromium(input: ChromiumInput): Promise<{
  result: EnvResult;
  version: string;
}> {
  const server = await createServer({
    configFile: false,
    root: join(input.root, 'bench', 'browser'),
    customLogger: quietLogger(),
    plugins: [benchData(input)],
    optimizeDeps: { noDiscovery: true, include: [] },
    server: {
      host: '127.0.0.1',
      port: 0,
      fs: { allow: [input.root] },
      // Sources may change while a long run goes on: a reload would restart the page's run.
      hmr: false,
      watch: null,
      // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
  });
  await server.listen();
  // --expose-gc and precise memory info let the page measure the naive peer's heap.
  const browser = await chromium.launch(
    chromiumLaunchOptions(['--js-flags=--expose-gc', '--enable-precise-memory-info']),
  );
  try {
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('the bench server has no address');
    const page = await browser.newPage();
    page.on('console', (message) => {
      const text = message.text();
      if (text.startsWith('[bench] ')) input.progress(text.slice(8));
      else if (message.type() === 'error') input.progress(`page error: ${text}`);
    });
    page.on('pageerror', (error) => input.progress(`page exception: ${error.message}`));
    const crashed = new Promise<never>((_, reject) =>
      page.on('crash', () => reject(new Error('the Chromium page crashed (out of memory?)'))),
    );
    const config = encodeURIComponent(configToJson(input.config));
    await page.goto(`${base}index.html?config=${config}`);
    // The whole plan runs inside the page: no time limit but the caller's.
    await Promise.race([page.waitForSelector('#result[data-done]', { timeout: 0 }), crashed]);
    const text = (await page.textContent('#result')) ?? '';
    let parsed: { result?: EnvResult; error?: string };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new Error(`the page left no result JSON: "${text.slice(0, 200)}"`);
    }
    if (!parsed.result) throw new Error(`the page failed: ${parsed.error ?? text}`);
    return { result: parsed.result, version: `Chromium ${browser.version()}` };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Vite's warnings, less one per Orama module about its published source maps. */
function quietLogger() {
  const logger = createLogger('warn');
  const warnOnce = logger.warnOnce.bind(logger);
  logger.warnOnce = (message, options) => {
    if (!message.startsWith('Sourcemap for ')) warnOnce(message, options);
  };
  return logger;
}

/**
 * Serves `/bench-data/set?kind&n&queries` (the first `queries` query rows, then `n` stored
 * rows, raw f32) and `/bench-data/truth?kind&n` (raw i32; 204 when Node did not run it).
 */
function benchData(input: ChromiumInput): Plugin {
  const { dim } = input.config;
  return {
    name: 'memkeeper-bench-data',
    configureServer(server) {
      server.middlewares.use('/bench-data', (req: IncomingMessage, res: ServerResponse) => {
        const url = new URL(req.url ?? '/', 'http://bench');
        const kind = url.searchParams.get('kind') as DataKind;
        const n = Number(url.searchParams.get('n'));
        if (url.pathname === '/truth') {
          const truth = input.truths.get(`${kind}-${n}`);
          if (!truth) return void res.writeHead(204).end(); // none yet: the page finds them
          res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
          return void res.end(Buffer.from(truth.buffer, truth.byteOffset, truth.byteLength));
        }
        const queries = Number(url.searchParams.get('queries'));
        const stream = input.streams.get(kind);
        if (!stream || queries > QUERY_ROWS || QUERY_ROWS + n > stream.rows) {
          return void res.writeHead(404).end();
        }
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String((queries + n) * dim * 4),
        });
        const head = createReadStream(stream.path, { start: 0, end: queries * dim * 4 - 1 });
        head.pipe(res, { end: false });
        head.on('end', () => {
          const start = QUERY_ROWS * dim * 4;
          createReadStream(stream.path, { start, end: start + n * dim * 4 - 1 }).pipe(res);
        });
      });
    },
  };
}
