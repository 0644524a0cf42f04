// A person's path through the demo, in Chromium on software WebGPU with a fresh profile per
// test, on the production build: chat, memory, reload, tabs, export/import, keyboard, no GPU.
import { readFile } from 'node:fs/promises';
import { expect, test } from '../../src/testing/index.js';
import { DESKTOP, DemoChat, PHONE } from './chat.js';

const TEN_TURNS = [
  'Hi! My name is Maria and I live in Lisbon.',
  'I work as a nurse at a children’s hospital.',
  'I prefer window seats when I fly.',
  'My sister Ana is getting married in June.',
  'I plan to visit Tokyo in April.',
  'I am allergic to peanuts.',
  'My favourite book is One Hundred Years of Solitude.',
  'I usually run five kilometres before work.',
  'I want to learn Japanese before the trip.',
  'Can you recommend a quiet neighbourhood to stay in?',
];

test('ten turns, an anchor appears, and after a reload turn 1 is recalled', async ({
  page,
}, info) => {
  await page.setViewportSize(DESKTOP);
  const chat = new DemoChat(page);
  await chat.open();
  await expect(chat.badge).toHaveText(/^(GPU|CPU) · /);
  await chat.screenshot(info, 'desktop-empty');

  for (const text of TEN_TURNS) await chat.say(text);
  await expect(chat.userMessages).toHaveCount(10);

  const anchors = await chat.memoryTab('Anchors');
  await expect(anchors.getByTestId('anchor').filter({ hasText: /Maria/ }).first()).toBeVisible();
  await expect(
    anchors
      .getByTestId('anchor')
      .filter({ hasText: /Lisbon/ })
      .first(),
  ).toBeVisible();
  await chat.screenshot(info, 'desktop-anchors');
  const summaries = await chat.memoryTab('Summaries');
  await expect(summaries.getByTestId('summary').first()).toBeVisible();
  await chat.screenshot(info, 'desktop-summaries');
  const before = await chat.inspect();
  expect(before.turns).toHaveLength(20);
  expect(before.title).toBe('Hi! My name is Maria and I live in Lisbon.');

  await page.reload();
  await chat.ready();
  await expect(chat.userMessages).toHaveCount(10);
  await expect(chat.conversations).toHaveCount(1);
  expect((await chat.inspect()).turns).toEqual(before.turns);

  const answer = await chat.say('Which city do I live in?');
  expect(answer).toMatch(/Lisbon/);
  const recalled = await chat.memoryTab('Recalled');
  const lisbon = recalled
    .getByTestId('recalled-item')
    .filter({ hasText: /Lisbon/ })
    .first();
  await expect(lisbon).toBeVisible();
  await expect(lisbon).toHaveAttribute('data-tier', /long-term|mid-term/);
  await expect(lisbon.getByRole('meter', { name: 'final score' })).toBeVisible();
  await chat.screenshot(info, 'desktop-recalled');

  await chat.openSettings();
  await chat.screenshot(info, 'desktop-settings');
});

