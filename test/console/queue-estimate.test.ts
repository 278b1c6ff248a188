/**
 * The connection page's queue estimate and its /metrics twin, in real Chromium against the real
 * stack (issue 16 item 5). Waiting users are seeded through the stores (3 leavers, 5 others, no
 * job each) and the pace is recorded as the worker records it when a user's run ends
 * (core/queue-pace.ts), so the figures are known. Screenshot: /tmp/console-queue-estimate.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { QueuePace } from '../../core/queue-pace.ts';
import { connectionKeys } from '../../core/store/keys.ts';
import { ResourceStore } from '../../core/store/resource-store.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { ConsolePage } from './console.page.ts';
import { ADMIN_TOKEN, addUxpinConnection, startStack, type Stack } from './stack.ts';

const SHOTS = process.env.CONSOLE_USERS_SHOTS === '0' ? undefined : '/tmp';
let redis: TestRedis;
let browser: Browser;
let stack: Stack;

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

before(async () => {
  [redis, browser] = await Promise.all([startRedis(), launchChromium()]);
  stack = await startStack(redis, browser);
  await addUxpinConnection(stack, 'acme');
  const resources = new ResourceStore(stack.redis, stack.config.redisPrefix);
  const keys = connectionKeys(stack.config.redisPrefix, 'acme');
  for (let i = 0; i < 8; i++) {
    const id = `q-${i}`;
    const userName = `q${i}@example.com`;
    const resource = { id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: i >= 3 };
    await resources.create('acme', 'User', resource, { bump: [{ id, key: keys.prov(id), fields: ['userName', userName, 'deleted', '0'] }] });
  }
});

after(async () => {
  await stack?.close();
  await browser?.close();
  await redis?.stop();
});

test('the pace ignores idle time: a sample is the gap since the last end, or the run itself when shorter', async () => {
  const pace = new QueuePace(stack.redis, `${stack.config.redisPrefix}x`);
  await pace.record('c', 'removal', { startedAt: at(0), endedAt: at(400) });
  await pace.record('c', 'removal', { startedAt: at(350), endedAt: at(700) }); // back to back: 300 ms since the last end
  assert.equal(Math.round((await pace.read('c')).removal.msPerJob!), 0.8 * 400 + 0.2 * 300);
  await pace.record('c', 'removal', { startedAt: at(60_000), endedAt: at(60_500) }); // after a minute idle: its own 500 ms
  assert.equal(Math.round((await pace.read('c')).removal.msPerJob!), Math.round(0.8 * 380 + 0.2 * 500));
  assert.equal((await pace.read('c')).other.samples, 0);
});

test('the connection page says how many removals and other changes wait and about how long each takes; /metrics exports the pace', async () => {
  const pace = new QueuePace(stack.redis, stack.config.redisPrefix);
  await pace.record('acme', 'removal', { startedAt: at(0), endedAt: at(400) });
  await pace.record('acme', 'other', { startedAt: at(0), endedAt: at(2_000) });
  const page = await browser.newPage();
  try {
    const consolePage = new ConsolePage(page, stack.url);
    await consolePage.login(ADMIN_TOKEN, '/console/connections/acme/users');
    const queue = page.getByRole('region', { name: 'Queue' });
    await queue.waitFor();
    // Removals first: 3 × 0.4 s ≈ 1 s; the others after them: 1.2 s + 5 × 2 s ≈ 11 s.
    assert.equal((await queue.getByRole('paragraph').innerText()).trim(),
      '3 removals waiting, about 1 s · then 5 other changes, about 11 s. Measured pace: removals 0.4 s each, others 2.0 s each.');
    await consolePage.shoot(SHOTS, 'console-queue-estimate');
  } finally {
    await page.close();
  }
  const metrics = await (await fetch(`${stack.url}/metrics`)).text();
  assert.match(metrics, /scimwright_queue_seconds_per_job\{connection="acme",kind="removal"\} 0\.4\n/);
  assert.match(metrics, /scimwright_queue_seconds_per_job\{connection="acme",kind="other"\} 2\n/);
  assert.match(metrics, /scimwright_queue_waiting_users\{connection="acme",kind="removal"\} 3\n/);
  assert.match(metrics, /scimwright_queue_eta_seconds\{connection="acme",kind="other"\} 11\n/);
});
