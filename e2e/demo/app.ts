/**
 * The demo app as the specs under e2e/demo see it: every selector they rely on is here, so a
 * change to the UI is answered in this one file. Keep each one to something a user would see.
 *
 * @example
 * const app = new DemoApp(page);
 * await app.open();
 * await app.expectRendered();
 */
import type { Page } from '@playwright/test';
import { expect } from '../../src/testing/index.js';

/** What the demo shows; update with demo/index.html and demo/src. */
export const SELECTORS = {
  /** The document's title. */
  title: /memkeeper/i,
  /** Matches only once the app's script has started it (the static HTML says "starting"). */
  ready: '#app[data-state="ready"]',
} as const;

export class DemoApp {
  constructor(readonly page: Page) {}

  /** Opens the app at the project's baseURL. */
  async open(): Promise<void> {
    await this.page.goto('/');
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

  /** The app is on screen and its script ran. */
  async expectRendered(): Promise<void> {
    await expect(this.page).toHaveTitle(SELECTORS.title);
    await expect(this.page.locator(SELECTORS.ready)).toBeVisible({ timeout: 60_000 });
  }
}
