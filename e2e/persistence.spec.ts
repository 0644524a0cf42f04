// Each test runs on a fresh persistent Chromium profile (memkeeper/testing): IndexedDB starts
// empty, lives on disk for the test, and a second profile is one freshProfile() away.
import type { Page } from '@playwright/test';
import { expect, test } from '../src/testing/index.js';

/** Opens a step of the persistence page and returns what it wrote into #result. */
async function step<T>(page: Page, step: string, name: string): Promise<T> {
  await page.goto(`/e2e/pages/persistence.html?step=${step}&name=${name}`);
  await expect(page.locator('#status')).not.toHaveText('running…', { timeout: 120_000 });
  const report = JSON.parse((await page.locator('#result').textContent()) ?? '{}') as T & {
    error?: string;
  };
  expect(report.error).toBeUndefined();
  return report;
}

interface Recalls {
  recalls: { text: string; ids: string[] }[];
}

test('a reloaded memory recalls exactly what it recalled before', async ({ page }) => {
  const before = await step<Recalls>(page, 'write', 'reload');
  // A fresh navigation: the page, its engine and its caches are gone; only IndexedDB remains.
  const after = await step<Recalls>(page, 'read', 'reload');
  expect(before.recalls.length).toBe(4);
  expect(after.recalls).toEqual(before.recalls);
});

test('a page closed mid-burst loses no acknowledged turn and leaves no torn record', async ({
  context,
}) => {
  const acked: string[] = [];
  const page = await context.newPage();
  await page.exposeFunction('ack', (id: string) => void acked.push(id));
  await page.goto('/e2e/pages/persistence.html?step=burst&name=burst');
  await expect.poll(() => acked.length, { timeout: 60_000 }).toBeGreaterThan(40);
  await page.close({ runBeforeUnload: false });
  const seen = [...acked];
  const audit = await step<{
    turns: string[];
    torn: string[];
    pending: string[];
    withoutVector: string[];
  }>(await context.newPage(), 'check', 'burst');
  expect(audit.turns).toEqual(expect.arrayContaining(seen));
  expect(audit.torn).toEqual([]);
  expect(audit.pending).toEqual([]);
  expect(audit.withoutVector).toEqual([]);
});

test('the wrong key, or none, fails at open with DECRYPT_FAILED', async ({ page }) => {
  const r = await step<Record<string, { code: string } | number>>(page, 'wrong-key', 'crypt');
  expect(r.wrongKey).toMatchObject({ code: 'DECRYPT_FAILED' });
  expect(r.none).toMatchObject({ code: 'DECRYPT_FAILED' });
  expect(r.right).toBe(4);
});

test('a database from a future schema is refused and left as it was', async ({ page }) => {
  const r = await step<{ refused: { code: string }; version: number; stores: string[] }>(
    page,
    'future',
    'future',
  );
  expect(r.refused.code).toBe('BAD_INPUT');
  expect(r.stores).toEqual(['later']);
});

test('a damaged vector chunk is detected and rebuilt from its text', async ({ page }) => {
  const r = await step<{ chunks: number } & Record<'before' | 'after', Recalls['recalls']>>(
    page,
    'corrupt',
    'corrupt',
  );
  expect(r.chunks).toBeGreaterThan(0);
  expect(r.after).toEqual(r.before);
});

test('two pages observing into one session at once lose nothing and end identical', async ({
  context,
}) => {
  const pages = await Promise.all([context.newPage(), context.newPage()]);
  const reports = await Promise.all(
    pages.map((page, i) => step<{ ids: string[] }>(page, `tab&tab=${'ab'[i]}&total=40`, 'tabs')),
  );
  const [a, b] = reports.map((r) => r.ids);
  expect(a!.filter((id) => id.includes('/t'))).toHaveLength(40);
  expect(a).toEqual(b);
});

