/**
 * One gateway under test: its own durable Redis, the real app listening on a free loopback port,
 * one connection, and the two ways of loading users (over HTTP, or straight through the core).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createConnection, startGateway, type TestGateway } from '../../test/support/gateway.ts';
import type { LoadClient } from './load.ts';
import { startBenchRedis, usedMemory, type Fsync } from './redis.ts';
import type { TestRedis } from '../../test/support/redis.ts';
import { summarize } from './stats.ts';
import { benchUser } from './users.ts';

/** Prefix of the users the bench seeds; users created by the POST scenario use their own. */
export const SEED_PREFIX = 's';

export interface Fixture {
  fsync: Fsync;
  redis: TestRedis;
  gw: TestGateway;
  origin: string;
  connectionId: string;
  /** `/scim/v2/<connection>` */
  base: string;
  headers: Record<string, string>;
  /** Seeded users so far, named benchUserName(SEED_PREFIX, 0 … seeded-1). */
  seeded: number;
  baselineMemory: number;
  close(): Promise<void>;
}

export interface ListeningGateway {
  redis: TestRedis;
  gw: TestGateway;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** A bench Redis and a gateway on it, listening on a free loopback port (benches that go over HTTP). */
export async function listeningGateway(fsync: Fsync, options: Parameters<typeof startGateway>[1] = {}): Promise<ListeningGateway> {
  const redis = await startBenchRedis(fsync);
  const gw = await startGateway(redis.url, options);
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  const address = gw.app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('gateway did not listen');
  return {
    redis, gw, origin: `http://127.0.0.1:${address.port}`,
    async close() {
      await gw.close();
      await redis.stop();
    },
  };
}

export async function startFixture(fsync: Fsync): Promise<Fixture> {
  // The schema caps the rate limit at 1,000,000 a minute; no phase comes near it.
  const { redis, gw, origin, close } = await listeningGateway(fsync, { rateLimitPerMinute: 1_000_000 });
  const conn = await createConnection(gw);
  return {
    fsync, redis, gw, origin, close,
    connectionId: conn.id,
    base: conn.base,
    headers: { ...conn.auth, accept: 'application/scim+json' },
    seeded: 0,
    baselineMemory: await usedMemory(gw.redis),
  };
}

export interface SeedReport {
  method: 'POST /Users' | 'core directory.users.create';
  users: number;
  seconds: number;
  usersPerSecond: number;
  concurrency: number;
}

/** Seeds `count` users over HTTP, through the whole gateway. */
export async function seedOverHttp(fx: Fixture, client: LoadClient, count: number, concurrency: number): Promise<SeedReport> {
  const result = await client.run({
    origin: fx.origin, headers: fx.headers, concurrency, warmup: 0, count, expectStatus: 201,
    plan: { kind: 'post', path: `${fx.base}/Users`, userPrefix: SEED_PREFIX, firstIndex: fx.seeded },
  });
  if (result.errors > 0) throw new Error(`seeding over HTTP: ${result.errors} failures, first: ${result.firstError}`);
  fx.seeded += count;
  return seedReport('POST /Users', count, result.elapsedMs, concurrency);
}

/**
 * Seeds up to `total` users by calling the directory service directly: the same validation,
 * Lua save, history and converge enqueue as a POST, minus HTTP, auth and rendering the reply.
 */
export async function seedThroughCore(fx: Fixture, total: number, concurrency: number): Promise<SeedReport> {
  const connection = await fx.gw.core.connections.get(fx.connectionId);
  if (!connection) throw new Error('bench connection vanished');
  const ctx = { connectionId: connection.id, baseUrl: `${fx.origin}${fx.base}`, tokenId: connection.token.id };
  const from = fx.seeded;
  let next = from;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      await fx.gw.core.directory.users.create({ ...ctx, requestId: randomUUID() }, benchUser(SEED_PREFIX, i));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  fx.seeded = total;
  return seedReport('core directory.users.create', total - from, performance.now() - started, concurrency);
}

function seedReport(method: SeedReport['method'], users: number, ms: number, concurrency: number): SeedReport {
  return { method, users, seconds: Number((ms / 1000).toFixed(2)), usersPerSecond: ms > 0 ? Math.round((users * 1000) / ms) : 0, concurrency };
}

export interface MemoryReport {
  users: number;
  usedMemoryBytes: number;
  /** (used_memory − used_memory before seeding) per 1,000 stored users. */
  bytesPer1kUsers: number;
  aofBytes: number;
}

/** Users stored now (seeded plus those the POST scenario created). */
export function storedUsers(fx: Fixture): Promise<number> {
  return fx.gw.core.directory.resources.count(fx.connectionId, 'User');
}

export async function memoryReport(fx: Fixture): Promise<MemoryReport> {
  const users = await storedUsers(fx);
  const used = await usedMemory(fx.gw.redis);
  return {
    users,
    usedMemoryBytes: used,
    bytesPer1kUsers: Math.round(((used - fx.baselineMemory) * 1000) / users),
    aofBytes: directorySize(fx.redis.dir),
  };
}

/** Bytes under a directory (Redis 7 keeps the AOF as several files in appendonlydir/). */
function directorySize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    total += stat.isDirectory() ? directorySize(path) : stat.size;
  }
  return total;
}

export interface RoundTrip {
  getP50Ms: number;
  incrP50Ms: number;
  incrP95Ms: number;
}

/**
 * One GET and one INCR at a time, straight to this Redis: under `always` the INCR's reply waits
 * for an fsync, so the difference is this disk's fsync cost, the unit the durability table pays.
 */
export async function redisRoundTrips(fx: Fixture, n = 500): Promise<RoundTrip> {
  const key = `${fx.gw.config.redisPrefix}:bench:probe`;
  const time = async (op: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await op();
      samples.push(performance.now() - started);
    }
    return summarize(samples, 0);
  };
  const get = await time(() => fx.gw.redis.get(key));
  const incr = await time(() => fx.gw.redis.incr(key));
  await fx.gw.redis.del(key);
  return { getP50Ms: get.p50Ms, incrP50Ms: incr.p50Ms, incrP95Ms: incr.p95Ms };
}
