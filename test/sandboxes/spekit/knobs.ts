/**
 * The sandbox's knobs: what a test can change while the server runs (spekit.md, "Knobs").
 * Failures and latency are injected here so that every route behaves the same way.
 */
import type { FastifyReply } from 'fastify';
import type { SpekitState } from './state.ts';

export interface AdminAccount {
  username: string;
  email: string;
  password: string;
  deactivated?: boolean;
}

export interface RateLimit {
  /** Requests allowed per window on the SCIM API. */
  requests: number;
  windowMs: number;
  /** How Retry-After is written (RFC 9110 §10.2.3 allows both). Default 'seconds'. */
  retryAfter?: 'seconds' | 'http-date';
}

export interface SpekitKnobs {
  /** Added to every request. Default 0. */
  latencyMs: number;
  /** Probability (0–1) that a state-changing request fails with 500. Default 0. */
  failureRate: number;
  /** 'after': the change is saved, then the answer is 500 (a Regenerate that still replaced the token). */
  failureTiming: 'before' | 'after';
  /** Which state-changing requests may fail. Default 'all'. */
  failureScope: 'all' | 'ui' | 'scim';
  /** Deterministic failures: the next N state-changing requests in scope fail. Default 0. */
  failureCount: number;
  /** Default true. Without SSO the SCIM step is not offered. */
  ssoConnected: boolean;
  /** Base32 secret; when set, login asks for an authentication code. */
  totpSecret: string | undefined;
  /** Admin session lifetime. Default one hour. */
  sessionLifetimeMs: number;
  /** Default null (no limit). */
  rateLimit: RateLimit | null;
  /** Largest SCIM page the server returns whatever `count` asks. Default 100. */
  maxPageSize: number;
  admin: AdminAccount;
}

export const DEFAULT_KNOBS: SpekitKnobs = {
  latencyMs: 0,
  failureRate: 0,
  failureTiming: 'before',
  failureScope: 'all',
  failureCount: 0,
  ssoConnected: true,
  totpSecret: undefined,
  sessionLifetimeMs: 60 * 60 * 1000,
  rateLimit: null,
  maxPageSize: 100,
  admin: { username: 'admin', email: 'admin@example.com', password: 'correct horse battery staple' },
};

export type FailureScope = 'ui' | 'scim';

/** Decides whether this state-changing request fails; consumes one of `failureCount`. */
export function shouldFail(knobs: SpekitKnobs, scope: FailureScope): boolean {
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
  knobs: SpekitKnobs,
  state: SpekitState,
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

/** Fixed-window limiter for the SCIM API; answers the Retry-After value or null when allowed. */
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
