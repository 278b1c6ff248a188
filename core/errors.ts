/**
 * One error taxonomy for the whole product. Each class says whether a retry can help and, for
 * errors that reach an IdP, which SCIM status and `scimType` it maps to (RFC 7644 §3.12).
 * Control flow in the runner is expressed through these classes, never through message text.
 */

/** `scimType` values defined by RFC 7644 §3.12 (Table 9). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** An error answered to a SCIM client as an `urn:ietf:params:scim:api:messages:2.0:Error` body. */
export class ScimError extends Error {
  override readonly name = 'ScimError';
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  static badRequest(scimType: ScimType, detail: string): ScimError {
    return new ScimError(400, scimType, detail);
  }
  static notFound(detail: string): ScimError {
    return new ScimError(404, undefined, detail);
  }
  static conflict(detail: string): ScimError {
    return new ScimError(409, 'uniqueness', detail);
  }
  static unauthorized(detail = 'A valid bearer token is required.'): ScimError {
    return new ScimError(401, undefined, detail, { 'www-authenticate': 'Bearer realm="scimwright"' });
  }
}

/** Why an app-side operation failed for good; stable codes that the console and metrics group by. */
export type PermanentReason =
  | 'bad_credentials'
  | 'mfa_required'
  | 'seat_limit'
  | 'user_refused'
  | 'unknown_role'
  | 'owner_protected'
  | 'setup_required'
  | 'unsupported'
  | 'invalid_job';

/** Base of every error raised while converging a user in an app. */
export abstract class AppError extends Error {
  abstract readonly retryable: boolean;
}

/** Network hiccups, 5xx answers, timeouts: the runner retries with backoff. */
export class TransientAppError extends AppError {
  override readonly name = 'TransientAppError';
  readonly retryable = true;
}

/**
 * The app asked us to slow down (HTTP 429): retried like any transient failure, and the runner
 * pauses the whole connection for `retryAfterMs` at least (runner/connection-slots.ts).
 */
export class RateLimitedError extends AppError {
  override readonly name = 'RateLimitedError';
  readonly retryable = true;
  constructor(message: string, readonly retryAfterMs = 0, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The app's session ended: the runner logs in again and retries the operation once. */
export class SessionExpiredError extends AppError {
  override readonly name = 'SessionExpiredError';
  readonly retryable = true;
}

/** A retry cannot help (bad credentials, seat limit, refused user): the run fails at once. */
export class PermanentAppError extends AppError {
  override readonly name = 'PermanentAppError';
  readonly retryable = false;
  constructor(readonly reason: PermanentReason, message: string) {
    super(message);
  }
}

/**
 * A screen of the app is not what the connector expects: a field, button, row or empty state it
 * looks for did not appear. Retrying the same clicks for every user only hammers the app, so the
 * runner counts these per connection and, after a few in a row, marks the connection as needing
 * attention until a person checks it (console retry or a passing canary check).
 * `screen` names the page in words ("UXPin team page"); `missing` says what was not there.
 */
export class ScreenMismatchError extends AppError {
  override readonly name = 'ScreenMismatchError';
  readonly retryable = true;
  constructor(readonly screen: string, readonly missing: string) {
    super(`${screen}: ${missing}`);
  }
}

/** True when the runner may try again later. Unknown errors (bugs, timeouts) are retried. */
export function isRetryable(error: unknown): boolean {
  return error instanceof AppError ? error.retryable : true;
}
