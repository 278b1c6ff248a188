/**
 * Which runs are going, and whether the worker process running each is still alive, so that the
 * runs of a killed worker are closed by whoever notices first (runner/reaper.ts) instead of staying
 * "running". Each worker process has an instance id (new per process, so a restarted process with
 * the same host and pid is not taken for the dead one) and keeps `<prefix>:worker-alive:<instance>`
 * alive with a TTL. `<prefix>:runs:live` maps every open run to the instance running it.
 * Closing a run takes it out of that map first, atomically: exactly one closer wins, so a run is
 * never sealed twice (by its own worker and a reaper, or by two reapers).
 */
import type { Redis } from 'ioredis';
import { runKeys } from '../store/keys.ts';

// KEYS: live map. ARGV: runId, instance. Takes the run only if that instance still has it.
const CLAIM_IF_OWNED = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

export class RunLiveness {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private liveKey(): string {
    return runKeys(this.prefix).live;
  }

  private aliveKey(instance: string): string {
    return runKeys(this.prefix).workerAlive(instance);
  }

  /** Says `instance` is alive for `ttlMs` more. */
  async beat(instance: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.aliveKey(instance), String(Date.now()), 'PX', ttlMs);
  }

  /** A clean shutdown: the instance's runs are all closed, its heartbeat can go at once. */
  async stop(instance: string): Promise<void> {
    await this.redis.del(this.aliveKey(instance));
  }

  async track(runId: string, instance: string): Promise<void> {
    await this.redis.hset(this.liveKey(), runId, instance);
  }

  /** Takes `runId` out of the open runs; true when this caller did (and so closes it). */
  async claim(runId: string): Promise<boolean> {
    return (await this.redis.hdel(this.liveKey(), runId)) === 1;
  }

  /** Whether `runId` is still open (tracked). */
  async isOpen(runId: string): Promise<boolean> {
    return (await this.redis.hexists(this.liveKey(), runId)) === 1;
  }

  /**
   * Claims every open run whose instance has no heartbeat left, except `self`'s; returns their ids.
   * An instance id is never reused, so one found dead stays dead.
   */
  async claimOrphans(self: string): Promise<string[]> {
    const live = await this.redis.hgetall(this.liveKey());
    const instances = [...new Set(Object.values(live))].filter((i) => i !== self);
    if (instances.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const instance of instances) pipeline.exists(this.aliveKey(instance));
    const rows = (await pipeline.exec()) ?? [];
    const dead = new Set(instances.filter((_, i) => rows[i]?.[0] == null && rows[i]?.[1] === 0));
    const claimed: string[] = [];
    for (const [runId, instance] of Object.entries(live)) {
      if (!dead.has(instance)) continue;
      if ((await this.redis.eval(CLAIM_IF_OWNED, 1, this.liveKey(), runId, instance)) === 1) claimed.push(runId);
    }
    return claimed;
  }
}