test('on a 390 px phone: chat, then the memory and the conversations as drawers', async ({
  page,
}, info) => {
  await page.setViewportSize(PHONE);
  const chat = new DemoChat(page);
  await chat.open();
  await chat.screenshot(info, 'phone-empty');
  for (const text of TEN_TURNS.slice(0, 4)) await chat.say(text);
  expect(await chat.say('What is my name?')).toMatch(/Maria/);
  await chat.screenshot(info, 'phone-chat');

  const recalled = await chat.memoryTab('Recalled');
  await expect(recalled.getByTestId('recalled-item').first()).toBeVisible();
  await chat.screenshot(info, 'phone-memory');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Conversations' }).click();
  await expect(page.getByRole('button', { name: 'New conversation' })).toBeInViewport();
  await chat.screenshot(info, 'phone-conversations');
  // Nothing overflows the phone's width, the settings dialog included.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(PHONE.width);
  await page.keyboard.press('Escape');
  const settings = await chat.openSettings();
  await chat.screenshot(info, 'phone-settings');
  const overflow = await settings.evaluate((dialog) => dialog.scrollWidth - dialog.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(settings.getByRole('button', { name: 'Switch and re-embed' })).toBeInViewport({
    ratio: 1,
  });
});

test('two tabs on the same conversation stay in sync', async ({ page, context }) => {
  await page.setViewportSize(DESKTOP);
  const a = new DemoChat(page);
  await a.open();
  await a.say('My favourite colour is green.');
  const second = await context.newPage();
  await second.setViewportSize(DESKTOP);
  const b = new DemoChat(second);
  await b.open();
  await expect(b.userMessages).toHaveText(['My favourite colour is green.']);

  await b.say('I have a dog named Rex.');
  // Tab A learns of B's turns without a reload.
  await expect(a.userMessages).toHaveText([
    'My favourite colour is green.',
    'I have a dog named Rex.',
  ]);
  await expect(a.assistantMessages).toHaveCount(2);
  const anchorsA = await a.memoryTab('Anchors');
  await expect(anchorsA.getByTestId('anchor').filter({ hasText: /Rex/ }).first()).toBeVisible();

  // A rename in one tab shows in the other.
  await page.getByRole('button', { name: /^Rename/ }).click();
  const title = page.getByRole('textbox', { name: 'Conversation title' });
  await title.fill('Pets and colours');
  // A memory change re-renders the list meanwhile: the draft and the focus survive it.
  await page.evaluate(() =>
    (window as unknown as { memkeeperDemo: { refresh(): Promise<void> } }).memkeeperDemo.refresh(),
  );
  await expect(title).toHaveValue('Pets and colours');
  await expect(title).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(second.getByRole('heading', { level: 1 })).toHaveText('Pets and colours');
});

test('export, then import into a fresh profile, gives the same memory', async ({
  page,
  freshProfile,
}) => {
  await page.setViewportSize(DESKTOP);
  const a = new DemoChat(page);
  await a.open();
  for (const text of TEN_TURNS.slice(0, 5)) await a.say(text);
  await page.evaluate(async () => {
    const app = (
      window as unknown as {
        memkeeperDemo: {
          memory: { session(id: string): { settled(): Promise<void> } };
          current: string;
        };
      }
    ).memkeeperDemo;
    await app.memory.session(app.current).settled();
  });
  const original = await a.inspect();
  const settings = await a.openSettings();
  const download = page.waitForEvent('download');
  await settings.getByRole('button', { name: 'Export' }).click();
  const file = await (await download).path();
  expect((await readFile(file, 'utf8')).split('\n').length).toBeGreaterThan(10);

  const other = await freshProfile();
  const page2 = other.pages()[0]!;
  await page2.setViewportSize(DESKTOP);
  const b = new DemoChat(page2);
  await b.open();
  await expect(b.userMessages).toHaveCount(0);
  const settings2 = await b.openSettings();
  await page2.locator('#import-file').setInputFiles(file);
  await expect(settings2.getByTestId('data-status')).toHaveAttribute('data-state', 'ready');
  await settings2.getByRole('button', { name: 'Close settings' }).click();
  await b.conversations
    .filter({ hasText: original.title ?? 'missing' })
    .getByRole('button')
    .first()
    .click();
  await expect(b.userMessages).toHaveCount(5);
  const imported = await b.inspect();
  expect(imported).toEqual(original);
});

test('without WebGPU the app runs on the CPU and still remembers', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  const chat = new DemoChat(page);
  await chat.open();
  await expect(chat.badge).toHaveText(/^CPU · /);
  await expect(chat.badge).not.toContainText('software GPU');
  await expect(page.getByTestId('stat-gpu')).toHaveText(/none/);
  await chat.say('My name is Olu and I live in Lagos.');
  expect(await chat.say('Where do I live?')).toMatch(/Lagos/);
});

