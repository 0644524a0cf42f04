// The `memkeeper/testing` fixture that apps' suites use, checked on its own promises: every test
// starts on an empty profile, storage survives a reload within the test, freshProfile() is a
// separate profile, and webgpuInfo() sees SwiftShader.
import { expect, test, webgpuInfo } from '../src/testing/index.js';
import type { Page } from '@playwright/test';

const BLANK = '/e2e/pages/blank.html';

/** What the page's origin holds: IndexedDB names, a localStorage key, Cache Storage names. */
function stored(page: Page) {
  return page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name).sort(),
    local: localStorage.getItem('memkeeper-fixture'),
    caches: (await caches.keys()).sort(),
  }));
}

/** Writes one of each kind of storage, the IndexedDB database named `name`. */
function store(page: Page, name: string) {
  return page.evaluate(async (name) => {
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => open.result.createObjectStore('turns');
      open.onsuccess = () => {
        open.result.close();
        resolve();
      };
      open.onerror = () => reject(open.error);
    });
    localStorage.setItem('memkeeper-fixture', name);
    await caches.open(name);
  }, name);
}

const EMPTY = { databases: [], local: null, caches: [] };

for (const name of ['first', 'second']) {
  test(`the ${name} test starts on an empty profile, kept across a reload`, async ({ page }) => {
    await page.goto(BLANK);
    // Both tests write the same names: the second sees none of the first's.
    expect(await stored(page)).toEqual(EMPTY);
    await store(page, 'memory');
    await page.reload();
    expect(await stored(page)).toEqual({
      databases: ['memory'],
      local: 'memory',
      caches: ['memory'],
    });
  });
}

test('freshProfile() opens a second, empty profile beside the first', async ({
  page,
  freshProfile,
}) => {
  await page.goto(BLANK);
  await store(page, 'mine');
  const other = await freshProfile();
  const otherPage = other.pages()[0]!;
  // Context options from the config (baseURL here) apply to it too.
  await otherPage.goto(BLANK);
  expect(await stored(otherPage)).toEqual(EMPTY);
  await store(otherPage, 'theirs');
  expect((await stored(page)).databases).toEqual(['mine']);
});

test('webgpuInfo() reports the software adapter', async ({ page }) => {
  await page.goto(BLANK);
  const info = await webgpuInfo(page);
  test.skip(!info, 'WARNING: no WebGPU adapter in this Chromium');
  expect(info).toMatchObject({ architecture: 'swiftshader', isFallbackAdapter: true });
});
