/**
 * Spekit-local waits on the app's own signals (the shared finders are in connectors/lib/screen):
 * a screen counts once no busy indicator shows, and a screen that never shows what the step needs
 * ends in a ScreenMismatchError naming the screen and what was missing, for the admin to act on.
 */
import type { Locator, Page } from 'playwright-core';
import { ScreenMismatchError } from '../../../core/errors.ts';
import { busyIndicators } from '../../lib/screen/fields.ts';
import { pollUntil } from '../../lib/screen/poll.ts';

/** How long a Spekit screen may take to show what a step needs. */
export const SCREEN_TIMEOUT_MS = 15_000;

/** Names matched case-insensitively, as whole names: "Settings", "settings", " Settings ". */
export const named = (words: string): RegExp => new RegExp(`^\\s*(${words})\\s*$`, 'i');

export async function isBusy(page: Page): Promise<boolean> {
  for (const el of await busyIndicators(page).all()) if (await el.isVisible()) return true;
  return false;
}

/** The visible texts of `scope`'s elements (alerts, toasts), trimmed, empty ones left out. */
export async function visibleTexts(scope: Locator): Promise<string[]> {
  const texts: string[] = [];
  for (const el of await scope.all()) {
    if (await el.isVisible()) texts.push((await el.innerText()).trim());
  }
  return texts.filter(Boolean);
}

/**
 * Runs `probe` on the settled screen (nothing busy) until it answers; else throws
 * ScreenMismatchError(screen, missing).
 */
export async function onScreen<T>(page: Page, screen: string, missing: string, probe: () => Promise<T | undefined>, timeoutMs = SCREEN_TIMEOUT_MS): Promise<T> {
  const found = await pollUntil(async () => ((await isBusy(page)) ? undefined : probe()), timeoutMs);
  if (found === undefined) throw new ScreenMismatchError(screen, missing);
  return found;
}

/** Waits for `target` on the settled screen, then clicks it. */
export async function clickOn(page: Page, screen: string, missing: string, target: Locator): Promise<void> {
  await onScreen(page, screen, missing, async () => ((await target.isVisible()) ? true : undefined));
  await target.click();
}
