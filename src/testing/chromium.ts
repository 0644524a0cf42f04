/**
 * Chromium launch options that run memkeeper on software WebGPU (SwiftShader) in CI, with no
 * GPU and no network: the system Chromium when one is installed (Playwright's own download is
 * not needed), and the flags that keep it from phoning home.
 *
 * @example
 * import { chromium } from '@playwright/test';
 * const browser = await chromium.launch(chromiumLaunchOptions());
 */
import { existsSync } from 'node:fs';

/** Flags that enable WebGPU on SwiftShader and keep a headless Chromium quiet offline. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const SYSTEM_CHROMIUM = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/** The first Chromium found on the system, else undefined (Playwright's own then). */
export function systemChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return SYSTEM_CHROMIUM.find((path) => existsSync(path));
}

/** Launch options for Playwright's `chromium.launch()`, `extraArgs` appended. */
export function chromiumLaunchOptions(extraArgs: readonly string[] = []): {
  executablePath?: string;
  args: string[];
  headless: boolean;
} {
  const executablePath = systemChromium();
  return {
    ...(executablePath ? { executablePath } : {}),
    args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true,
  };
}
