/** Waiting and error mapping shared by the UXPin page objects and operations. */
import { errors, type Locator } from 'playwright-core';
import { pollUntil, SIGNAL_INTERVALS_MS, visibleText } from '../lib/screen/poll.ts';
import { AppError, PermanentAppError, TransientAppError } from '../../core/errors.ts';

/**
 * What the screen showed after a write: trusted only to decide how to read the list back.
 * `relisted`: the app fetched the list again after answering the write and the list has settled,
 * so the page already shows the app's own read-back and needs no reload.
 */
export type ActionOutcome = { kind: 'done'; relisted?: boolean } | { kind: 'alert'; message: string } | { kind: 'no-answer' };

export { pollUntil } from '../lib/screen/poll.ts';

/** The text of the first visible alert under `scope`, if any. */
export function visibleAlert(scope: Locator): Promise<string | undefined> {
  return visibleText(scope);
}

/** A dialog's write finished when the dialog closes or shows an alert. */
export async function dialogOutcome(dialog: Locator, timeoutMs: number): Promise<ActionOutcome> {
  const outcome = await pollUntil<ActionOutcome>(async () => {
    if (!(await dialog.isVisible())) return { kind: 'done' };
    const message = await visibleAlert(dialog.getByRole('alert'));
    return message ? { kind: 'alert', message } : undefined;
  }, timeoutMs, SIGNAL_INTERVALS_MS);
  return outcome ?? { kind: 'no-answer' };
}

/** The app refusing for good (seats, address); anything else is settled by reading the list back. */
export function refusalOf(message: string): PermanentAppError | undefined {
  if (/no seats left/i.test(message)) return new PermanentAppError('seat_limit', message);
  if (/valid email/i.test(message)) return new PermanentAppError('user_refused', message);
  return undefined;
}

export function describe(outcome: ActionOutcome): string {
  if (outcome.kind === 'alert') return `UXPin said: ${outcome.message}`;
  return outcome.kind === 'no-answer' ? 'UXPin did not answer' : 'UXPin reported success';
}

/** Playwright timeouts and network errors are transient; app errors pass through unchanged. */
export function toAppError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof errors.TimeoutError) {
    return new TransientAppError(`UXPin did not answer in time: ${error.message.split('\n')[0]}`, { cause: error });
  }
  if (error instanceof Error && /net::ERR_|ECONNREFUSED|ECONNRESET/.test(error.message)) {
    return new TransientAppError(`UXPin could not be reached: ${error.message.split('\n')[0]}`, { cause: error });
  }
  return error;
}

export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toAppError(error);
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches `text` as a whole, ignoring case and surrounding blanks (emails are case-insensitive). */
export function wholeText(text: string): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`, 'i');
}
