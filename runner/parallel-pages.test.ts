/**
 * Several pages per connection (issue 16 item 2) in one worker process, against the test app in
 * real Chromium and a real Redis: the page limit holds, no user is acted on twice, and a busy
 * connection's waiting jobs log one line each instead of polling (issue 17 finding 3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../core/logger.ts';
import { connectionSlotKeys } from '../core/store/keys.ts';
import { redisAndBrowserPerFile } from '../test/support/per-file.ts';
import { testConnector } from './test-connector/index.ts';
import { addConnection, createUser, settled, startApp, startFixture, waitFor, type Fixture } from './test-connector/fixture.ts';
import type { TestApp } from './test-connector/server.ts';
import { startWorker, type RunningWorker } from './worker.ts';

const shared = redisAndBrowserPerFile();

async function setup(t: { after(fn: () => Promise<void>): void }, parallelPages: number, appOptions = {}) {
  const f = await startFixture(shared.redis);
  const app = await startApp(appOptions);
  await addConnection(f, 'acme', app);
  await f.connections.update('acme', (c) => ({ ...c, settings: { ...c.settings, parallelPages } }));
  const logs: string[] = [];
  const s: { f: Fixture; app: TestApp; logs: string[]; worker?: RunningWorker } = { f, app, logs };
  t.after(async () => {
    app.release();
    await s.worker?.close();
    await app.close();
    await f.close();
  });
  s.worker = await startWorker({
    redis: f.client, box: f.box, registry: [testConnector], queuePrefix: f.queuePrefix,
    logger: createLogger({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
    config: { redisPrefix: f.prefix, recordingsDir: f.recordingsDir, workerConcurrency: 4 },
    timing: { backoff: { baseMs: 100, maxMs: 400 }, attempts: 4 },
    sessions: { browser: shared.browser }, sweep: false,
  });
  return s;
}

const count = (logs: string[], text: string) => logs.filter((line) => line.includes(text)).length;

test('a busy connection: waiting jobs log one line each, not one per poll, and all run once the slot frees', async (t) => {
  const s = await setup(t, 1);
  s.app.holdWrites = true;
  const users: string[] = [];
  for (let i = 0; i < 6; i++) users.push(await createUser(s.f, 'acme', `busy-${i}@example.test`));
  await s.worker!.queue.enqueue(users.map((userId) => ({ connectionId: 'acme', userId })));
  await waitFor(async () => s.app.writes.length === 1, 'the first job to reach the app');
  const waiting = connectionSlotKeys(s.f.prefix, 'acme').waiting;
  await waitFor(async () => (await s.f.client.zcard(waiting)) === 5, 'five jobs in line');
  // The old lock re-delayed every waiting job every 0.5–1.5 s: over these 3 s that was 10+ lines.
  await sleep(3_000);
  assert.equal(count(s.logs, 'waiting for a page slot'), 5);
  s.app.holdWrites = false;
  s.app.release();
  for (const userId of users) assert.equal((await settled(s.f, 'acme', userId)).state, 'in_sync');
  assert.equal(s.app.maxInFlight, 1, 'one page at a time on a connection with parallelPages 1');
  assert.ok(count(s.logs, 'waiting for a page slot') <= 5 + 4, `waiting lines: ${count(s.logs, 'waiting for a page slot')}`);
});

test('parallel pages: up to parallelPages jobs drive the app at once, and no user is acted on twice', async (t) => {
  const s = await setup(t, 3, { delayMs: 20 });
  const users: string[] = [];
  for (let i = 0; i < 9; i++) users.push(await createUser(s.f, 'acme', `par-${i}@example.test`));
  s.app.holdWrites = true;
  await s.worker!.queue.enqueue(users.map((userId) => ({ connectionId: 'acme', userId })));
  // Three jobs reach the app at once (their writes held there); the other six wait in line.
  await waitFor(async () => s.app.writes.length === 3, 'three writes at once');
  const keys = connectionSlotKeys(s.f.prefix, 'acme');
  await waitFor(async () => (await s.f.client.zcard(keys.waiting)) === 6, 'six jobs in line');
  assert.equal(await s.f.client.zcard(keys.holders), 3);
  assert.equal(s.app.writes.length, 3, 'no fourth page while three hold the slots');
  s.app.holdWrites = false;
  s.app.release();
  for (const userId of users) assert.equal((await settled(s.f, 'acme', userId)).state, 'in_sync');
  assert.ok(s.app.maxInFlight <= 3, `requests in flight at once: ${s.app.maxInFlight}`);
  const invites = s.app.writes.filter((w) => w.kind === 'invite').map((w) => w.email);
  assert.equal(invites.length, 9, invites.join('\n'));
  assert.equal(new Set(invites).size, 9, 'one invite per user');
  assert.equal(s.app.logins, 1, 'one login shared by the pages of the context');
});

test('a 429 storm slows the whole connection: only the pages already on their way meet it, then all pause', async (t) => {
  const s = await setup(t, 3);
  const users: string[] = [];
  for (let i = 0; i < 9; i++) users.push(await createUser(s.f, 'acme', `storm-${i}@example.test`));
  await s.worker!.queue.enqueue([{ connectionId: 'acme', userId: users[0]! }]);
  await settled(s.f, 'acme', users[0]!); // logged in before the storm
  // Retry-After 3 s over a 2.5 s storm: a connection that pauses on its first 429s meets no more.
  s.app.rateLimitedUntil = Date.now() + 2_500;
  await s.worker!.queue.enqueue(users.slice(1).map((userId) => ({ connectionId: 'acme', userId })));
  for (const userId of users) assert.equal((await settled(s.f, 'acme', userId)).state, 'in_sync');
  assert.ok(s.app.limited >= 1, 'the storm met the connection');
  // Pages retrying each on its own (every 100–400 ms) would have met it a dozen times or more.
  assert.ok(s.app.limited <= 3, `users pages answered 429: ${s.app.limited}`);
  assert.ok(count(s.logs, 'the app pushed back') >= 1);
});
