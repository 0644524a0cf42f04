/**
 * `npm run bench:demo`: the demo app's own speed, as a person meets it, in headless Chromium
 * on the production build (service worker included) with a fresh profile: the first visit to
 * a usable chat, a turn from Enter to the whole reply (offline responder) and the recall inside
 * it, then the same with a long conversation stored (N turns observed through the app's own
 * memory), a reload with it (time to usable, history on screen), and an offline reload from
 * the service worker. Every figure is measured in this run; the machine's load is printed.
 *
 * Usage: npm run bench:demo -- [--turns 2000] [--json FILE]
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { build, preview } from 'vite';
import { chromiumLaunchOptions } from '../../src/testing/chromium.js';

/** One turn, as the app timed it from Enter (see App.send). */
interface TurnTiming {
  /** To the first piece of the reply on screen: what a person waits for. */
  firstPieceMs: number;
  /** To the whole reply (the offline responder paces its words 8 ms apart). */
  replyMs: number;
  /** recall() inside the turn. */
  recallMs: number;
}

export interface DemoFigures {
  machine: { load: number[]; chromium: string };
  storedTurns: number;
  firstVisitReadyMs: number;
  turnsEmpty: { p50: TurnTiming; p95: TurnTiming };
  observePerTurnMs: number;
  reloadReadyMs: number;
  turnsFull: { p50: TurnTiming; p95: TurnTiming };
  offlineReloadReadyMs: number;
}

function arg(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summarize(timings: TurnTiming[]) {
  const at = (q: number): TurnTiming => {
    const of = (key: keyof TurnTiming) =>
      quantile(
        timings.map((t) => t[key]),
        q,
      );
    return { firstPieceMs: of('firstPieceMs'), replyMs: of('replyMs'), recallMs: of('recallMs') };
  };
  return { p50: at(0.5), p95: at(0.95) };
}

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('#app[data-state="ready"]', { timeout: 0 });
}

/** Navigates (or reloads) and times it to a usable chat. */
async function timeToReady(page: Page, go: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await go();
  await ready(page);
  return performance.now() - start;
}

const QUESTIONS = [
  'My name is Maria and I live in Lisbon.',
  'I prefer window seats when I fly.',
  'Where do I live?',
  'What is my name?',
  'I plan to visit Tokyo in April.',
  'When is my trip?',
];

async function turns(page: Page, count: number): Promise<TurnTiming[]> {
  const out: TurnTiming[] = [];
  const input = page.getByRole('textbox', { name: 'Message' });
  const replies = page.getByTestId('message-assistant');
  for (let i = 0; i < count; i++) {
    const before = await replies.count();
    await input.fill(QUESTIONS[i % QUESTIONS.length]!);
    const start = performance.now();
    await input.press('Enter');
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('[data-testid="message-assistant"]').length > n &&
        !document.querySelector('[data-testid="streaming"]'),
      before,
      { timeout: 0, polling: 'raf' },
    );
    const timing = await page.evaluate(
      () =>
        (window as unknown as { memkeeperDemo: { lastTurn: TurnTiming } }).memkeeperDemo.lastTurn,
    );
    out.push({ ...timing, replyMs: performance.now() - start });
  }
  return out;
}

/** Stores `count` turns in the open conversation through the app's memory; ms per turn. */
async function fill(page: Page, count: number): Promise<number> {
  return page.evaluate(async (count) => {
    const app = (window as unknown as { memkeeperDemo: { memory: MemoryLike; current: string } })
      .memkeeperDemo;
    const session = app.memory.session(app.current);
    const topics = ['cooking', 'the garden', 'a film', 'work', 'the weather', 'a book', 'running'];
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const topic = topics[i % topics.length];
      await session.observe({
        role: i % 2 ? 'assistant' : 'user',
        content: `Turn ${i}: some talk about ${topic}, number ${i * 7} and what came of it.`,
      });
    }
    await session.settled();
    return (performance.now() - start) / count;
    interface MemoryLike {
      session(id: string): {
        observe(turn: { role: string; content: string }): Promise<unknown>;
        settled(): Promise<void>;
      };
    }
  }, count);
}

