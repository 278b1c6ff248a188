/**
 * Turns an accepted SCIM request into audit changes: what the user looks like now against what
 * the audit saw last (active, role, userName, displayName, groups) gives the action and old → new.
 */
import type { Redis } from 'ioredis';
import { appEmail } from '../provisioning/desired.ts';
import { connectionKeys } from '../store/keys.ts';
import { ResourceStore, type ScimResource } from '../store/resource-store.ts';
import { batches, TimeSlice } from '../directory/time-slice.ts';
import type { AuditAction, AuditChange, AuditDiff } from './schema.ts';
import { AuditStore } from './store.ts';

export interface AuditRequest {
  connectionId: string;
  requestId: string;
  tokenId: string;
}

/** The attributes the log compares; null values mean "none". */
type Snapshot = Record<'active' | 'role' | 'userName' | 'displayName' | 'groups', string | null>;

const FIELDS: Array<keyof Snapshot> = ['active', 'role', 'userName', 'displayName', 'groups'];

function snapshotOf(user: ScimResource | null, groups: string[]): Snapshot | null {
  if (!user) return null;
  const roles = (Array.isArray(user.roles) ? user.roles : []) as Array<{ value?: unknown; primary?: unknown }>;
  const role = (roles.find((r) => r.primary === true) ?? roles[0])?.value;
  return {
    active: String(user.active !== false),
    role: typeof role === 'string' ? role : null,
    userName: typeof user.userName === 'string' ? user.userName : null,
    displayName: typeof user.displayName === 'string' ? user.displayName : null,
    groups: groups.length > 0 ? [...groups].sort().join(', ') : null,
  };
}

function diff(before: Snapshot | null, after: Snapshot | null): AuditDiff[] {
  if (!after) return [{ field: 'user', from: before ? 'exists' : null, to: 'deleted' }];
  return FIELDS.filter((f) => (before?.[f] ?? null) !== after[f]).map((f) => ({ field: f, from: before?.[f] ?? null, to: after[f] }));
}

function actionOf(before: Snapshot | null, after: Snapshot | null, changes: AuditDiff[]): AuditAction {
  if (!after) return 'delete';
  if (!before) return 'create';
  const moved = new Set(changes.map((c) => c.field));
  if (moved.has('active')) return after.active === 'false' ? 'deactivate' : 'reactivate';
  if (moved.has('role')) return 'role';
  if (moved.size === 1 && moved.has('groups')) return 'groups';
  return 'update';
}

/** What one user's change is computed from, read in one pipeline per batch of users. */
interface UserReads {
  stored: ScimResource | null;
  groupIds: string[];
  prov: Array<string | null>;
  previous: string | null;
}

export class AuditRecorder {
  readonly store: AuditStore;
  private readonly resources: ResourceStore;

  constructor(private readonly redis: Redis, private readonly prefix: string) {
    this.store = new AuditStore(redis, prefix);
    this.resources = new ResourceStore(redis, prefix);
  }

  /**
   * Called once per accepted SCIM request, after it is stored and before its converge is queued.
   * Each user still gets its own change (the log, its filters and the run that settles it are per
   * user), but the reads and writes go in one pipeline per batch of users and each group is read
   * once per request: one round trip per user, and a 5,000-member group parsed once per member,
   * made a 5,000-member POST /Groups take 48 s (issue 11).
   */
  async recordRequest(ctx: AuditRequest, userIds: string[], request: string): Promise<void> {
    const at = new Date().toISOString();
    const groupNames = new Map<string, string>();
    const slice = new TimeSlice();
    const changes: Array<Omit<AuditChange, 'id'>> = [];
    const snapshots: Array<Snapshot | null> = [];
    for (const batch of batches(userIds)) {
      const reads = await this.read(ctx.connectionId, batch, groupNames);
      for (const userId of batch) {
        const change = changeOf(ctx, userId, request, at, reads.get(userId)!, groupNames);
        if (change) { changes.push(change.change); snapshots.push(change.after); }
        await slice.pause();
      }
    }
    await this.store.append(changes, (tx, change, i) => {
      const key = this.store.keys.snapshot(change.connectionId, change.userId);
      const after = snapshots[i];
      if (after) tx.set(key, JSON.stringify(after));
      else tx.del(key);
    });
  }

  /** A batch of users' documents, groups, provisioning and last snapshots; new groups' names. */
  private async read(connectionId: string, userIds: string[], groupNames: Map<string, string>): Promise<Map<string, UserReads>> {
    const keys = connectionKeys(this.prefix, connectionId);
    const pipeline = this.redis.pipeline();
    for (const userId of userIds) pipeline.smembers(keys.memberOf(userId)).hmget(keys.prov(userId), 'generation', 'userName', 'appRole');
    // The snapshots are audit keys: another slot on a Cluster, so a pipeline of their own.
    const snapshots = this.redis.pipeline();
    for (const userId of userIds) snapshots.get(this.store.keys.snapshot(connectionId, userId));
    const [users, own, snaps] = await Promise.all([this.resources.getMany(connectionId, 'User', userIds), pipeline.exec(), snapshots.exec()]);
    const rows = userIds.flatMap((_, i) => [own![i * 2]!, own![i * 2 + 1]!, snaps![i]!]);
    const byId = new Map(users.map((u) => [u.resource.id, u.resource]));
    const reads = new Map<string, UserReads>();
    const unknownGroups = new Set<string>();
    userIds.forEach((userId, i) => {
      const [groupIds, prov, previous] = [0, 1, 2].map((k) => {
        const [error, value] = rows![i * 3 + k]!;
        if (error) throw error;
        return value;
      }) as [string[], Array<string | null>, string | null];
      for (const g of groupIds) if (!groupNames.has(g)) unknownGroups.add(g);
      reads.set(userId, { stored: byId.get(userId) ?? null, groupIds, prov, previous });
    });
    for (const group of await this.resources.getMany(connectionId, 'Group', [...unknownGroups])) {
      groupNames.set(group.resource.id, String(group.resource.displayName));
    }
    return reads;
  }
}

function changeOf(ctx: AuditRequest, userId: string, request: string, at: string, reads: UserReads, groupNames: Map<string, string>) {
  const { stored, groupIds, prov, previous } = reads;
  // A group deleted between the reads is no longer one of the user's groups.
  const groups = groupIds.filter((g) => groupNames.has(g)).map((g) => groupNames.get(g)!);
  const after = snapshotOf(stored, groups);
  const before = previous ? (JSON.parse(previous) as Snapshot) : null;
  const changes = diff(before, after);
  // No SCIM role before means the connection's mapping chose one: the app's role is the old value.
  for (const c of changes) if (c.field === 'role' && c.from === null && before && prov[2]) c.from = prov[2];
  // A group change that did not move this user (e.g. a rename of another member) is no change.
  if (after && before && changes.length === 0 && request.includes('/Groups')) return null;
  const email = (stored ? appEmail(stored as Parameters<typeof appEmail>[0]) : undefined) ?? prov[1]?.toLowerCase() ?? before?.userName?.toLowerCase() ?? userId;
  const change: Omit<AuditChange, 'id'> = {
    at, connectionId: ctx.connectionId, userId, email, tokenId: ctx.tokenId, requestId: ctx.requestId, request,
    action: actionOf(before, after, changes), changes, generation: Number(prov[0] ?? 0), outcome: 'pending',
  };
  return { change, after };
}