test('keyboard only: chat, new conversation, memory tabs and settings', async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  const chat = new DemoChat(page);
  await chat.open();
  await expect(chat.input).toBeFocused();
  await page.keyboard.type('My name is Kenji.');
  await page.keyboard.press('Enter');
  await expect(chat.assistantMessages).toHaveCount(1);
  await expect(chat.input).toBeFocused();

  // Tab from the top of the page to "New conversation" and press it.
  const newChat = page.getByRole('button', { name: 'New conversation' });
  await page.locator('body').focus();
  for (let i = 0; i < 12 && !(await newChat.evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press('Tab');
  await expect(newChat).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(chat.input).toBeFocused();
  await expect(chat.conversations).toHaveCount(2);
  await page.keyboard.type('I live in Osaka.');
  await page.keyboard.press('Enter');
  await expect(chat.assistantMessages).toHaveCount(1);

  // Memory tabs move with the arrow keys.
  const recalledTab = page.getByRole('tab', { name: /Recalled/ });
  await recalledTab.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /Anchors/ })).toBeFocused();
  await expect(page.getByRole('tab', { name: /Anchors/ })).toHaveAttribute('aria-selected', 'true');

  // Settings open with Enter, close with Escape, and focus returns to the button.
  const settingsButton = page.getByRole('button', { name: 'Settings' });
  await settingsButton.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeHidden();
  await expect(settingsButton).toBeFocused();
});

test('encryption: a passphrase locks the memory at rest; the right one opens it', async ({
  page,
}) => {
  await page.setViewportSize(DESKTOP);
  const chat = new DemoChat(page);
  await chat.open();
  await chat.say('My name is Ines and I live in Porto.');
  const settings = await chat.openSettings();
  await settings.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
  await settings.getByLabel('Again').fill('correct horse battery');
  await settings.getByRole('button', { name: 'Encrypt memory' }).click();
  await expect(settings.getByTestId('encryption-on')).toBeVisible({ timeout: 30_000 });

  await page.reload();
  const unlock = page.getByRole('dialog', { name: 'Unlock your memory' });
  await expect(unlock).toBeVisible();
  await unlock.getByLabel('Passphrase').fill('wrong passphrase');
  await unlock.getByRole('button', { name: 'Unlock' }).click();
  await expect(unlock.getByTestId('unlock-error')).toHaveText(/does not open/);
  await unlock.getByLabel('Passphrase').fill('correct horse battery');
  await unlock.getByRole('button', { name: 'Unlock' }).click();
  await chat.ready();
  await expect(chat.userMessages).toHaveText(['My name is Ines and I live in Porto.']);
  expect(await chat.say('Where do I live?')).toMatch(/Porto/);
});

test('offline after the first visit: the app starts with its memory and answers', async ({
  page,
  context,
}) => {
  const chat = new DemoChat(page);
  await chat.open();
  await chat.say('My name is Sam and I live in Oslo.');
  await chat.waitForServiceWorker();
  await context.setOffline(true);
  await page.reload();
  await chat.ready();
  await expect(chat.userMessages).toHaveText(['My name is Sam and I live in Oslo.']);
  expect(await chat.say('Where do I live?')).toMatch(/Oslo/);
});