export async function main(argv: readonly string[], root: string): Promise<number> {
  const storedTurns = Number(arg(argv, '--turns') ?? 2000);
  const json = arg(argv, '--json');
  const outDir = join(root, 'build', 'bench-demo');
  const config = join(root, 'demo', 'vite.config.ts');
  console.error('building the demo…');
  await build({ configFile: config, logLevel: 'warn', build: { outDir } });
  const server = await preview({
    configFile: config,
    logLevel: 'warn',
    build: { outDir },
    preview: { port: 0, strictPort: false, host: '127.0.0.1' },
  });
  const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4173/';
  const profile = mkdtempSync(join(tmpdir(), 'memkeeper-bench-demo-'));
  const launch = chromiumLaunchOptions();
  const context = await chromium.launchPersistentContext(profile, {
    ...launch,
    viewport: { width: 1280, height: 800 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    console.error('first visit…');
    const firstVisitReadyMs = await timeToReady(page, () => page.goto(url));
    await page.evaluate(() => navigator.serviceWorker.ready);
    console.error('turns on an empty memory…');
    const empty = await turns(page, 12);
    console.error(`storing ${storedTurns} turns…`);
    const observePerTurnMs = await fill(page, storedTurns);
    console.error('reload with them…');
    const reloadReadyMs = await timeToReady(page, () => page.reload());
    const full = await turns(page, 12);
    console.error('offline reload…');
    await context.setOffline(true);
    const offlineReloadReadyMs = await timeToReady(page, () => page.reload());
    await context.setOffline(false);
    const figures: DemoFigures = {
      machine: {
        load: loadavg(),
        chromium: context.browser()?.version() ?? launch.executablePath ?? 'playwright',
      },
      storedTurns,
      firstVisitReadyMs,
      turnsEmpty: summarize(empty),
      observePerTurnMs,
      reloadReadyMs,
      turnsFull: summarize(full),
      offlineReloadReadyMs,
    };
    print(figures);
    if (json) {
      mkdirSync(dirname(resolve(json)), { recursive: true });
      writeFileSync(resolve(json), `${JSON.stringify(figures, null, 2)}\n`);
    }
    return 0;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await new Promise<void>((done) => server.httpServer.close(() => done()));
  }
}

function print(f: DemoFigures) {
  const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;
  const pair = (a: number, b: number) => `${ms(a)} / ${ms(b)}`;
  const turn = (label: string, t: DemoFigures['turnsEmpty']): [string, string][] => [
    [`${label}: first words p50 / p95`, pair(t.p50.firstPieceMs, t.p95.firstPieceMs)],
    ['  whole reply p50 / p95', pair(t.p50.replyMs, t.p95.replyMs)],
    ['  recall inside it p50 / p95', pair(t.p50.recallMs, t.p95.recallMs)],
  ];
  const rows: [string, string][] = [
    ['first visit → usable chat', ms(f.firstVisitReadyMs)],
    ...turn('turn, empty memory', f.turnsEmpty),
    [
      `observe, ${f.storedTurns} turns (incl. background work)`,
      `${ms(f.observePerTurnMs)} per turn`,
    ],
    [`reload with ${f.storedTurns} turns → usable`, ms(f.reloadReadyMs)],
    ...turn(`turn, ${f.storedTurns} turns stored`, f.turnsFull),
    ['offline reload (service worker) → usable', ms(f.offlineReloadReadyMs)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(
    `demo app, Chromium ${f.machine.chromium}, load ${f.machine.load.map((x) => x.toFixed(1)).join(' ')}`,
  );
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log(
    '(the offline responder streams its words 8 ms apart: a reply time is mostly that pacing)',
  );
}
