/**
 * Hex-local waiting on top of connectors/lib/screen: a step waits on the settled screen (nothing
 * busy) for what it needs, a login form where a signed-in page was expected is an ended session,
 * and a screen that never shows what the step needs is a ScreenMismatchError naming both.
 */
import type { Locator, Page } from 'playwright-core';
import { ScreenMismatchError, SessionExpiredError } from '../../../core/errors.ts';
import { passwordField } from '../../lib/screen/fields.ts';
import { pollUntil } from '../../lib/screen/poll.ts';
import { isBusy } from '../../lib/screen/settle.ts';

/** How long a Hex screen may take to show what a step needs. */
export const SCREEN_TIMEOUT_MS = 15_000;

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole names, any case and surrounding space: named('settings') matches " Settings ". */
export const named = (words: string): RegExp => new RegExp(`^\\s*(?:${words})\\s*$`, 'i');

/** A cell or text that is exactly `text` (an email), so ann@ does not match joann@. */
export const wholeText = (text: string): RegExp => named(escapeRegExp(text));

/** Throws SessionExpiredError when Hex shows its login form (sessions end; hex.md: /login?next=…). */
export async function throwIfSignedOut(page: Page, screen: string): Promise<void> {
  if (await passwordField(page).isVisible()) throw new SessionExpiredError(`Hex showed its login page instead of ${screen}`);
}

/** Runs `probe` on the settled screen until it answers; else ScreenMismatchError(screen, missing). */
export async function onScreen<T>(page: Page, screen: string, missing: string, probe: () => Promise<T | undefined>, timeoutMs = SCREEN_TIMEOUT_MS): Promise<T> {
  const found = await pollUntil(async () => {
    await throwIfSignedOut(page, screen);
    return (await isBusy(page)) ? undefined : probe();
  }, timeoutMs);
  if (found === undefined) throw new ScreenMismatchError(screen, missing);
  return found;
}

/** The visible, non-empty texts of `scope`'s elements (alerts, statuses), trimmed. */
export async function visibleTexts(scope: Locator): Promise<string[]> {
  const texts: string[] = [];
  for (const el of await scope.all()) if (await el.isVisible()) texts.push((await el.innerText()).trim());
  return texts.filter(Boolean);
}

/** The first visible of `locators`, or undefined. */
export async function firstVisible(...locators: Locator[]): Promise<Locator | undefined> {
  for (const locator of locators) {
    for (const el of await locator.all()) if (await el.isVisible()) return el;
  }
  return undefined;
}