test('pin, edit and forget an anchor from the memory panel; delete a conversation; clear all', async ({
  page,
}) => {
  await page.setViewportSize(DESKTOP);
  const chat = new DemoChat(page);
  await chat.open();
  await chat.say('My name is Maria and I live in Lisbon.');
  await chat.say('I prefer window seats.');
  const anchors = await chat.memoryTab('Anchors');
  const home = anchors.getByTestId('anchor').filter({ hasText: /lives in Lisbon/ });
  await expect(home).toHaveCount(1);

  await home.getByRole('button', { name: /^Pin/ }).click();
  await expect(home.getByText('pinned', { exact: true })).toBeVisible();
  await expect(home.getByRole('meter', { name: 'retention' })).toHaveAttribute(
    'aria-valuenow',
    '1.00',
  );

  await home.getByRole('button', { name: /^Edit/ }).click();
  const box = anchors.getByRole('textbox', { name: 'Anchor text' });
  await box.fill('The user lives in Porto (home city).');
  // A memory change re-renders the panel meanwhile: the draft and the focus survive it.
  await page.evaluate(() =>
    (window as unknown as { memkeeperDemo: { refresh(): Promise<void> } }).memkeeperDemo.refresh(),
  );
  await expect(box).toHaveValue('The user lives in Porto (home city).');
  await expect(box).toBeFocused();
  await anchors.getByRole('button', { name: 'Save' }).click();
  const porto = anchors.getByTestId('anchor').filter({ hasText: /Porto/ });
  await expect(porto).toHaveCount(1);
  expect(await chat.say('Which city do I live in?')).toMatch(/Porto/);

  const seats = (await chat.memoryTab('Anchors'))
    .getByTestId('anchor')
    .filter({ hasText: /window seats/ });
  await seats.getByRole('button', { name: /^Forget/ }).click();
  await page
    .getByRole('dialog', { name: 'Forget this memory?' })
    .getByRole('button', { name: 'Forget' })
    .click();
  await expect(seats).toHaveCount(0);

  // A second conversation, then delete the first (asked first).
  await page.getByRole('button', { name: 'New conversation' }).click();
  await expect(chat.userMessages).toHaveCount(0);
  await chat.say('I have a cat called Miso.');
  await expect(chat.conversations).toHaveCount(2);
  await chat.conversations.first().hover();
  await chat.conversations
    .filter({ hasText: 'My name is Maria' })
    .getByRole('button', { name: /^Delete/ })
    .click();
  await page
    .getByRole('dialog', { name: 'Delete this conversation?' })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(chat.conversations).toHaveCount(1);
  await expect(chat.conversations).toContainText('I have a cat called Miso.');

  // Clear all: everything goes, after a confirmation.
  const settings = await chat.openSettings();
  await settings.getByRole('button', { name: 'Clear all' }).click();
  await page
    .getByRole('dialog', { name: 'Clear all memory?' })
    .getByRole('button', { name: 'Clear all' })
    .click();
  await expect(chat.userMessages).toHaveCount(0);
  await page.reload();
  await chat.ready();
  await expect(chat.conversations).toHaveCount(1); // the new, empty one
  await expect(chat.conversations).toContainText('New conversation');
  expect(await chat.say('What is my cat called?')).toMatch(/don't have anything/);
});

test('an OpenAI-compatible endpoint gets a prompt built from recall and streams its reply', async ({
  page,
  context,
}) => {
  const bodies: { messages: { role: string; content: string }[]; stream: boolean }[] = [];
  await context.route('http://127.0.0.1:8080/v1/**', async (route) => {
    const url = route.request().url();
    if (url.endsWith('/models'))
      return route.fulfill({
        json: { data: [{ id: 'local' }] },
        headers: { 'access-control-allow-origin': '*' },
      });
    bodies.push(route.request().postDataJSON() as (typeof bodies)[number]);
    const words = ['You ', 'live ', 'in ', 'Lisbon', '.'];
    const body =
      words
        .map((w) => `data: ${JSON.stringify({ choices: [{ delta: { content: w } }] })}\n\n`)
        .join('') + 'data: [DONE]\n\n';
    return route.fulfill({
      body,
      headers: { 'content-type': 'text/event-stream', 'access-control-allow-origin': '*' },
    });
  });
  await page.setViewportSize(DESKTOP);
  const chat = new DemoChat(page);
  await chat.open();
  await chat.say('My name is Maria and I live in Lisbon.');
  const settings = await chat.openSettings();
  await settings.getByRole('radio', { name: /OpenAI-compatible/ }).check();
  await settings.getByRole('button', { name: 'Connect' }).click();
  await expect(settings.getByTestId('openai-status')).toHaveAttribute('data-state', 'ready');
  await settings.getByRole('button', { name: 'Close settings' }).click();
  await expect(page.getByTestId('responder-badge')).toContainText(/OpenAI/i);

  expect(await chat.say('Where do I live?')).toBe('You live in Lisbon.');
  const last = bodies.at(-1)!;
  expect(last.stream).toBe(true);
  // The system message carries the recalled memory; the user's question comes last.
  expect(last.messages[0]!.role).toBe('system');
  expect(last.messages[0]!.content).toMatch(/Lisbon/);
  expect(last.messages.at(-1)).toEqual({ role: 'user', content: 'Where do I live?' });
});
