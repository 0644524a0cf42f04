// The demo as an installable PWA, on the production build (`vite preview`): after one visit it
// opens offline from its service worker, and Chromium finds its manifest valid and installable.
import { expect, test } from '../../src/testing/index.js';
import { DemoChat } from './chat.js';

test('after one visit, the app opens offline from its service worker', async ({
  page,
  context,
}) => {
  const app = new DemoChat(page);
  await app.open();
  await app.waitForServiceWorker();

  await context.setOffline(true);
  const origin = new URL(page.url()).origin;
  const failed: string[] = [];
  page.on('requestfailed', (r) => {
    if (r.url().startsWith(origin)) failed.push(r.url());
  });
  const response = await page.reload();
  expect(response?.fromServiceWorker()).toBe(true);
  await app.ready();
  // The app shell came whole from the cache: no request of its own failed.
  expect(failed).toEqual([]);
  // And the page really is offline: what the worker did not cache cannot be fetched.
  const probe = await page.evaluate(() =>
    fetch(`/not-cached-${Date.now()}.txt`).then(
      (r) => r.status,
      () => 'failed',
    ),
  );
  expect(probe).toBe('failed');
});

test('the manifest is valid, installable, and its icons load at their stated sizes', async ({
  page,
  context,
}) => {
  const app = new DemoChat(page);
  await app.open();
  await app.waitForServiceWorker();

  // Chromium's own verdict: its manifest parser and its installability checks.
  const cdp = await context.newCDPSession(page);
  const parsed = (await cdp.send('Page.getAppManifest', {})) as {
    url: string;
    errors: { message: string; critical: number }[];
  };
  expect(parsed.errors).toEqual([]);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors).toEqual([]);

  const response = await page.request.get(parsed.url);
  expect(response.ok()).toBe(true);
  const manifest = (await response.json()) as {
    name: string;
    short_name: string;
    display: string;
    theme_color: string;
    icons: { src: string; sizes: string; type: string; purpose?: string }[];
  };
  expect(manifest).toMatchObject({ name: 'memkeeper', display: 'standalone' });
  // Launchers cut labels longer than about 12 characters.
  expect(manifest.short_name.length).toBeLessThanOrEqual(12);
  await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute(
    'content',
    manifest.theme_color,
  );

  const purposes = manifest.icons.map((i) => `${i.sizes} ${i.type} ${i.purpose ?? 'any'}`);
  for (const want of [
    '192x192 image/png any',
    '512x512 image/png any',
    '512x512 image/png maskable',
  ])
    expect(purposes).toContain(want);
  expect(purposes).toContain('any image/svg+xml any');
  for (const icon of manifest.icons) {
    const image = await page.request.get(new URL(icon.src, parsed.url).href);
    expect(image.ok(), icon.src).toBe(true);
    expect(image.headers()['content-type'], icon.src).toContain(icon.type);
    if (icon.type !== 'image/png') continue;
    // A PNG states its size in its IHDR chunk: width and height at bytes 16 and 20.
    const bytes = await image.body();
    expect(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`, icon.src).toBe(icon.sizes);
  }
});
