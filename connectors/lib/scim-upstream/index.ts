/** SCIM upstream client: the public surface used by the Spekit, Hex and Hyperproof connectors. */
export { createScimUpstream, isNotFound, ScimUpstream } from './client.ts';
export type { CreateUserResult, ScimUpstreamOptions, UpdateMethod } from './client.ts';
export { redact, UpstreamRefusedError, UpstreamUnauthorizedError } from './errors.ts';
export { backoffMs, parseRetryAfter } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { upstreamUserInputSchema } from './schemas.ts';
export type { UpstreamGroup, UpstreamUser, UpstreamUserInput } from './schemas.ts';
