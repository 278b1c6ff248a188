/**
 * A user's provisioning state, kept in its own Redis hash beside the SCIM resource so that the
 * runner's bookkeeping never changes the resource's version (ETag). It outlives a deleted user:
 * the runner still needs the userName to carry the removal out.
 */
import type { Redis } from 'ioredis';
import { AuditRecorder } from '../audit/record.ts';
import { connectionKeys } from '../store/keys.ts';
import type { ReadJoin } from '../store/read-script.ts';
import { ProvisioningListIndex } from './list-index.ts';
import { MOVE_STATE_LUA, ProvisioningStateIndex, STATE_NAMES, stateSetPrefix } from './state-index.ts';

export type ProvisioningStateName = 'pending' | 'in_sync' | 'failed' | 'removed';

export interface ProvisioningState {
  state: ProvisioningStateName;
  /** Bumped by every accepted change to the user's desired state. */
  generation: number;
  /** The generation the last successful run converged. */
  appliedGeneration: number;
  userName?: string;
  deleted: boolean;
  appRole?: string;
  /** Email the app knows the user by, as last applied (a userName change removes the old one). */
  appliedEmail?: string;
  lastRunAt?: string;
  lastRunId?: string;
  lastError?: string;
  lastErrorReason?: string;
  changedAt?: string;
  /** The SCIM request that last changed the user, and the token that made it. */
  requestId?: string;
  tokenId?: string;
}

/** What a SCIM client is shown of the state (core/directory/render.ts provisioningView). */
export type ProvisioningView = Pick<ProvisioningState, 'state' | 'appRole' | 'lastRunAt' | 'lastError'>;
const VIEW_FIELDS = ['state', 'appRole', 'lastRunAt', 'lastError'] as const;

export class ProvisioningStore {
  /** Users by state, kept by the scripts below and the save script (state-index.ts). */
  private readonly index: ProvisioningStateIndex;
  /** The console's sorted users list, kept by the same scripts (list-index.ts). */
  private readonly list: ProvisioningListIndex;
  /** The audit log: changes are recorded by the directory, and settled here when a run closes. */
  readonly audit: AuditRecorder;

  constructor(private readonly redis: Redis, private readonly prefix: string) {
    this.index = new ProvisioningStateIndex(redis, prefix);
    this.list = new ProvisioningListIndex(redis, prefix);
    this.audit = new AuditRecorder(redis, prefix);
  }

  /** The state index of the connection, built first if this Redis predates it. */
  async stateIndex(connectionId: string): Promise<ProvisioningStateIndex> {
    await this.index.ensure(connectionId, () => this.userIds(connectionId), (ids) => this.getMany(connectionId, ids));
    return this.index;
  }

  /** The sorted users list of the connection, built first if this Redis predates it. */
  async listIndex(connectionId: string): Promise<ProvisioningListIndex> {
    await this.list.ensure(connectionId, () => this.userIds(connectionId), async (ids) => new Map([...await this.getMany(connectionId, ids)]
      .map(([id, s]) => [id, Math.max(Date.parse(s.changedAt ?? '') || 0, Date.parse(s.lastRunAt ?? '') || 0)])));
    return this.list;
  }

  async get(connectionId: string, userId: string): Promise<ProvisioningState | null> {
    const raw = await this.redis.hgetall(connectionKeys(this.prefix, connectionId).prov(userId));
    return Object.keys(raw).length === 0 ? null : parse(raw);
  }

  async getMany(connectionId: string, userIds: string[]): Promise<Map<string, ProvisioningState>> {
    const keys = connectionKeys(this.prefix, connectionId);
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.hgetall(keys.prov(id));
    const rows = (await pipeline.exec()) ?? [];
    const out = new Map<string, ProvisioningState>();
    rows.forEach(([error, raw], i) => {
      const id = userIds[i];
      if (!error && id && raw && Object.keys(raw).length > 0) out.set(id, parse(raw as Record<string, string>));
    });
    return out;
  }

  /** Reads the view's fields beside each user a list reads (ResourceStore.pageJoined), not the whole hash. */
  viewJoin(connectionId: string): ReadJoin {
    return { kind: 'hash', prefix: connectionKeys(this.prefix, connectionId).prov(''), fields: [...VIEW_FIELDS] };
  }

