/**
 * Servers a whole test file shares: started in `before`, stopped in `after`, so each file has its
 * own and no test leaves one running. Read the getters inside tests, once `before` has run.
 */
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { startGateway, type TestGateway } from './gateway.ts';
import { startRedis, type TestRedis } from './redis.ts';

/** A private Redis and one client. */
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

/** A private Redis and one Chromium (Debian's, see runner/browser/chromium.ts). */
export function redisAndBrowserPerFile(): { readonly redis: TestRedis; readonly browser: Browser } {
  let redis: TestRedis | undefined;
  let browser: Browser | undefined;
  before(async () => {
    [redis, browser] = await Promise.all([startRedis(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await redis?.stop();
  });
  return {
    get redis() { return redis!; },
    get browser() { return browser!; },
  };
}

/** A private Redis and a gateway on it (test/support/gateway.ts: in-memory queue, no worker). */
export function gatewayPerFile(): { readonly gw: TestGateway } {
  let redis: TestRedis | undefined;
  let gw: TestGateway | undefined;
  before(async () => {
    redis = await startRedis();
    gw = await startGateway(redis.url);
  });
  after(async () => {
    await gw?.close();
    await redis?.stop();
  });
  return { get gw() { return gw!; } };
}
