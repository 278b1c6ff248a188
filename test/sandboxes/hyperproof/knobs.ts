/**
 * The Hyperproof sandbox's knobs: what a test can change while the server runs (hyperproof.md,
 * "Not documented — the sandbox's choices"). Failures and latency are injected here so that every
 * route behaves the same way. The presentation knobs are in presentation.ts.
 */
import type { FastifyReply } from 'fastify';
import { WindowLimiter as FixedWindow } from '../lib/faults.ts';
import { DEFAULT_PRESENTATION, type HyperproofPresentation } from './presentation.ts';

export interface AdminAccount {
  email: string;
  password: string;
  givenName: string;
  familyName: string;
}

export interface RateLimit {
  /** SCIM requests allowed per window. */
  requests: number;
  /** Default one minute (hyperproof.md: "N SCIM calls a minute"). */
  windowMs: number;
  /** How the 429 says when to come back: seconds, an HTTP date (RFC 9110 §10.2.3) or not at all. */
  retryAfter: 'seconds' | 'http-date' | 'none';
}

export interface HyperproofKnobs {
  /** Added to every request, app and SCIM. Default 0. */
  latencyMs: number;
  /** Probability (0–1) that a state-changing request fails with 500. Default 0. */
  failureRate: number;
  /** 'before': 500 and nothing done; 'after': the change is made, then 500. Default 'before'. */
  failureTiming: 'before' | 'after';
  /** Which state-changing requests may fail: SCIM writes, the admin page's POSTs, or both. Default 'all'. */
  failureScope: 'all' | 'ui' | 'scim';
  /** Deterministic failures: the next N state-changing requests in scope fail. Default 0. */
  failureCount: number;
  /** SSO configured ("Single sign-on is enabled", Identity provider Okta). Default true. */
  ssoEnabled: boolean;
  /** Base32 secret; when set, sign-in asks for a verification code. Default none. */
  totpSecret: string | undefined;
  /** Admin session lifetime; after it pages go to /login?next=…, JSON calls 401. Default one hour. */
  sessionLifetimeMs: number;
  /** Default null (no limit). */
  rateLimit: RateLimit | null;
  /** At most this many live SCIM tokens; null for no limit. Default 2. */
  tokenLimit: number | null;
  /** 'ignore': SCIM accepts and drops `roles`; 'entra': honours Entra's app-role values. Default 'ignore'. */
  scimRoles: 'ignore' | 'entra';
  /** A SCIM PUT resets the role to Limited access user. Default true. */
  putResetsRole: boolean;
  /** The Deactivated tab offers Delete (the real app may not). Default true. */
  deleteOffered: boolean;
  admin: AdminAccount;
  presentation: HyperproofPresentation;
}

export const DEFAULT_KNOBS: HyperproofKnobs = {
  latencyMs: 0,
  failureRate: 0,
  failureTiming: 'before',
  failureScope: 'all',
  failureCount: 0,
  ssoEnabled: true,
  totpSecret: undefined,
  sessionLifetimeMs: 60 * 60 * 1000,
  rateLimit: null,
  tokenLimit: 2,
  scimRoles: 'ignore',
  putResetsRole: true,
  deleteOffered: true,
  admin: { email: 'admin@example.com', password: 'correct horse battery staple', givenName: 'Ada', familyName: 'Admin' },
  presentation: DEFAULT_PRESENTATION,
};

export type FailureScope = 'ui' | 'scim';

export interface FailureStats {
  injectedFailures: number;
}

/** Decides whether this state-changing request fails; consumes one of `failureCount`. */
export function shouldFail(knobs: HyperproofKnobs, scope: FailureScope): boolean {
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
  knobs: HyperproofKnobs, stats: FailureStats, scope: FailureScope, reply: FastifyReply,
  fail: (reply: FastifyReply) => FastifyReply, change: () => T,
): Promise<T | undefined> {
  if (!shouldFail(knobs, scope)) return change();
  stats.injectedFailures += 1;
  if (knobs.failureTiming === 'after') change();
  await fail(reply);
  return undefined;
}

/** The Spekit sandbox's fixed window, plus a 429 that may carry no Retry-After at all. */
export class ScimLimiter {
  private readonly window = new FixedWindow();

  /** null when allowed; else the 429's Retry-After value, '' when the knob sends none. */
  take(limit: RateLimit | null): string | null {
    if (!limit) return null;
    const retryAfter = this.window.take({ requests: limit.requests, windowMs: limit.windowMs, retryAfter: limit.retryAfter === 'http-date' ? 'http-date' : 'seconds' });
    if (retryAfter === null) return null;
    return limit.retryAfter === 'none' ? '' : retryAfter;
  }
}
