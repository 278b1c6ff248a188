/**
 * Starts a private redis-server on a free loopback port for one test file. No test uses a Redis
 * it did not start, so tests never share keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
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

/**
 * A private Redis and one client for the whole test file, started in `before` and closed in
 * `after`. Read `.client` inside tests, once `before` has run.
 */
export function redisPerFile(): { readonly server: TestRedis; readonly client: Redis } {
  let server: TestRedis | undefined;
  let client: Redis | undefined;
  before(async () => {
    server = await startRedis();
    client = new Redis(server.url);
  });
  after(async () => {
    await client?.quit();
    await server?.stop();
  });
  return {
    get server() { return server!; },
    get client() { return client!; },
  };
}
