/**
 * One address, several SCIM ids (issue 17). The app knows people by email, not by our ids: when the
 * IdP deletes a person and creates them again, the old id's removal and the new id's invite are
 * jobs of two users that may run in any order. Each run therefore decides from the desired state
 * of every id sharing its address, read under the connection lock:
 * - a removal (or the retiring of a previous address) leaves an account another id wants;
 * - two ids that both want the account agree, or the one whose change is older fails with the
 *   reason instead of being reported in sync with a role the app does not show;
 * - a run that wrote to the app re-checks the other ids that want the address (share()'s `recheck`).
 * The read-decide-act is safe because a job holds its addresses with its page slot
 * (connection-slots.ts): two runs of one address never go at once, whatever parallelPages is.
 */
import type { ConnectorDefinition } from '../core/connector.ts';
import type { StoredConnection } from '../core/connections/schema.ts';
import { PermanentAppError } from '../core/errors.ts';
import { EmailIndex } from '../core/provisioning/email-index.ts';
import type { DesiredState } from '../core/provisioning/desired.ts';
import type { ProvisioningState } from '../core/provisioning/state.ts';
import { readDesired } from './converge.ts';
import type { RunnerDeps } from './deps.ts';

interface Wanter { userId: string; prov: ProvisioningState; desired: DesiredState }

export interface SharedDecision {
  desired: DesiredState;
  /** Other ids that want the address in the app: converge them again after a write to it. */
  recheck: string[];
}

export async function share(
  deps: RunnerDeps, connection: StoredConnection, connector: ConnectorDefinition, userId: string, own: Wanter,
): Promise<SharedDecision> {
  const index = new EmailIndex(deps.redis, deps.prefix);
  const email = own.desired.user.email;
  await index.add(connection.id, email, userId);
  const wanters = await othersWanting(deps, index, connection, connector, userId, email);
  let desired = own.desired;
  if (desired.previousEmail) {
    const holders = await othersWanting(deps, index, connection, connector, userId, desired.previousEmail);
    if (holders.length > 0) desired = { ...desired, previousEmail: undefined };
  }
  if (wanters.length === 0) return { desired, recheck: [] };
  const recheck = wanters.map((w) => w.userId);
  if (!desired.user.member) return { desired: { ...desired, heldBy: newest(wanters).userId }, recheck };
  const winner = newest([own, ...wanters]);
  if (winner.userId !== userId && winner.desired.user.role.toLowerCase() !== desired.user.role.toLowerCase()) {
    throw new PermanentAppError('user_refused', `${email} is also the address of SCIM user ${winner.userId}, whose newer change `
      + `wants the role ${winner.desired.user.role}; the app has one account per address.`);
  }
  return { desired, recheck };
}

/** The other ids whose desired state is to have `email` in the app. Stale index entries are dropped. */
async function othersWanting(
  deps: RunnerDeps, index: EmailIndex, connection: StoredConnection, connector: ConnectorDefinition, userId: string, email: string,
): Promise<Wanter[]> {
  // Converged ids, and a live user named so who may not have been converged yet.
  const ids = new Set([...(await index.ids(connection.id, email)), ...(await deps.resources.findIds(connection.id, 'User', 'userName', email))]);
  ids.delete(userId);
  const out: Wanter[] = [];
  for (const id of ids) {
    const prov = await deps.provisioning.get(connection.id, id);
    const desired = prov ? await readDesired(deps, connection, connector, id, prov).catch(() => undefined) : undefined;
    const stale = !prov || !desired || (desired.user.email !== email && prov.appliedEmail?.toLowerCase() !== email);
    if (stale) await index.drop(connection.id, email, id);
    else if (desired.user.member && desired.user.email === email) out.push({ userId: id, prov, desired });
  }
  return out;
}

/** The id whose desired state changed last (ties: the higher generation, then the id). */
function newest(wanters: Wanter[]): Wanter {
  const key = (w: Wanter) => `${w.prov.changedAt ?? ''}\u0000${String(w.prov.generation).padStart(12, '0')}\u0000${w.userId}`;
  return [...wanters].sort((a, b) => key(b).localeCompare(key(a)))[0]!;
}
