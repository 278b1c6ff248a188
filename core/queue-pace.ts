/**
 * How long a connection's queue will take (issue 16 item 5): "87 removals waiting, about 40 s".
 * The pace is measured per connection and kind (removals, everything else) as each user's run ends,
 * and kept in Redis so the gateway's console and /metrics see what every worker process did.
 *
 * One sample is the time since the previous run of that kind ended, or the run's own duration when
 * that is shorter: back to back (or in parallel pages) the gap between ends is the real cost per
 * job, and after an idle spell the run's own duration is, so idle time never slows the estimate.
 * Samples are smoothed (EWMA, weight 0.2), so one slow run moves it a little.
 */
import type { Redis } from 'ioredis';
import { ProvisioningStore } from './provisioning/state.ts';
import { ResourceStore } from './store/resource-store.ts';
import { connectionKeys } from './store/keys.ts';

export type PaceKind = 'removal' | 'other';
export const PACE_KINDS: readonly PaceKind[] = ['removal', 'other'];

/** Pending users read to split the waiting count by kind; beyond it the split is scaled. */
const CLASSIFY_LIMIT = 5_000;

export interface KindPace {
  /** Smoothed ms per job, when any run of this kind ended. */
  msPerJob?: number;
  samples: number;
}

export interface QueueEstimate {
  kind: PaceKind;
  waiting: number;
  msPerJob?: number;
  /** Seconds until this kind's waiting users are done at that pace (removals go first). */
  etaSeconds?: number;
}

// KEYS: pace hash. ARGV: kind, started ms, ended ms.
const RECORD_LUA = `
local kind, started, ended = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local last = tonumber(redis.call('HGET', KEYS[1], kind .. ':last') or '0')
local sample = ended - started
if last > 0 and ended - last < sample and ended > last then sample = ended - last end
if sample < 1 then sample = 1 end
local n = tonumber(redis.call('HGET', KEYS[1], kind .. ':n') or '0')
local ms = tonumber(redis.call('HGET', KEYS[1], kind .. ':ms') or '0')
if n == 0 then ms = sample else ms = 0.8 * ms + 0.2 * sample end
if ended > last then redis.call('HSET', KEYS[1], kind .. ':last', ended) end
redis.call('HSET', KEYS[1], kind .. ':ms', tostring(ms), kind .. ':n', n + 1)
return 1`;

export class QueuePace {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(connectionId: string) {
    return `${connectionKeys(this.prefix, connectionId).base}:queue-pace`;
  }

  async record(connectionId: string, kind: PaceKind, run: { startedAt: string; endedAt: string }): Promise<void> {
    const started = Date.parse(run.startedAt);
    const ended = Date.parse(run.endedAt);
    if (!Number.isFinite(started) || !Number.isFinite(ended)) return;
    await this.redis.eval(RECORD_LUA, 1, this.key(connectionId), kind, String(started), String(ended));
  }

  async read(connectionId: string): Promise<Record<PaceKind, KindPace>> {
    const raw = await this.redis.hgetall(this.key(connectionId));
    const of = (kind: PaceKind): KindPace => {
      const samples = Number(raw[`${kind}:n`] ?? 0);
      return samples > 0 ? { msPerJob: Number(raw[`${kind}:ms`]), samples } : { samples };
    };
    return { removal: of('removal'), other: of('other') };
  }

  /** Waiting users by kind with the time each kind will take; others count after the removals. */
  async estimate(connectionId: string): Promise<QueueEstimate[]> {
    const [waiting, pace] = await Promise.all([pendingByKind(this.redis, this.prefix, connectionId), this.read(connectionId)]);
    let before = 0;
    return PACE_KINDS.map((kind) => {
      const ms = pace[kind].msPerJob;
      const out: QueueEstimate = { kind, waiting: waiting[kind], ...(ms !== undefined ? { msPerJob: Math.round(ms) } : {}) };
      if (ms !== undefined) {
        before += waiting[kind] * ms;
        out.etaSeconds = Math.round(before / 1000);
      }
      return out;
    });
  }
}

/**
 * Pending users of the connection split into removals (the SCIM user is gone, deleted or
 * inactive, as runner/job-priority.ts tells them) and the rest.
 */
export async function pendingByKind(redis: Redis, prefix: string, connectionId: string): Promise<Record<PaceKind, number>> {
  const provisioning = new ProvisioningStore(redis, prefix);
  const index = await provisioning.stateIndex(connectionId);
  const total = (await index.counts(connectionId)).pending;
  if (total === 0) return { removal: 0, other: 0 };
  const ids = await index.ids(connectionId, 'pending', { limit: CLASSIFY_LIMIT });
  const [states, users] = await Promise.all([provisioning.getMany(connectionId, ids), new ResourceStore(redis, prefix).getMany(connectionId, 'User', ids)]);
  const live = new Map(users.map((u) => [u.resource.id, u.resource]));
  const removals = ids.filter((id) => states.get(id)?.deleted || !live.get(id) || live.get(id)?.active === false).length;
  const removal = ids.length === total ? removals : Math.round((removals / Math.max(ids.length, 1)) * total);
  return { removal, other: total - removal };
}
