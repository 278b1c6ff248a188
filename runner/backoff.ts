/**
 * Exponential backoff with jitter for failed attempts: base · 2^(n-1), capped, then a random value
 * between half and all of it ("equal jitter"), so workers retrying after one app outage spread out.
 */
export interface BackoffOptions {
  /** Delay before the first retry. Default 2 000 ms. */
  baseMs?: number;
  /** Longest delay. Default 300 000 ms (5 minutes). */
  maxMs?: number;
  /** Source of randomness in [0, 1), for tests. Default Math.random. */
  random?: () => number;
}

export function backoffDelay(attemptsMade: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 2_000;
  const max = options.maxMs ?? 300_000;
  const exponential = Math.min(max, base * 2 ** Math.max(0, attemptsMade - 1));
  const random = options.random ?? Math.random;
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
