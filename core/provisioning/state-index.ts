/**
 * Which users of a connection are in which provisioning state, as one sorted set per state
 * (`<base>:prov-state:<state>`, scored by when the user entered it; for `pending`, when the change
 * arrived). Every script that changes a state moves the user between the sets in the same call, so
 * counts, the failed list and the stuck list cost O(those users), not a read of every user: the
 * console's overview stays cheap at 100k users per connection.
 */
import type { Redis } from 'ioredis';
import { connectionKeys } from '../store/keys.ts';
import { LIST_INDEX_LUA } from './list-index.ts';
import type { ProvisioningState, ProvisioningStateName } from './state.ts';

export const STATE_NAMES: readonly ProvisioningStateName[] = ['pending', 'in_sync', 'failed', 'removed'];

/**
 * Lua: `moveState(prefix, id, state, score, keepScore)` puts `id` in the set of `state` and takes
 * it out of the others. `keepScore` keeps the score of a user already there (a retried pending
 * change keeps the time its change arrived).
 */
export const MOVE_STATE_LUA = `${LIST_INDEX_LUA}
local function moveState(prefix, id, state, score, keepScore)
  for _, s in ipairs({${STATE_NAMES.map((s) => `'${s}'`).join(', ')}}) do
    if s ~= state then redis.call('ZREM', prefix .. s, id) end
  end
  if keepScore then redis.call('ZADD', prefix .. state, 'NX', score, id)
  else redis.call('ZADD', prefix .. state, score, id) end
  -- The console's sorted users list moves with the state (list-index.ts).
  indexListedFromStates(prefix, id, score)
end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/** ARGV: prov key prefix, state prefix, then (id, state, score) triples read by the caller. */
const REBUILD_SCRIPT = `${MOVE_STATE_LUA}
for i = 3, #ARGV, 3 do
  local id, state = ARGV[i], ARGV[i + 1]
  -- A run or a change since the caller read the state has placed the user itself.
  if redis.call('HGET', ARGV[1] .. id, 'state') == state then moveState(ARGV[2], id, state, ARGV[i + 2], true) end
end
return 1`;

const BATCH = 500;

export function stateSetPrefix(prefix: string, connectionId: string): string {
  return `${connectionKeys(prefix, connectionId).base}:prov-state:`;
}

type ReadStates = (ids: string[]) => Promise<Map<string, ProvisioningState>>;

export class ProvisioningStateIndex {
  /** Connections whose index this process has seen complete. */
  private readonly ready = new Set<string>();

  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private readyKey(connectionId: string) {
    return `${connectionKeys(this.prefix, connectionId).base}:prov-state-index`;
  }

  /**
   * Builds the index once for users stored before it existed (a Redis written by an older
   * scimwright); later changes keep it up to date themselves.
   */
  async ensure(connectionId: string, userIds: () => Promise<string[]>, read: ReadStates): Promise<void> {
    if (this.ready.has(connectionId)) return;
    if (!(await this.redis.exists(this.readyKey(connectionId))) && !(await this.complete(connectionId))) {
      const keys = connectionKeys(this.prefix, connectionId);
      const ids = await userIds();
      for (let i = 0; i < ids.length; i += BATCH) {
        const states = await read(ids.slice(i, i + BATCH));
        const args = [...states].flatMap(([id, s]) => [id, s.state, String(Date.parse(s.changedAt ?? s.lastRunAt ?? '') || 0)]);
        if (args.length > 0) await this.redis.eval(REBUILD_SCRIPT, 1, keys.base, keys.prov(''), stateSetPrefix(this.prefix, connectionId), ...args);
      }
      await this.redis.set(this.readyKey(connectionId), '1');
    }
    this.ready.add(connectionId);
  }

  /** Every user with a state is in a set: a connection made since the index exists needs no build. */
  private async complete(connectionId: string): Promise<boolean> {
    const [counts, users] = await Promise.all([this.counts(connectionId), this.redis.scard(connectionKeys(this.prefix, connectionId).provIndex)]);
    return Object.values(counts).reduce((a, b) => a + b, 0) === users;
  }

  async counts(connectionId: string): Promise<Record<ProvisioningStateName, number>> {
    const base = stateSetPrefix(this.prefix, connectionId);
    const pipeline = this.redis.pipeline();
    for (const state of STATE_NAMES) pipeline.zcard(base + state);
    const rows = (await pipeline.exec()) ?? [];
    return Object.fromEntries(STATE_NAMES.map((state, i) => [state, Number(rows[i]?.[1] ?? 0)])) as Record<ProvisioningStateName, number>;
  }

  /** Users in `state`, longest there first; `before` (ms) keeps those who entered it earlier. */
  async ids(connectionId: string, state: ProvisioningStateName, options: { before?: number; limit?: number } = {}): Promise<string[]> {
    const max = options.before === undefined ? '+inf' : `(${options.before}`;
    const limit = options.limit ?? -1;
    return this.redis.zrangebyscore(stateSetPrefix(this.prefix, connectionId) + state, '-inf', max, 'LIMIT', 0, limit);
  }

  /**
   * How many users entered in_sync, failed or removed at or after `since` (ms), and when the first
   * of them did: the measured pace of an import.
   */
  async settledSince(connectionId: string, since: number): Promise<{ count: number; first?: number }> {
    const base = stateSetPrefix(this.prefix, connectionId);
    const settled: ProvisioningStateName[] = ['in_sync', 'failed', 'removed'];
    const pipeline = this.redis.pipeline();
    for (const state of settled) pipeline.zcount(base + state, since, '+inf').zrangebyscore(base + state, since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
    const rows = (await pipeline.exec()) ?? [];
    let count = 0;
    let first: number | undefined;
    settled.forEach((_state, i) => {
      count += Number(rows[2 * i]?.[1] ?? 0);
      const head = rows[2 * i + 1]?.[1] as string[] | undefined;
      if (head?.[1] !== undefined) first = Math.min(first ?? Infinity, Number(head[1]));
    });
    return first === undefined ? { count } : { count, first };
  }

  /** How many users are in `state` since before `before` (ms). */
  async countBefore(connectionId: string, state: ProvisioningStateName, before: number): Promise<number> {
    return this.redis.zcount(stateSetPrefix(this.prefix, connectionId) + state, '-inf', `(${before}`);
  }
}
