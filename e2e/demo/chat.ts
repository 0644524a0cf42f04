/**
 * The demo chat as its specs drive it: what a person sees and does, by role and label where
 * the page gives one. Screenshots go to the test's output folder (a CI artifact) and to
 * build/screenshots for a person to look at.
 */
import type { Locator, Page, TestInfo } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { expect } from '../../src/testing/index.js';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export class DemoChat {
  readonly input: Locator;
  readonly badge: Locator;
  readonly messages: Locator;
  readonly userMessages: Locator;
  readonly assistantMessages: Locator;
  readonly conversations: Locator;
  /** The in-browser LLM's KV cache badge in the chat header. */
  readonly kvStatus: Locator;

  constructor(readonly page: Page) {
    this.input = page.getByRole('textbox', { name: 'Message' });
    this.badge = page.getByTestId('gpu-badge');
    this.messages = page.getByTestId('messages');
    this.userMessages = page.getByTestId('message-user').locator('.bubble');
    this.assistantMessages = page.getByTestId('message-assistant').locator('.bubble');
    this.conversations = page.getByTestId('conversation');
    this.kvStatus = page.getByTestId('kv-status');
  }

  /** Opens the app and waits until it started (memory open, responder chosen). */
  async open(path = '/'): Promise<void> {
    await this.page.goto(path);
    await this.ready();
  }

  /**
   * Waits until a service worker controls the page, which means it has installed (precached the
   * app shell) and activated; fails after `timeoutMs` rather than at the test's timeout.
   */
  async waitForServiceWorker(timeoutMs = 30_000): Promise<void> {
    const controlled = await this.page.evaluate(async (timeoutMs) => {
      const took = new Promise<boolean>((resolve) => {
        if (navigator.serviceWorker.controller) resolve(true);
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true));
      });
      const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs));
      return Promise.race([took, late]);
    }, timeoutMs);
    expect(controlled, `no service worker took control within ${timeoutMs} ms`).toBe(true);
  }

  /** The app is on screen, titled, and its script started it. */
  async ready(): Promise<void> {
    await expect(this.page).toHaveTitle(/memkeeper/i);
    await expect(this.page.locator('#app')).toHaveAttribute('data-state', 'ready', {
      timeout: 60_000,
    });
  }

  /** Sends a message with the keyboard and waits for the whole reply; returns its text. */
  async say(text: string): Promise<string> {
    const before = await this.assistantMessages.count();
    await this.input.fill(text);
    await this.input.press('Enter');
    await expect(this.assistantMessages).toHaveCount(before + 1, { timeout: 60_000 });
    await expect(this.page.getByTestId('streaming')).toHaveCount(0);
    return (await this.assistantMessages.last().textContent()) ?? '';
  }

  /**
   * Sends a message and waits for the reply, having seen it stream: the reply's bubble shows
   * text, then more text, before the reply lands. With `stop`, clicks Stop once it has
   * streamed that far, as a person who has read enough. Returns the reply's text.
   */
  async sayStreamed(text: string, { stop = false, timeout = 120_000 } = {}): Promise<string> {
    const before = await this.assistantMessages.count();
    await this.input.fill(text);
    await this.input.press('Enter');
    const streaming = this.page.getByTestId('streaming').locator('.bubble');
    await expect(streaming).toHaveText(/\S/, { timeout });
    // allTextContents: no waiting for a bubble that may be gone by then.
    const shown = async () => (await streaming.allTextContents()).join('');
    const first = await shown();
    await expect
      .poll(async () => (await shown()).length, { timeout })
      .toBeGreaterThan(first.length);
    if (stop) await this.page.getByRole('button', { name: 'Stop' }).click();
    await expect(this.assistantMessages).toHaveCount(before + 1, { timeout });
    await expect(this.page.getByTestId('streaming')).toHaveCount(0);
    const reply = (await this.assistantMessages.last().textContent()) ?? '';
    expect(reply).toContain(first.trim());
    return reply;
  }

  /** Opens a tab of the memory panel (on a phone, the panel's drawer first). */
  async memoryTab(name: 'Recalled' | 'Anchors' | 'Summaries' | 'Window'): Promise<Locator> {
    const panel = this.page.getByRole('complementary', { name: 'Memory' });
    if (!(await panel.getByRole('tab', { name }).isVisible()))
      await this.page.getByRole('button', { name: 'Memory' }).click();
    await panel.getByRole('tab', { name }).click();
    return panel.getByRole('tabpanel');
  }

  /** What the memory holds for the open conversation, from the app's own memkeeper. */
  async inspect(): Promise<{ turns: string[]; anchors: string[]; title: string | undefined }> {
    return this.page.evaluate(async () => {
      const app = (window as unknown as { memkeeperDemo: DemoHandle }).memkeeperDemo;
      const view = await app.memory.session(app.current).inspect();
      const info = (await app.memory.sessions()).find((s) => s.id === app.current);
      return {
        turns: view.turns.map((t) => `${t.role}: ${t.content}`),
        anchors: view.anchors.map((a) => a.text).sort(),
        title: info?.title,
      };
    });
  }

  async openSettings(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Settings' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Settings' });
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** Saves a screenshot as a test artifact and under build/screenshots. */
  async screenshot(info: TestInfo, name: string): Promise<void> {
    await this.page.waitForTimeout(250); // let transitions (drawers) settle
    const path = info.outputPath(`${name}.png`);
    await this.page.screenshot({ path });
    await mkdir('build/screenshots', { recursive: true });
    await this.page.screenshot({ path: `build/screenshots/${name}.png` });
    await info.attach(name, { path, contentType: 'image/png' });
  }
}

/** The part of the app object the demo puts on window for tests. */
interface DemoHandle {
  current: string;
  memory: {
    session(id: string): {
      inspect(): Promise<{
        turns: { role: string; content: string }[];
        anchors: { text: string }[];
      }>;
    };
    sessions(): Promise<{ id: string; title?: string }[]>;
  };
}
