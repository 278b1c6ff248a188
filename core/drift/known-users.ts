/**
 * The desired state of every user the IdP told a connection about, read in batches for a drift
 * scan (a 1,000-member team is a few pipelined reads, not 1,000 round trips). Users whose change
 * is still on its way (pending, a newer generation than the last applied) are left out: their job
 * is about to converge them, so a difference is no drift. A user whose desired state cannot be
 * worked out (a role map naming a role the app lacks) is left out too: their runs already say why.
 */
import type { Redis } from 'ioredis';
import type { ConnectorCapabilities } from '../connector.ts';
import type { StoredConnection } from '../connections/schema.ts';
import { computeDesired } from '../provisioning/desired.ts';
import type { ProvisioningState, ProvisioningStore } from '../provisioning/state.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import type { KnownUser } from './compare.ts';

const BATCH = 500;

export interface KnownUsersDeps {
  redis: Redis;
  resources: ResourceStore;
  provisioning: ProvisioningStore;
}

export interface KnownUsers {
  known: KnownUser[];
  /** Users left out because a change is on its way to the app. */
  inFlight: number;
  /** Users left out because their desired state could not be worked out. */
  undecided: number;
}

const inFlight = (s: ProvisioningState) => s.state === 'pending' && s.generation > s.appliedGeneration;

export async function readKnownUsers(deps: KnownUsersDeps, connection: StoredConnection, capabilities: ConnectorCapabilities): Promise<KnownUsers> {
  const ids = (await deps.provisioning.userIds(connection.id)).sort();
  const out: KnownUsers = { known: [], inFlight: 0, undecided: 0 };
  for (let i = 0; i < ids.length; i += BATCH) {
    const states = await deps.provisioning.getMany(connection.id, ids.slice(i, i + BATCH));
    const settled = [...states].filter(([, s]) => !inFlight(s));
    out.inFlight += states.size - settled.length;
    const live = settled.filter(([, s]) => !s.deleted).map(([id]) => id);
    const users = new Map((await deps.resources.getMany(connection.id, 'User', live)).map((r) => [String(r.resource.id), r.resource]));
    const groupsOf = await groupNames(deps, connection.id, [...users.keys()]);
    for (const [userId, state] of settled) {
      try {
        const scimUser = (state.deleted ? null : users.get(userId) ?? null) as Parameters<typeof computeDesired>[0];
        const desired = computeDesired(scimUser, state.userName, groupsOf.get(userId) ?? [], connection.settings, capabilities);
        const previous = state.appliedEmail?.toLowerCase();
        out.known.push({ userId, desired: previous && previous !== desired.user.email ? { ...desired, previousEmail: previous } : desired });
      } catch {
        out.undecided += 1;
      }
    }
  }
  return out;
}

/** Each user's group display names, sorted (as readDesired in runner/converge.ts reads them). */
async function groupNames(deps: KnownUsersDeps, connectionId: string, userIds: string[]): Promise<Map<string, string[]>> {
  const keys = deps.resources.keys(connectionId);
  const pipeline = deps.redis.pipeline();
  for (const id of userIds) pipeline.smembers(keys.memberOf(id));
  const rows = (await pipeline.exec()) ?? [];
  const memberOf = new Map(userIds.map((id, i) => [id, (rows[i]?.[1] as string[] | undefined) ?? []]));
  const groupIds = [...new Set([...memberOf.values()].flat())];
  const names = new Map<string, string>();
  for (let i = 0; i < groupIds.length; i += BATCH) {
    for (const g of await deps.resources.getMany(connectionId, 'Group', groupIds.slice(i, i + BATCH))) {
      if (typeof g.resource.displayName === 'string') names.set(String(g.resource.id), g.resource.displayName);
    }
  }
  return new Map([...memberOf].map(([id, gids]) => [id, gids.map((g) => names.get(g)).filter((n): n is string => n !== undefined).sort()]));
}
