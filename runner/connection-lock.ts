/**
 * One driver per connection across all worker processes: a Redis lock (SET NX PX) renewed while
 * the job runs. Two workers driving the same admin account at once would fight over its session
 * and its pages. The TTL bounds how long a crashed worker blocks the connection.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectionLockKey } from '../core/store/keys.ts';

// Renew or release only a lock we still own (compare the owner token first).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface ConnectionLockOptions {
  redis: Redis;
  prefix: string;
  /** Lock lifetime without renewal. Default 30 000 ms; renewed every third of it. */
  ttlMs?: number;
}

export interface HeldLock {
  /** Aborts when the lock is lost (renewal found another owner or failed past the TTL). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export class ConnectionLocks {
  private readonly ttlMs: number;

  constructor(private readonly options: ConnectionLockOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
  }

  key(connectionId: string): string {
    return connectionLockKey(this.options.prefix, connectionId);
  }

  /** The held lock, or null when another job holds it. */
  async acquire(connectionId: string): Promise<HeldLock | null> {
    const key = this.key(connectionId);
    const owner = randomUUID();
    const ok = await this.options.redis.set(key, owner, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') return null;
    const controller = new AbortController();
    let lastRenewed = Date.now();
    const timer = setInterval(() => {
      this.options.redis.eval(RENEW, 1, key, owner, this.ttlMs).then((renewed) => {
        if (renewed === 1) lastRenewed = Date.now();
        else controller.abort(new Error(`lost the lock of connection ${connectionId}`));
      }, () => {
        if (Date.now() - lastRenewed > this.ttlMs) controller.abort(new Error(`could not renew the lock of connection ${connectionId}`));
      });
    }, Math.max(100, Math.floor(this.ttlMs / 3)));
    timer.unref();
    return {
      lost: controller.signal,
      release: async () => {
        clearInterval(timer);
        await this.options.redis.eval(RELEASE, 1, key, owner);
      },
    };
  }
}
