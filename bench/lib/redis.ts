/**
 * Durable Redis for the benches. `everysec` is test/support/redis.ts as the tests use it; `always`
 * is started here with the same flags but `--appendfsync always` (every write fsynced before the
 * reply), the setting a deployment that may lose no acknowledged SCIM write would choose.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { freePort, startRedis, type TestRedis } from '../../test/support/redis.ts';

export type Fsync = 'everysec' | 'always';

export async function startBenchRedis(fsync: Fsync): Promise<TestRedis> {
  return fsync === 'everysec' ? startRedis() : startRedisFsyncAlways();
}

async function startRedisFsyncAlways(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'scimwright-bench-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
    '--appendfsync', 'always', '--dir', dir, '--daemonize', 'no', '--loglevel', 'notice',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${seen}`)), 10_000);
    timer.unref();
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (/ready to accept connections/i.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${seen}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