test('two pages restating one anchor at the same moment both settle, with one anchor', async ({
  context,
  page,
}) => {
  await step(page, 'porto', 'restate');
  const pages = [page, await context.newPage()];
  // Each page's extraction waits for the other's: both write from the same anchor version.
  const [a, b] = await Promise.all(
    pages.map((p, i) =>
      step<{ settled: string; anchors: { sources: string[]; version: number }[] }>(
        p,
        `restate&tab=${'ab'[i]}`,
        'restate',
      ),
    ),
  );
  expect([a!.settled, b!.settled]).toEqual(['ok', 'ok']); // the stale one was retried
  expect(a!.anchors).toHaveLength(1);
  expect(a!.anchors[0]!.sources).toHaveLength(3); // stated once, restated in each page
  expect(a!.anchors[0]!.version).toBe(3);
  expect(b!.anchors).toEqual(a!.anchors);
});

test('a full origin (a real quota, set small over CDP) refuses a write as QUOTA_EXCEEDED and rolls it back', async ({
  page,
  baseURL,
}) => {
  // Chromium's quota for this origin, enforced by its own storage backend: writes past it get a
  // real QuotaExceededError, as on a full disk. (navigator.storage.estimate() keeps reporting
  // the usual figure; the override is Chromium's test hook, DevTools' "simulate quota".)
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(baseURL!).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 3 * 1024 * 1024 });
  const full = await step<{
    failure: { code: string; cause: string };
    recalled: number;
    acked: { id: string; digest: number }[];
    stored: { id: string; digest: number }[];
    batch: string;
    bytes: { before: number; after: number };
  }>(page, 'quota', 'full');
  expect(full.failure).toEqual({ code: 'QUOTA_EXCEEDED', cause: 'QuotaExceededError' });
  expect(full.acked.length).toBeGreaterThan(20);
  // Every acknowledged turn is stored whole; the refused one is not there at all.
  expect(full.stored).toEqual(full.acked);
  // A batch too large for what is left lands not at all, its bytes not counted.
  expect(full.batch).toBe('QUOTA_EXCEEDED');
  expect(full.bytes.after).toBe(full.bytes.before);
  expect(full.recalled).toBeGreaterThan(0); // reading works on a full origin
  // Room again: the memory reopens and finishes the work it had left on every stored turn.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  const after = await step<{
    turns: string[];
    torn: string[];
    pending: string[];
    withoutVector: string[];
    recalled: number;
  }>(page, 'quota-check', 'full');
  expect(after.turns).toEqual(full.acked.map((t) => t.id));
  expect(after).toMatchObject({ torn: [], pending: [], withoutVector: [] });
  expect(after.recalled).toBeGreaterThan(0);
});

test('a maxBytes budget evicts the weakest memories and reports persist() and estimate()', async ({
  page,
}) => {
  const r = await step<{
    maxBytes: number;
    evicted: string[];
    recalled: number;
    report: { storage: string; persisted: boolean; usage: number; quota: number; bytes: number };
  }>(page, 'budget', 'budget');
  expect(r.evicted.length).toBeGreaterThan(0);
  expect(r.report.storage).toBe('indexeddb');
  expect(typeof r.report.persisted).toBe('boolean');
  expect(r.report.quota).toBeGreaterThan(0);
  expect(r.report.bytes).toBeLessThanOrEqual(r.maxBytes);
  expect(r.recalled).toBeGreaterThan(0);
});

test('a memory exported in one profile and imported into a fresh one recalls the same', async ({
  page,
  freshProfile,
}) => {
  const exported = await step<Recalls & { text: string }>(page, 'export', 'moved');
  const other = await freshProfile();
  await other.exposeFunction('exported', () => exported.text);
  const imported = await step<Recalls & { databasesBefore: string[] }>(
    other.pages()[0]!,
    'import',
    'moved',
  );
  expect(imported.databasesBefore).toEqual([]);
  expect(exported.recalls.length).toBe(4);
  expect(imported.recalls).toEqual(exported.recalls);
});
