/**
 * A Playwright `test` whose browser is a fresh Chromium profile on software WebGPU: IndexedDB,
 * Cache Storage and service workers start empty in every test, live on disk for the whole test
 * (a reload, a second page or a second tab sees them), and are deleted when it ends.
 *
 * @example
 * import { test, expect } from 'memkeeper/testing';
 *
 * test('the assistant still knows my city after a reload', async ({ page }) => {
 *   await page.goto('/');
 *   // … tell the app something, then:
 *   await page.reload();
 *   // … ask it back.
 * });
 */
import {
  test as base,
  type BrowserContext,
  type BrowserType,
  type PlaywrightTestArgs,
  type PlaywrightTestOptions,
  type PlaywrightWorkerArgs,
  type PlaywrightWorkerOptions,
  type TestType,
} from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, systemChromium } from './chromium.js';

/** The fixtures that `test` adds to Playwright's own. */
export interface MemkeeperFixtures {
  /**
   * Opens one more fresh profile (its own IndexedDB, caches and service workers), closed and
   * deleted with the test; for "export in one profile, import in another" checks. It starts
   * with one blank page, `context.pages()[0]`. Takes the same context options as `context`
   * (`baseURL`, `viewport`, … from the config or `test.use`).
   *
   * @example
   * const other = await freshProfile();
   * const page2 = other.pages()[0]!;
   */
  freshProfile: () => Promise<BrowserContext>;
}

interface LaunchOptions {
  executablePath?: string;
  args?: string[];
}

/**
 * Launches Chromium on a new temporary user-data-dir: the config's launch options (and those
 * of `test.use`) with memkeeper's flags added, and the test's context options filled in by
 * Playwright itself, as for its own `context`. Returns the context and a close that deletes
 * the profile.
 */
async function openProfile(
  chromium: BrowserType,
  launchOptions: LaunchOptions,
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'memkeeper-profile-'));
  const executablePath = launchOptions.executablePath ?? systemChromium();
  const args = [...new Set([...CHROMIUM_ARGS, ...(launchOptions.args ?? [])])];
  const context = await chromium
    .launchPersistentContext(dir, { ...(executablePath ? { executablePath } : {}), args })
    .catch(async (error: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
  return {
    context,
    close: async () => {
      await context.close();
      // Chromium may still be writing its last files as it exits: retry the delete a little.
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/**
 * Playwright's `test`, with `context` and `page` on a fresh persistent Chromium profile (see
 * the file comment) and `freshProfile()` for a second one. Everything else (`baseURL`,
 * `test.use`, traces, screenshots) works as in `@playwright/test`.
 */
// Typed by hand so the declarations name @playwright/test, not its internal `playwright` package.
export const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & MemkeeperFixtures,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions
> = base.extend<MemkeeperFixtures>({
  context: async ({ playwright, launchOptions }, use) => {
    const profile = await openProfile(playwright.chromium, launchOptions);
    await use(profile.context);
    await profile.close();
  },
  // A persistent context opens with one blank page: the test gets that one, not a second.
  page: async ({ context }, use) => {
    await use(context.pages()[0] ?? (await context.newPage()));
  },
  freshProfile: async ({ playwright, launchOptions }, use) => {
    const opened: (() => Promise<void>)[] = [];
    await use(async () => {
      const profile = await openProfile(playwright.chromium, launchOptions);
      opened.push(profile.close);
      return profile.context;
    });
    await Promise.all(opened.map((close) => close()));
  },
});
