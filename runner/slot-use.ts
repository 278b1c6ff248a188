/**
 * What a job holds besides its page slot (connection-slots.ts), and how its outcome paces the
 * connection. A converge job holds its user and every address its run may touch: the desired one,
 * a previous one it retires, and the one last applied. Tasks and checks hold the whole connection.
 * A drift scan only reads, for minutes on a big team: it holds one page and its own name, never the
 * whole connection, so removals keep running beside it (one scan at a time per connection).
 */
import type { ConnectorDefinition } from '../core/connector.ts';
import type { StoredConnection } from '../core/connections/schema.ts';
import { RateLimitedError, TransientAppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { DesiredState } from '../core/provisioning/desired.ts';
import { WHOLE_CONNECTION, userNames } from './connection-slots.ts';
import { readDesired } from './converge.ts';
import type { RunnerDeps } from './deps.ts';
import { JobRunError } from './job-runs.ts';

const DRIFT_SCAN = ['drift-scan'];

export async function slotNames(
  deps: RunnerDeps, connection: StoredConnection, connector: ConnectorDefinition, data: { userId?: string; drift?: boolean },
): Promise<string[]> {
  if (data.drift) return DRIFT_SCAN;
  if (!data.userId) return WHOLE_CONNECTION;
  const prov = await deps.provisioning.get(connection.id, data.userId);
  if (!prov) return userNames(data.userId, []);
  // Settings that do not fit fail inside the run, where the failure is recorded.
  const desired = await readDesired(deps, connection, connector, data.userId, prov).catch(() => undefined);
  return userNames(data.userId, [desired?.user.email, desired?.previousEmail, prov.appliedEmail]);
}

/** The names a pass over `userId` works under (checked again once the pass has read its user). */
export function passNames(userId: string, desired: DesiredState): string[] {
  return userNames(userId, [desired.user.email, desired.previousEmail]);
}

/**
 * A run the app refused with a rate limit or a transient failure slows the whole connection down
 * (all its slots, in every worker); a run that went through gives a slot back.
 */
export async function paceConnection(deps: RunnerDeps, connectionId: string, failure: unknown, logger: Logger): Promise<void> {
  const cause = failure instanceof JobRunError ? failure.original : failure;
  if (failure === undefined) return deps.slots.wentWell(connectionId);
  if (!(cause instanceof RateLimitedError) && !(cause instanceof TransientAppError)) return;
  const retryAfterMs = cause instanceof RateLimitedError ? Math.max(cause.retryAfterMs, 1_000) : 0;
  const { slots, until } = await deps.slots.slowDown(connectionId, retryAfterMs);
  logger.warn({ slots, pausedMs: Math.max(0, until - Date.now()) }, 'the app pushed back; the connection slows down');
}
