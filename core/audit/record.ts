/**
 * Turns an accepted SCIM request into audit changes: what the user looks like now against what
 * the audit saw last (active, role, userName, displayName, groups) gives the action and old → new.
 */
import type { Redis } from 'ioredis';
import { appEmail } from '../provisioning/desired.ts';
import { connectionKeys } from '../store/keys.ts';
import { ResourceStore, type ScimResource } from '../store/resource-store.ts';
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

export class AuditRecorder {
  readonly store: AuditStore;
  private readonly resources: ResourceStore;

  constructor(private readonly redis: Redis, private readonly prefix: string) {
    this.store = new AuditStore(redis, prefix);
    this.resources = new ResourceStore(redis, prefix);
  }

  /** Called once per accepted SCIM request, after it is stored and before its converge is queued. */
  async recordRequest(ctx: AuditRequest, userIds: string[], request: string): Promise<void> {
    const at = new Date().toISOString();
    const changes: Array<Omit<AuditChange, 'id'>> = [];
    const snapshots = this.redis.pipeline();
    for (const userId of userIds) {
      const change = await this.changeOf(ctx, userId, request, at);
      if (!change) continue;
      changes.push(change.change);
      const key = this.store.keys.snapshot(ctx.connectionId, userId);
      if (change.after) snapshots.set(key, JSON.stringify(change.after));
      else snapshots.del(key);
    }
    await this.store.append(changes);
    await snapshots.exec();
  }

  private async changeOf(ctx: AuditRequest, userId: string, request: string, at: string) {
    const keys = connectionKeys(this.prefix, ctx.connectionId);
    const [stored, groupIds, prov, previous] = await Promise.all([
      this.resources.get(ctx.connectionId, 'User', userId),
      this.redis.smembers(keys.memberOf(userId)),
      this.redis.hmget(keys.prov(userId), 'generation', 'userName', 'appRole'),
      this.redis.get(this.store.keys.snapshot(ctx.connectionId, userId)),
    ]);
    const groups = await this.resources.getMany(ctx.connectionId, 'Group', groupIds);
    const after = snapshotOf(stored?.resource ?? null, groups.map((g) => String(g.resource.displayName)));
    const before = previous ? (JSON.parse(previous) as Snapshot) : null;
    const changes = diff(before, after);
    // No SCIM role before means the connection's mapping chose one: the app's role is the old value.
    for (const c of changes) if (c.field === 'role' && c.from === null && before && prov[2]) c.from = prov[2];
    // A group change that did not move this user (e.g. a rename of another member) is no change.
    if (after && before && changes.length === 0 && request.includes('/Groups')) return null;
    const email = (stored ? appEmail(stored.resource as Parameters<typeof appEmail>[0]) : undefined) ?? prov[1]?.toLowerCase() ?? before?.userName?.toLowerCase() ?? userId;
    const change: Omit<AuditChange, 'id'> = {
      at, connectionId: ctx.connectionId, userId, email, tokenId: ctx.tokenId, requestId: ctx.requestId, request,
      action: actionOf(before, after, changes), changes, generation: Number(prov[0] ?? 0), outcome: 'pending',
    };
    return { change, after };
  }
}
