/**
 * Fault knobs shared by the sandboxes: injected 500s before or after the change (an app that
 * saved and then failed), deterministic failure counts, and a fixed-window rate limiter.
 */
import type { FastifyReply } from 'fastify';

export interface FaultKnobs {
  /** Probability (0–1) that a state-changing request fails with 500. */
  failureRate: number;
  /** 'after': the change is saved, then the answer is 500. */
  failureTiming: 'before' | 'after';
  /** Which state-changing requests may fail. */
  failureScope: 'all' | 'ui' | 'scim';
  /** Deterministic failures: the next N state-changing requests in scope fail. */
  failureCount: number;
}

export type FailureScope = 'ui' | 'scim';

export interface RateLimit {
  /** Requests allowed per window on the SCIM API. */
  requests: number;
  windowMs: number;
  /** How Retry-After is written (RFC 9110 §10.2.3 allows both). Default 'seconds'. */
  retryAfter?: 'seconds' | 'http-date';
}

/** Decides whether this state-changing request fails; consumes one of `failureCount`. */
export function shouldFail(knobs: FaultKnobs, scope: FailureScope): boolean {
  if (knobs.failureScope !== 'all' && knobs.failureScope !== scope) return false;
  if (knobs.failureCount > 0) {
    knobs.failureCount -= 1;
    return true;
  }
  return knobs.failureRate > 0 && Math.random() < knobs.failureRate;
}

/**
 * Runs a state change under the failure knobs. Returns the change's result, or undefined after
 * `fail` has answered the request (before or after the change was made).
 */
export async function withFailure<T>(
  knobs: FaultKnobs,
  state: { stats: { injectedFailures: number } },
  scope: FailureScope,
  reply: FastifyReply,
  fail: (reply: FastifyReply) => FastifyReply,
  change: () => T,
): Promise<T | undefined> {
  if (!shouldFail(knobs, scope)) return change();
  state.stats.injectedFailures += 1;
  if (knobs.failureTiming === 'after') change();
  await fail(reply);
  return undefined;
}

/** Fixed-window limiter; answers the Retry-After value when limited, null when allowed. */
export class WindowLimiter {
  private windowStart = 0;
  private used = 0;

  take(limit: RateLimit | null, now = Date.now()): string | null {
    if (!limit) return null;
    if (now - this.windowStart >= limit.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    this.used += 1;
    if (this.used <= limit.requests) return null;
    const resetAt = this.windowStart + limit.windowMs;
    if (limit.retryAfter === 'http-date') return new Date(Math.ceil(resetAt / 1000) * 1000).toUTCString();
    return String(Math.max(1, Math.ceil((resetAt - now) / 1000)));
  }
}
