/**
 * The safety net behind coalescing, and the drift-scan hook. It re-enqueues users whose change has
 * waited longer than `staleMs` without a run converging it (a request lost between a job's last
 * check and its removal, a Redis failover, an enqueue that failed after the SCIM answer). With
 * `drift: true` it enqueues every user in sync too, so the app is compared with the desired state.
 */
import type { Redis } from 'ioredis';
import type { ConnectionStore } from '../core/connections/store.ts';
import type { ProvisioningStore } from '../core/provisioning/state.ts';
import type { ConvergeQueue, ConvergeRequest } from '../core/queue.ts';
import { MIN_WAITING, type MemberSnapshots } from './member-snapshot.ts';

const BATCH = 500;

export interface SweepDeps {
  connections: ConnectionStore;
  provisioning: ProvisioningStore;
  queue: ConvergeQueue;
  /** When given, a round that enqueues MIN_WAITING or more users of a connection has their jobs read its member list once (member-snapshot.ts). */
  snapshots?: Pick<MemberSnapshots, 'request'>;
}

export interface SweepOptions {
  /** How long a pending change may wait before the sweep re-enqueues it. Default 60 000 ms. */
  staleMs?: number;
  /** Also enqueue users in sync (drift scan). Default false. */
  drift?: boolean;
  /** Only this connection. Default all. */
  connectionId?: string;
  now?: number;
}

/** Enqueues what needs a run and returns how many users it enqueued. */
export async function sweepOnce(deps: SweepDeps, options: SweepOptions = {}): Promise<number> {
  const now = options.now ?? Date.now();
  const staleMs = options.staleMs ?? 60_000;
  const connections = options.connectionId ? [options.connectionId] : (await deps.connections.list()).map((c) => c.id);
  let enqueued = 0;
  for (const connectionId of connections) {
    // The state index hands over only the candidates: pending since before the cut-off (and, for a
    // drift scan, everyone in sync), not every user of the connection every minute.
    const index = await deps.provisioning.stateIndex(connectionId);
    const ids = [
      ...(await index.ids(connectionId, 'pending', { before: now - staleMs + 1 })),
      ...(options.drift === true ? await index.ids(connectionId, 'in_sync') : []),
    ];
    // Asked before the jobs go in, so the first of them already reads the list instead of searching.
    if (ids.length >= MIN_WAITING) await deps.snapshots?.request(connectionId);
    for (let i = 0; i < ids.length; i += BATCH) {
      const states = await deps.provisioning.getMany(connectionId, ids.slice(i, i + BATCH));
      const due: ConvergeRequest[] = [];
      for (const [userId, state] of states) {
        const changedAt = state.changedAt ? Date.parse(state.changedAt) : 0;
        const stale = state.state === 'pending' && state.generation > state.appliedGeneration && now - changedAt >= staleMs;
        const drift = options.drift === true && state.state === 'in_sync';
        if (stale || drift) due.push({ connectionId, userId });
      }
      await deps.queue.enqueue(due);
      enqueued += due.length;
    }
  }
  return enqueued;
}

/** Runs sweepOnce every `intervalMs` in one worker process at a time (a Redis lock per round). */
export function scheduleSweep(
  redis: Redis, lockKey: string, intervalMs: number, run: () => Promise<unknown>, onError: (error: unknown) => void,
): () => void {
  const timer = setInterval(() => {
    redis.set(lockKey, '1', 'PX', Math.max(1, intervalMs - 100), 'NX')
      .then((ok) => (ok === 'OK' ? run() : undefined))
      .catch(onError);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
