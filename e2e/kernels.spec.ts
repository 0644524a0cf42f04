import { expect, test } from '@playwright/test';

interface Report {
  gpu: { name: string; isFallback: boolean } | null;
  auto: { name: string; reason: string };
  comparisons: {
    storage: string;
    backend: string;
    dim: number;
    n: number;
    k: number;
    batch: number;
    sameIds: boolean;
    maxScoreDiff: number;
  }[];
  property: { steps: number; mismatches: string[] };
  relaxed: { flavour: string; same: boolean | null };
  error?: string;
}

const TOLERANCE: Record<string, number> = { f32: 1e-5, f16: 2e-3, int8: 1e-5 };

test('vector kernels agree across WebGPU, WASM SIMD and TypeScript in Chromium', async ({
  page,
}) => {
  page.on('console', (m) => {
    if (m.type() === 'error') console.log('[page]', m.text());
  });
  await page.goto('/e2e/pages/kernels.html');
  await expect(page.locator('#status')).not.toHaveText('running…', { timeout: 280_000 });
  const report = JSON.parse((await page.locator('#result').textContent()) ?? '{}') as Report;
  expect(report.error).toBeUndefined();
  if (!report.gpu) {
    console.warn(
      'WARNING: no WebGPU adapter in this Chromium; only WASM vs TypeScript was checked',
    );
  } else {
    // SwiftShader is a fallback adapter: 'auto' must route to the CPU and say why.
    expect(report.gpu.isFallback).toBe(true);
    expect(report.auto.name).toBe('wasm');
    expect(report.auto.reason).toMatch(/fallback/);
  }
  const backends = new Set(report.comparisons.map((c) => c.backend));
  expect(backends.has('wasm')).toBe(true);
  if (report.gpu) expect(backends.has('gpu')).toBe(true);
  for (const c of report.comparisons) {
    const what = `${c.backend} ${c.storage} d=${c.dim} n=${c.n} k=${c.k} batch=${c.batch}`;
    expect(c.sameIds, what).toBe(true);
    if (c.n > 0) expect(c.maxScoreDiff, what).toBeLessThanOrEqual(TOLERANCE[c.storage]!);
  }
  expect(report.property.mismatches).toEqual([]);
  // Chromium has relaxed SIMD: the int8 scan takes that build, bit-identical to plain SIMD.
  expect(report.relaxed).toEqual({ flavour: 'relaxed-simd', same: true });
});
