/**
 * Durable Redis for the benches. `everysec` is test/support/redis.ts as the tests use it; `always`
 * the same server with `--appendfsync always` (every write fsynced before the
 * reply), the setting a deployment that may lose no acknowledged SCIM write would choose.
 */
import type { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../../test/support/redis.ts';

export type Fsync = 'everysec' | 'always';

export function startBenchRedis(fsync: Fsync): Promise<TestRedis> {
  return startRedis({ appendfsync: fsync });
}

/** One field of INFO (e.g. `used_memory` from section `memory`), as a string. */
export async function redisInfo(redis: Redis, section: string, field: string): Promise<string | undefined> {
  const text = await redis.info(section);
  const line = text.split(/\r?\n/).find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1);
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number(await redisInfo(redis, 'memory', 'used_memory'));
}
