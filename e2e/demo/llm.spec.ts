// The in-browser LLM end to end in the real app, with no download: a person picks it in
// Settings, downloads it with a progress bar, and chats past its KV budget; the cache is pruned
// on the GPU and replies keep streaming. The Hub's answers for the first model of models.json
// come from the project's tiny generated chat model (test/responders/tiny-chat-model.ts),
// served by a route as the Hub serves files: any ONNX dtype the app asks for, ranges, 404s.
// The tiny model is random: what its replies say is not the point, that they come is. Its RoPE
// table has 256 positions and the conversation goes far past that; on WebGPU a lookup past the
// table does not fail (robust buffer access), so this checks the app's path, not the numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { expect, test } from '../../src/testing/index.js';
import { TINY_CHAT, writeTinyChatModel } from '../../test/responders/tiny-chat-model.js';
import { DESKTOP, DemoChat } from './chat.js';
import { serveHub } from './hub.js';

interface ModelEntry {
  id: string;
  label: string;
  kvBudgetTokens: number;
}
const { models } = JSON.parse(readFileSync('demo/src/responders/models.json', 'utf8')) as {
  models: ModelEntry[];
};
const MODEL = models[0]!;
const HUB = `https://huggingface.co/${MODEL.id}/resolve/main/`;
// The spec's own copy, so that a unit test run writing the shared one at the same time cannot
// hand the route a half-written file.
const FOLDER = join('test', 'models', 'generated', 'e2e');
const TINY = join(FOLDER, TINY_CHAT);

/**
 * A message a person might paste. The tiny model's tokenizer is one token per character: with
 * the system prompt, its prompt alone passes the budget (kvBudgetTokens 1024).
 */
const LONG_MESSAGE =
  'Here is my plan for the trip, can you check it? Next month I fly to Tokyo for two weeks ' +
  'with my sister Ana. We land at Haneda on a Monday morning, take the monorail into the ' +
  'city and stay three nights near Ueno park, because Ana loves museums and I like long ' +
  'walks in the morning. On Thursday we take the Shinkansen to Kyoto to see the temples, the ' +
  'bamboo forest and the old tea houses, then two nights in Nara and a day trip to Osaka for ' +
  'street food. The second week is quieter: a small inn near Hakone with hot springs and a ' +
  'view of the mountains, and the last days back in Tokyo for shopping. I am vegetarian and ' +
  'Ana does not eat fish, so we need places that can cook for both of us. We have a rail pass ' +
  'for seven days and a budget of about two thousand euros each, flights already paid. What ' +
  'would you change, and which days would you swap if it rains?';

test.beforeAll(() => {
  writeTinyChatModel(FOLDER);
});

/** Every request the profile makes, the service worker's included. */
function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on('request', (r) => urls.push(r.url()));
  return urls;
}

/** Records each value the LLM's progress bar takes, from now on. */
async function watchProgress(page: Page): Promise<() => Promise<number[]>> {
  const seen = await page.evaluateHandle(() => {
    const values: number[] = [];
    const dialog = document.getElementById('settings')!;
    new MutationObserver(() => {
      const bar = dialog.querySelector<HTMLProgressElement>('#llm-progress progress');
      if (bar && values.at(-1) !== bar.value) values.push(bar.value);
    }).observe(dialog, { subtree: true, childList: true, attributes: true });
    return values;
  });
  return () => seen.jsonValue();
}

/** Picks the in-browser LLM (the first model) in Settings and downloads it; returns the dialog. */
async function loadLlm(chat: DemoChat): Promise<Locator> {
  const settings = await chat.openSettings();
  await settings.getByRole('radio', { name: /In-browser LLM/ }).check();
  await expect(settings.getByRole('combobox', { name: /^Model/ })).toHaveValue(MODEL.id);
  await settings.getByRole('button', { name: 'Download and load' }).click();
  const status = settings.getByTestId('llm-progress');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(status).toContainText(`${MODEL.label} (in the browser) is ready.`);
  return settings;
}

/** The KV badge's numbers: "KV pruned 2× · 768/2363 tokens · knorm on webgpu". */
async function kvNumbers(badge: Locator): Promise<{ prunes: number; cache: number; all: number }> {
  const text = (await badge.textContent()) ?? '';
  const match = /^KV pruned (\d+)× · (\d+)\/(\d+) tokens/.exec(text);
  expect(match, text).not.toBeNull();
  return { prunes: Number(match![1]), cache: Number(match![2]), all: Number(match![3]) };
}

