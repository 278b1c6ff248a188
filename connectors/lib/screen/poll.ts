/** Web-first waiting for conditions a single locator cannot express (expect.poll style). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator } from 'playwright-core';

const INTERVALS_MS = [0, 25, 50, 100, 200];
/**
 * For waits that end on the app's own signals (settle): a steady short beat, since the wait is
 * already bounded by those signals and a 200 ms step would add up to 200 ms to every answer.
 */
export const SIGNAL_INTERVALS_MS = [0, 20, 30];

/** A probe can run while the page navigates; those errors mean "not yet", not failure. */
export function isNavigationRace(error: unknown): boolean {
  return error instanceof Error && /Execution context was destroyed|frame was detached|navigat/i.test(error.message);
}

/**
 * Runs `probe` until it returns a value or `timeoutMs` passes, then returns undefined. The pause
 * between tries follows `intervals` and stays at its last value.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number, intervals: readonly number[] = INTERVALS_MS): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (!isNavigationRace(error)) throw error;
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(intervals[Math.min(attempt, intervals.length - 1)]);
  }
}

/** The visible texts of `scope`'s elements (alerts, toasts), trimmed, empty ones left out. */
export async function visibleTexts(scope: Locator): Promise<string[]> {
  const texts: string[] = [];
  for (const el of await scope.all()) {
    if (await el.isVisible()) texts.push((await el.innerText()).trim());
  }
  return texts.filter(Boolean);
}

/** The text of the first visible element of `scope` (e.g. alerts), if any. */
export async function visibleText(scope: Locator): Promise<string | undefined> {
  for (const el of await scope.all()) {
    if (!(await el.isVisible())) continue;
    const text = (await el.innerText()).trim();
    if (text) return text;
  }
  return undefined;
}
