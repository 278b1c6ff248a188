/**
 * Errors of the SCIM upstream client. Both are permanent for the runner: a 401 needs a new token
 * (the connector rotates it and retries once), another 4xx needs a different request.
 */
import { PermanentAppError } from '../../../core/errors.ts';

/** The upstream refused our bearer token (HTTP 401, RFC 7644 §3.12). */
export class UpstreamUnauthorizedError extends PermanentAppError {
  constructor(message = 'The app refused the SCIM bearer token (401); the token must be set up or rotated') {
    super('setup_required', message);
  }
}

/** The upstream answered another 4xx; `detail` comes from its SCIM Error body (RFC 7644 §3.12). */
export class UpstreamRefusedError extends PermanentAppError {
  constructor(
    readonly status: number,
    readonly scimType: string | undefined,
    readonly detail: string,
  ) {
    super('user_refused', `The app refused the request (${status}${scimType ? ` ${scimType}` : ''}): ${detail}`);
  }
}

/** Removes every occurrence of `secret` from text that may reach a log or an error. */
export function redact(text: string, secret: string | undefined): string {
  return secret && secret.length > 0 ? text.split(secret).join('[redacted]') : text;
}
