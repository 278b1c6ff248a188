/**
 * What every Hyperproof screen shares: the navigation (Main → Settings → a Settings section),
 * dialogs found by their title (native <dialog>, role dialog or alertdialog), and confirming one:
 * the answer is the dialog going away or a new alert, never a toast (hyperproof.md: "trust the
 * list after an action, not a toast").
 */
import type { Locator, Page } from 'playwright-core';
import { ScreenMismatchError, SessionExpiredError, TransientAppError } from '../../../core/errors.ts';
import { codeField, identityField, named, passwordField } from '../../lib/screen/fields.ts';
import { pollUntil, visibleTexts } from '../../lib/screen/poll.ts';
import { clickOn, isBusy, onScreen, SCREEN_TIMEOUT_MS } from '../../lib/screen/settle.ts';

export { clickOn, isBusy, named, onScreen, SCREEN_TIMEOUT_MS, visibleTexts };

export type SettingsSection = 'People' | 'Authentication';

/** A dialog by its title, whichever role the app gives it. */
export function dialogNamed(page: Page, name: RegExp): Locator {
  return page.getByRole('dialog', { name }).or(page.getByRole('alertdialog', { name })).first();
}

/** A link, button or menu item with this name (navigation entries are drawn all three ways). */
export function entry(scope: Page | Locator, name: RegExp): Locator {
  return scope.getByRole('link', { name }).or(scope.getByRole('button', { name })).or(scope.getByRole('menuitem', { name })).first();
}

/** Main → Settings → `section`, by the navigation's names; never a guessed URL. */
export async function openSettings(page: Page, section: SettingsSection): Promise<void> {
  await signedInPage(page);
  const sectionEntry = entry(page.getByRole('navigation', { name: /settings/i }), named(section));
  if (!(await sectionEntry.isVisible())) {
    await clickOn(page, 'Hyperproof navigation', 'no Settings entry in the main navigation', entry(page, named('settings')));
  }
  // Wait for the page the entry loads: reading before it arrives would act on the old page
  // (from the same section, it looks alike) whose dialogs vanish when the new one lands.
  await onScreen(page, 'Hyperproof Settings', `no ${section} entry in the Settings navigation`, async () => ((await sectionEntry.isVisible()) ? true : undefined));
  await Promise.all([page.waitForNavigation({ timeout: 5_000 }).catch(() => undefined), sectionEntry.click()]);
  await onScreen(page, `Hyperproof Settings → ${section}`, `no ${section} heading`, async () =>
    ((await page.getByRole('heading', { name: named(section) }).first().isVisible()) ? true : undefined));
}

/**
 * A signed-in page to navigate from: the current one, or it reloaded; the sign-in form instead
 * means the session ended (pages go to sign-in then), which the runner answers by signing in again.
 */
async function signedInPage(page: Page): Promise<void> {
  const main = page.getByRole('navigation', { name: /^\s*main\s*$/i });
  // Any step of the sign-in (email, password, code) means the session is gone.
  const signIn = identityField(page).first().or(passwordField(page)).or(codeField(page).first());
  const where = () => pollUntil(async () => {
    if (await main.isVisible()) return 'signed-in' as const;
    return (await signIn.first().isVisible()) ? ('sign-in' as const) : undefined;
  }, SCREEN_TIMEOUT_MS);
  let state: 'signed-in' | 'sign-in' | undefined = await pollUntil(async () => ((await main.isVisible()) ? ('signed-in' as const) : undefined), 1_000);
  if (state === undefined && /^https?:/.test(page.url())) {
    // The app's root, not a reload: a reload could send a sign-in form again.
    await page.goto(new URL('/', page.url()).toString(), { timeout: SCREEN_TIMEOUT_MS });
    state = await where();
  }
  if (state === 'signed-in') return;
  if (state === 'sign-in') throw new SessionExpiredError('Hyperproof shows its sign-in page: the session ended');
  throw new ScreenMismatchError('Hyperproof navigation', 'no Main navigation on the page');
}

/**
 * Clicks `button` in `dialog` and waits for the app's answer: the dialog gone and the page
 * settled, or an alert that was not on screen before (its text in a TransientAppError).
 */
export async function confirmIn(page: Page, screen: string, dialog: Locator, button: Locator): Promise<void> {
  const before = await visibleTexts(page.getByRole('alert'));
  await button.click({ timeout: SCREEN_TIMEOUT_MS });
  const answer = await pollUntil(async () => {
    // The dialog is read first: an app shows its alert before it closes the dialog, so once the
    // dialog is seen gone, any alert of that answer is already on screen.
    const open = await dialog.isVisible();
    const fresh = (await visibleTexts(page.getByRole('alert'))).filter((text) => !before.includes(text));
    if (fresh.length > 0) return { error: fresh.join(' ') };
    if (open) return undefined;
    if ((await page.evaluate(() => document.readyState)) !== 'complete' || (await isBusy(page))) return undefined;
    return { error: undefined };
  }, SCREEN_TIMEOUT_MS * 2);
  if (!answer) throw new TransientAppError(`${screen}: no answer after ${await button.innerText().catch(() => 'confirming')}`);
  if (answer.error) throw new TransientAppError(`${screen} answered an error: ${answer.error}`);
}

/** Waits until `locator` is visible on a settled screen (no spinner), else ScreenMismatchError. */
export async function waitFor(page: Page, screen: string, missing: string, locator: Locator): Promise<void> {
  await onScreen(page, screen, missing, async () => ((await locator.isVisible()) ? true : undefined));
}
