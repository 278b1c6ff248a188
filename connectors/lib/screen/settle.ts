/**
 * Waiting for a screen on the app's own signals, never on a fixed delay. `onScreen`: a probe run
 * on the settled screen (no busy indicator) until it answers, else a ScreenMismatchError naming
 * the screen and what was missing, for the admin to act on. `settle`: "no results" told apart
 * from "still loading": the watched request answered, nothing in flight, no busy indicator, and
 * what the screen shows unchanged for a moment. Also the empty-state and result-count texts an
 * app may show anywhere on the page ("No users found matching …", "0 results", "Showing 0 of 0").
 */
import type { Locator, Page } from 'playwright-core';
import { ScreenMismatchError, SessionExpiredError } from '../../../core/errors.ts';
import { busyIndicators } from './fields.ts';
import { pollUntil, SIGNAL_INTERVALS_MS } from './poll.ts';
import type { RequestWatch } from './request-watch.ts';

/** Words apps use for an empty list or a zero count. */
export const EMPTY_STATE = /\bno (users|members|people|results|matches|one)\b|\bnothing (found|matches)\b|\b(0|zero) (users|members|results|matches)\b|\bof 0\b/i;

/** Whether an empty-state or zero-count text shows anywhere on the page (one round trip). */
export async function emptyStateShown(page: Page): Promise<boolean> {
  return (await page.getByText(EMPTY_STATE).filter({ visible: true }).count()) > 0;
}

export async function isBusy(page: Page): Promise<boolean> {
  return (await busyIndicators(page).filter({ visible: true }).count()) > 0;
}

/** How long an admin screen may take to show what a step needs, unless a caller says otherwise. */
export const SCREEN_TIMEOUT_MS = 15_000;

/**
 * Runs `probe` on the settled screen (nothing busy) until it answers; else throws
 * ScreenMismatchError(screen, missing).
 */
export async function onScreen<T>(page: Page, screen: string, missing: string, probe: () => Promise<T | undefined>, timeoutMs = SCREEN_TIMEOUT_MS): Promise<T> {
  const found = await pollUntil(async () => ((await isBusy(page)) ? undefined : probe()), timeoutMs);
  if (found === undefined) throw new ScreenMismatchError(screen, missing);
  return found;
}

/**
 * Runs one part of a read-only walk (a canary check): anything but a lost session, or a mismatch
 * already named, becomes "`screen` is not as expected: `what` (first line of the cause)".
 */
export async function expectScreen<T>(screen: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof SessionExpiredError || error instanceof ScreenMismatchError) throw error;
    throw new ScreenMismatchError(screen, `${what} (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`);
  }
}

/** Waits for `target` on the settled screen, then clicks it. */
export async function clickOn(page: Page, screen: string, missing: string, target: Locator): Promise<void> {
  await onScreen(page, screen, missing, async () => ((await target.isVisible()) ? true : undefined));
  await target.click();
}

export interface SettleOptions<T> {
  timeoutMs: number;
  /** What the screen shows now; undefined while it shows nothing usable yet. */
  read: () => Promise<T | undefined>;
  /** A fingerprint of a reading: the screen is settled once it stops changing. */
  key: (value: T) => string;
  /**
   * Whether a settled reading is an answer. `answered` says the app answered the watched request;
   * without that signal only a reading consistent with the action (e.g. every row matching) counts.
   */
  accept: (value: T, answered: boolean) => boolean;
  /** Quiet time after the answer. Default 120 ms. */
  quietMs?: number;
  /** Quiet time that stands in for an answer the watch never saw (an app filtering in place). Default 1200 ms. */
  unansweredQuietMs?: number;
}

/** The settled reading and whether the app answered, or undefined after `timeoutMs`. */
export async function settle<T>(page: Page, watch: RequestWatch, options: SettleOptions<T>): Promise<{ value: T; answered: boolean } | undefined> {
  const { quietMs = 120, unansweredQuietMs = 1200 } = options;
  let lastKey: string | undefined;
  let since = Date.now();
  return pollUntil(async () => {
    const value = await options.read();
    const key = value === undefined || watch.busy || (await isBusy(page)) ? undefined : options.key(value);
    if (key === undefined || key !== lastKey) {
      lastKey = key;
      since = Date.now();
      return undefined;
    }
    const answered = watch.answered;
    const quiet = Date.now() - Math.max(since, watch.lastActivity);
    if (quiet < (answered ? quietMs : unansweredQuietMs)) return undefined;
    return options.accept(value!, answered) ? { value: value!, answered } : undefined;
  }, options.timeoutMs, SIGNAL_INTERVALS_MS);
}
