/**
 * Hex-local additions to connectors/lib/screen: a login form where a signed-in page was expected
 * is an ended session (hex.md: any page goes to /login?next=…), checked on every probe, and
 * exact-text and first-visible finders.
 */
import type { Locator, Page } from 'playwright-core';
import { SessionExpiredError } from '../../../core/errors.ts';
import { named, passwordField } from '../../lib/screen/fields.ts';
import { onScreen } from '../../lib/screen/settle.ts';

export { named } from '../../lib/screen/fields.ts';
export { visibleTexts } from '../../lib/screen/poll.ts';
export { SCREEN_TIMEOUT_MS } from '../../lib/screen/settle.ts';

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A cell or text that is exactly `text` (an email), so ann@ does not match joann@. */
export const wholeText = (text: string): RegExp => named(escapeRegExp(text));

/** Throws SessionExpiredError when Hex shows its login form instead of `screen`. */
export async function throwIfSignedOut(page: Page, screen: string): Promise<void> {
  if (await passwordField(page).isVisible()) throw new SessionExpiredError(`Hex showed its login page instead of ${screen}`);
}

/** lib/screen's onScreen, with the login form read as an ended session on every probe. */
export function onHexScreen<T>(page: Page, screen: string, missing: string, probe: () => Promise<T | undefined>): Promise<T> {
  return onScreen(page, screen, missing, async () => {
    await throwIfSignedOut(page, screen);
    return probe();
  });
}

/** The first visible element of `locator`, or undefined. */
export async function firstVisible(locator: Locator): Promise<Locator | undefined> {
  for (const el of await locator.all()) if (await el.isVisible()) return el;
  return undefined;
}