test('the in-browser LLM downloads with progress, streams replies, and prunes its KV cache past the budget', async ({
  page,
  context,
}, info) => {
  const asked = await serveHub(context, MODEL.id, TINY);
  const requests = recordRequests(context);
  await page.setViewportSize(DESKTOP);
  const chat = new DemoChat(page);
  await chat.open();
  const origin = new URL(page.url()).origin;

  const progress = await watchProgress(page);
  const settings = await loadLlm(chat);
  const values = await progress();
  // The bar moved forward only, from the start to the end of the load.
  expect(values).toEqual([...values].sort((a, b) => a - b));
  expect(new Set(values).size).toBeGreaterThanOrEqual(3);
  expect(values[0]).toBeLessThanOrEqual(0.02);
  expect(values.at(-1)).toBeGreaterThanOrEqual(0.96);
  expect(asked).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json']));
  expect(asked.some((f) => /^onnx\/model_\w+\.onnx$/.test(f))).toBe(true);
  // Nothing left the app's origin but the (routed) Hub, and onnxruntime's WASM was the app's.
  expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith(HUB))).toEqual([]);
  const ort = requests.filter((u) => /\/ort-wasm[^/]*\.wasm$/.test(u));
  expect(ort.length).toBeGreaterThan(0);
  expect(ort.filter((u) => !u.startsWith(`${origin}/assets/`))).toEqual([]);
  await chat.screenshot(info, 'desktop-llm-loaded');
  await settings.getByRole('button', { name: 'Close settings' }).click();

  await expect(page.getByTestId('responder-badge')).toHaveText(`${MODEL.label} (in the browser)`);
  await expect(chat.kvStatus).toHaveText(`KV 0/${MODEL.kvBudgetTokens} tokens`);
  await expect(chat.kvStatus).toHaveAttribute('data-active', 'false');

  // Its prompt takes the conversation past the budget: the cache is pruned after the turn,
  // even one stopped early (a person who has read enough clicks Stop; the reply so far stays).
  expect(await chat.sayStreamed(LONG_MESSAGE, { stop: true })).toMatch(/\S/);
  await expect(page.getByTestId('reply-error')).toHaveCount(0);
  await expect(chat.kvStatus).toHaveAttribute('data-active', 'true');
  const pruned = await kvNumbers(chat.kvStatus);
  expect(pruned.prunes).toBe(1);
  expect(pruned.cache).toBeLessThanOrEqual(MODEL.kvBudgetTokens);
  expect(pruned.all).toBeGreaterThan(MODEL.kvBudgetTokens);
  // Pruned where the cache lives: on the GPU (SwiftShader here), by memkeeper's KvPruner.
  await expect(chat.kvStatus).toContainText('knorm on webgpu');

  // After pruning, a whole reply streams (256 tokens: the random model never ends one early),
  // and the conversation keeps growing past what the cache holds.
  expect(await chat.sayStreamed('What should I pack?')).toMatch(/\S/);
  await expect(page.getByTestId('reply-error')).toHaveCount(0);
  const after = await kvNumbers(chat.kvStatus);
  expect(after.all - pruned.all).toBeGreaterThan(256);
  expect(after.cache).toBeLessThanOrEqual(MODEL.kvBudgetTokens);
  await expect(page.getByTestId('stat-kv')).toHaveText(`${after.cache} / ${after.all} tok`);
  await chat.screenshot(info, 'desktop-llm');
});

test('once loaded, the in-browser LLM loads again offline, from the browser’s cache', async ({
  page,
  context,
}) => {
  const asked = await serveHub(context, MODEL.id, TINY);
  await page.setViewportSize(DESKTOP);
  const chat = new DemoChat(page);
  await chat.open();
  // The service worker caches onnxruntime's WASM when first fetched: let it control the page.
  await chat.waitForServiceWorker();
  await loadLlm(chat);
  expect(asked.length).toBeGreaterThan(0);

  // Offline. A route still sees requests when the context is offline (and could still answer
  // them), so the Hub's route is swapped for one that refuses and counts: a file missing
  // from the cache would fail the load, and show here.
  await context.unrouteAll({ behavior: 'wait' });
  const reachedHub: string[] = [];
  await context.route('https://huggingface.co/**', (route) => {
    reachedHub.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  await context.setOffline(true);
  await page.reload();
  await chat.ready();
  // transformers.js reads the model from Cache Storage, onnxruntime's WASM comes from the
  // service worker's cache, and the one-token warm-up that ends the load runs the model.
  await loadLlm(chat);
  expect(reachedHub).toEqual([]);
});
