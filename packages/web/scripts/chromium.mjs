/**
 * Debian's Chromium (`/usr/bin/chromium`, installed by `.ci/run`) driven by
 * playwright-core, for the console's end-to-end tests, screenshots and
 * benchmark. Playwright never downloads a browser here: it launches this one,
 * headless, with a fresh profile in a temporary folder that `close()` removes.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** Where the browser is; `JOBCENTER_CHROMIUM` overrides. */
export const CHROMIUM_PATH = process.env.JOBCENTER_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumInstalled() {
  return existsSync(CHROMIUM_PATH);
}

/**
 * A browser context with its own profile. Options: `viewport` (default
 * 1366×768), `locale` (default `en-US`: the console follows the browser's
 * language until one is chosen), `colorScheme` (default `light`).
 */
export async function launchChromium({
  viewport = { width: 1366, height: 768 },
  locale = 'en-US',
  colorScheme = 'light',
} = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'jobcenter-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      locale,
      colorScheme,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