  /** The view from the values viewJoin read; null when the user has no state (as get() would say). */
  static viewOf(values: unknown): ProvisioningView | null {
    const raw = Array.isArray(values) ? (values as Array<string | null>) : [];
    if (raw.every((v) => v === null || v === undefined)) return null;
    const [state, appRole, lastRunAt, lastError] = raw;
    return {
      state: (state as ProvisioningStateName | null) ?? 'pending',
      ...(appRole != null ? { appRole } : {}),
      ...(lastRunAt != null ? { lastRunAt } : {}),
      ...(lastError != null ? { lastError } : {}),
    };
  }

  /** How many users have a provisioning state. */
  async count(connectionId: string): Promise<number> {
    return this.redis.scard(connectionKeys(this.prefix, connectionId).provIndex);
  }

  /** Every user id that has (or had) a provisioning state: the drift scan's work list. */
  async userIds(connectionId: string): Promise<string[]> {
    return this.redis.smembers(connectionKeys(this.prefix, connectionId).provIndex);
  }

  /**
   * Records a run's outcome. `appliedGeneration` only moves forward, and the state becomes
   * in_sync/removed only if no newer change arrived while the run was going (it stays pending).
   */
  async recordRun(connectionId: string, userId: string, outcome: RunOutcome): Promise<void> {
    const key = connectionKeys(this.prefix, connectionId).prov(userId);
    await this.redis.eval(RECORD_SCRIPT, 1, key, JSON.stringify(outcome), stateSetPrefix(this.prefix, connectionId), userId);
    await this.audit.store.settle(connectionId, userId, outcome);
  }

  /** Forgets a removed user once the app no longer has them. */
  async forget(connectionId: string, userId: string): Promise<void> {
    const keys = connectionKeys(this.prefix, connectionId);
    const states = stateSetPrefix(this.prefix, connectionId);
    await this.list.forget(connectionId, userId);
    const tx = this.redis.multi().del(keys.prov(userId)).srem(keys.provIndex, userId);
    for (const state of STATE_NAMES) tx.zrem(states + state, userId);
    await tx.exec();
  }
}

export interface RunOutcome {
  /** The generation the run read at its start. */
  generation: number;
  ok: boolean;
  removed?: boolean;
  appRole?: string;
  appliedEmail?: string;
  runId: string;
  at: string;
  error?: string;
  reason?: string;
  /** A failure no retry will follow (permanent, or the last attempt); others leave the state pending. */
  final?: boolean;
}

// ARGV: outcome JSON, state set prefix, user id.
const RECORD_SCRIPT = `${MOVE_STATE_LUA}
local o = cjson.decode(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'lastRunAt', o.at, 'lastRunId', o.runId)
local current = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
if o.ok then
  local applied = tonumber(redis.call('HGET', KEYS[1], 'appliedGeneration') or '0')
  if o.generation > applied then redis.call('HSET', KEYS[1], 'appliedGeneration', o.generation) end
  redis.call('HDEL', KEYS[1], 'lastError', 'lastErrorReason')
  if o.appRole then redis.call('HSET', KEYS[1], 'appRole', o.appRole) end
  if o.appliedEmail then redis.call('HSET', KEYS[1], 'appliedEmail', o.appliedEmail) end
  if o.removed then redis.call('HDEL', KEYS[1], 'appRole', 'appliedEmail') end
  if o.generation >= current then
    local state = o.removed and 'removed' or 'in_sync'
    redis.call('HSET', KEYS[1], 'state', state)
    moveState(ARGV[2], ARGV[3], state, nowMs(), false)
  end
else
  redis.call('HSET', KEYS[1], 'lastError', o.error or 'unknown error', 'lastErrorReason', o.reason or 'error')
  if o.generation >= current then
    local state = o.final and 'failed' or 'pending'
    redis.call('HSET', KEYS[1], 'state', state)
    moveState(ARGV[2], ARGV[3], state, nowMs(), state == 'pending')
  end
end
return 1`;

function parse(raw: Record<string, string>): ProvisioningState {
  const state: ProvisioningState = {
    state: (raw.state as ProvisioningStateName | undefined) ?? 'pending',
    generation: Number(raw.generation ?? 0),
    appliedGeneration: Number(raw.appliedGeneration ?? 0),
    deleted: raw.deleted === '1',
  };
  for (const key of ['userName', 'appRole', 'appliedEmail', 'lastRunAt', 'lastRunId', 'lastError', 'lastErrorReason', 'changedAt', 'requestId', 'tokenId'] as const) {
    if (raw[key] !== undefined) state[key] = raw[key];
  }
  return state;
}
