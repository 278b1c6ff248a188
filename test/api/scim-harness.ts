/**
 * What the issue-11 API tests share: one real Redis and gateway per file (large bodies allowed,
 * no rate limit in the way), a SCIM call as a connection, and a byte-exact snapshot of a
 * connection's keys (to check a refused request changed nothing).
 */
import { after, before } from 'node:test';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { createConnection, startGateway, type TestGateway } from '../support/gateway.ts';
import { connectionKeys } from '../../core/store/keys.ts';

export type Conn = Awaited<ReturnType<typeof createConnection>>;

/** Starts Redis and the gateway before the file's tests, stops them after; read `.gw` in tests. */
export function useGateway(): { gw: TestGateway; redis: TestRedis } {
  const state = {} as { gw: TestGateway; redis: TestRedis };
  before(async () => {
    state.redis = await startRedis();
    state.gw = await startGateway(state.redis.url, { bodyLimit: 8 * 1024 * 1024, rateLimitPerMinute: 100_000 });
  });
  after(async () => {
    await state.gw.close();
    await state.redis.stop();
  });
  return state;
}

/** A SCIM request as connection `c`; a string payload is sent as it is (bodies JSON cannot build). */
export function scimCall(gw: TestGateway, c: Conn, method: string, path: string, payload?: unknown) {
  return gw.app.inject({
    method: method as 'GET', url: `${c.base}${path}`, headers: { ...c.auth, 'content-type': 'application/scim+json' },
    ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
  });
}

/** Every key of the connection with its DUMP, sorted: equal snapshots mean byte-identical data. */
export async function snapshot(gw: TestGateway, connectionId: string): Promise<string> {
  const keys = (await gw.redis.keys(`${connectionKeys(gw.config.redisPrefix, connectionId).base}:*`)).sort();
  const out: string[] = [];
  for (const key of keys) out.push(key, JSON.stringify(await gw.redis.dump(key)));
  return out.join('\n');
}

export { createConnection };
