/**
 * Removals first (issue 16): a leaver's removal must never wait behind other users' invites, role
 * changes, retries, sweeps or checks. BullMQ takes jobs without a priority (its wait list) before
 * any prioritized job, so a removal is enqueued without one and everything else with
 * NORMAL_PRIORITY. A retry or a busy-connection delay keeps the job's priority when it comes back.
 * The request carries only the user (converge, don't replay), so whether it is a removal is read
 * from the desired state at enqueue time: the SCIM user is gone, deleted or inactive.
 */
import type { Redis } from 'ioredis';
import type { ConvergeRequest } from '../core/queue.ts';
import { ProvisioningStore } from '../core/provisioning/state.ts';
import { ResourceStore } from '../core/store/resource-store.ts';

/** Priority of every job that is not a removal (BullMQ: 1 is the highest; none beats all). */
export const NORMAL_PRIORITY = 10;

/** For each request, true when it asks to take the user out of the app. */
export async function removalRequests(redis: Redis, appPrefix: string, requests: ConvergeRequest[]): Promise<boolean[]> {
  const provisioning = new ProvisioningStore(redis, appPrefix);
  const resources = new ResourceStore(redis, appPrefix);
  const byConnection = new Map<string, string[]>();
  for (const r of requests) byConnection.set(r.connectionId, [...(byConnection.get(r.connectionId) ?? []), r.userId]);
  const removals = new Set<string>();
  for (const [connectionId, ids] of byConnection) {
    const states = await provisioning.getMany(connectionId, ids);
    const live = new Map((await resources.getMany(connectionId, 'User', ids)).map((s) => [s.resource.id, s.resource]));
    for (const id of ids) {
      const user = live.get(id);
      if (states.get(id)?.deleted || !user || user.active === false) removals.add(`${connectionId}\u0000${id}`);
    }
  }
  return requests.map((r) => removals.has(`${r.connectionId}\u0000${r.userId}`));
}
