// Switching the demo from the built-in hashing embedder to a sentence-embedding model from the
// Hub: download with progress, every stored memory re-embedded with a progress bar, recall
// still right. No network here: the Hub's answers for the model come from the project's tiny
// generated BERT, served by a route, as the Hub would serve them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTinyModels } from '../../scripts/make-tiny-models.mjs';
import { expect, test } from '../../src/testing/index.js';
import { DESKTOP, DemoChat } from './chat.js';
import { serveHub } from './hub.js';

const MODEL = 'Xenova/all-MiniLM-L6-v2';
const TINY = join('test', 'models', 'tiny-bert');

test.beforeAll(() => {
  if (!existsSync(join(TINY, 'onnx', 'model.onnx'))) makeTinyModels(join('test', 'models'));
});

test('switching to a Hub embedder downloads it, re-embeds memory with progress, and recall still works', async ({
  page,
  context,
}, info) => {
  const asked = await serveHub(context, MODEL, TINY);
  const cdn: string[] = [];
  context.on('request', (r) => {
    if (r.url().includes('cdn.jsdelivr.net')) cdn.push(r.url());
  });
  await page.setViewportSize(DESKTOP);
  const chat = new DemoChat(page);
  await chat.open();
  await chat.say('My name is Maria and I live in Lisbon.');
  await chat.say('I prefer window seats and vegetarian food.');
  await chat.say('My sister Ana lives in Paris.');

  const settings = await chat.openSettings();
  await settings.getByLabel('Embedder').selectOption(MODEL);
  await settings.getByRole('button', { name: 'Switch and re-embed' }).click();
  const status = settings.getByTestId('embedder-progress');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect(status).toContainText('re-embedded');
  expect(asked).toContain('config.json');
  expect(asked.some((f) => f.startsWith('onnx/'))).toBe(true);
  expect(cdn).toEqual([]); // onnxruntime came from the app itself
  await chat.screenshot(info, 'desktop-embedder');
  await settings.getByRole('button', { name: 'Close settings' }).click();

  await expect(page.getByTestId('stat-embedder')).toHaveText(MODEL);
  const answer = await chat.say('Where do I live?');
  expect(answer).toMatch(/Lisbon/);
  // The stored vectors are the new model's: its dimension, every memory re-embedded.
  const dims = await page.evaluate(() => {
    const app = (
      window as unknown as { memkeeperDemo: { memory: { embedder: { id: string; dim: number } } } }
    ).memkeeperDemo;
    return app.memory.embedder;
  });
  expect(dims.id).toContain(MODEL);
  expect(dims.dim).toBe(32);

  // After a reload the app opens with the chosen embedder, the model from the browser's cache.
  const before = asked.length;
  await page.reload();
  await chat.ready();
  await expect(page.getByTestId('stat-embedder')).toHaveText(MODEL);
  expect(asked.length).toBe(before);
  expect(await chat.say('What is my name?')).toMatch(/Maria/);
});
