/**
 * Starts a private redis-server on a free loopback port for one test file. No test uses a Redis
 * it did not start, so tests never share keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer, type RedisServerOptions } from '../../core/platform/embedded-redis.ts';

export { freePort };

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export async function startRedis(options: Omit<RedisServerOptions, 'dir'> = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'scimwright-redis-'));
  const server = await startRedisServer({ ...options, dir });
  return {
    ...server,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
