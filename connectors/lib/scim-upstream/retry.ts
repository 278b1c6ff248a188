/**
 * Backoff for the SCIM upstream client: exponential with jitter, or the server's Retry-After
 * when it sends one (RFC 9110 §10.2.3: delay-seconds or an HTTP-date).
 */

export interface RetryOptions {
  /** Total tries including the first. */
  attempts: number;
  /** First backoff delay; doubles per try. */
  baseMs: number;
  /** Upper bound of one computed backoff delay. Default 10 s. */
  maxMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails as transient. Default 60 s. */
  maxRetryAfterMs?: number;
}

/** Milliseconds to wait, or undefined when the header is absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Delay before try `attempt + 1` (attempt counts from 1): half fixed, half random ("equal jitter"). */
export function backoffMs(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs ?? 10_000, options.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
