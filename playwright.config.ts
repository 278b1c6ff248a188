/**
 * For ad-hoc Playwright work against the sandboxes (`npx playwright test`, specs under
 * test/playwright/). The project's own browser tests run under `npm test` (node:test) and launch
 * Chromium through runner/browser/chromium.ts; this config points Playwright at the same binary
 * and flags, since Playwright's own browser download cannot work on our machines.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './runner/browser/chromium.ts';

export default defineConfig({
  testDir: 'test/playwright',
  fullyParallel: false,
  workers: 1,
  reporter: 'list',
  use: {
    headless: true,
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
    trace: 'off',
  },
});
