/**
 * Removals go first (issue 16): with other users' invites queued on one connection, a leaver's
 * removal enqueued last is the next job the worker runs. Real Redis, Chromium and the test app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../core/logger.ts';
import { redisAndBrowserPerFile } from '../test/support/per-file.ts';
import { createBullConvergeQueue } from './queue.ts';
import { testConnector } from './test-connector/index.ts';
import { addConnection, changeUser, createUser, settled, startApp, startFixture, waitFor } from './test-connector/fixture.ts';
import { startWorker, type RunningWorker } from './worker.ts';

const shared = redisAndBrowserPerFile();

test('a removal enqueued behind many invites runs next, also when it joins an invite already waiting', async (t) => {
  const f = await startFixture(shared.redis);
  const app = await startApp();
  await addConnection(f, 'acme', app);
  const queue = createBullConvergeQueue({ connection: f.client, prefix: f.queuePrefix });
  let worker: RunningWorker | undefined;
  t.after(async () => {
    await worker?.close();
    await queue.close();
    await app.close();
    await f.close();
  });
  const start = async () => (worker = await startWorker({
    redis: f.client, box: f.box, registry: [testConnector], logger: createLogger({ level: 'silent' }), queuePrefix: f.queuePrefix,
    config: { redisPrefix: f.prefix, recordingsDir: f.recordingsDir, workerConcurrency: 1 },
    timing: { backoff: { baseMs: 100, maxMs: 500 } }, sweep: false, sessions: { browser: shared.browser },
  }));
  // Two people already in the app, who then leave.
  const leavers = [await createUser(f, 'acme', 'leaver@example.test'), await createUser(f, 'acme', 'late@example.test')];
  await start();
  await queue.enqueue(leavers.map((userId) => ({ connectionId: 'acme', userId })));
  for (const userId of leavers) await settled(f, 'acme', userId);
  await worker!.close();
  worker = undefined;

  const joiners: string[] = [];
  for (let i = 0; i < 8; i++) joiners.push(await createUser(f, 'acme', `new-${i}@example.test`));
  await queue.enqueue(joiners.map((userId) => ({ connectionId: 'acme', userId })));
  // The second leaver's role change is queued among the invites, then they leave: one job, coalesced.
  await changeUser(f, 'acme', leavers[1]!, { roles: [{ value: 'Admin', primary: true }] });
  await queue.enqueue([{ connectionId: 'acme', userId: leavers[1]! }]);
  await queue.enqueue([{ connectionId: 'acme', userId: joiners[8 - 1]! }]);
  await changeUser(f, 'acme', leavers[0]!, { active: false });
  await changeUser(f, 'acme', leavers[1]!, { active: false });
  await queue.enqueue(leavers.map((userId) => ({ connectionId: 'acme', userId })));

  await start();
  for (const userId of [...joiners, ...leavers]) assert.equal((await settled(f, 'acme', userId)).generation > 0, true);
  const runs = (await f.runs.list('acme')).filter((r) => r.generation !== 1 || joiners.includes(r.userId!));
  const order = runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId)).map((r) => r.userId);
  assert.deepEqual(new Set(order.slice(0, 2)), new Set(leavers), `runs in order: ${order.join(', ')}`);
  assert.equal(app.users.has('leaver@example.test') || app.users.has('late@example.test'), false);
  assert.equal(app.users.size, 8);
});

test('a leaver whose invite is backing off from a failure is removed without waiting for that retry', async (t) => {
  const f = await startFixture(shared.redis);
  const app = await startApp();
  await addConnection(f, 'acme', app);
  const worker = await startWorker({
    redis: f.client, box: f.box, registry: [testConnector], logger: createLogger({ level: 'silent' }), queuePrefix: f.queuePrefix,
    config: { redisPrefix: f.prefix, recordingsDir: f.recordingsDir, workerConcurrency: 1 },
    // A retry ten minutes away: longer than any wait below.
    timing: { backoff: { baseMs: 600_000, maxMs: 600_000 } }, sweep: false, sessions: { browser: shared.browser },
  });
  t.after(async () => {
    await worker.close();
    await app.close();
    await f.close();
  });
  const userId = await createUser(f, 'acme', 'brief@example.test');
  app.dropWrites = 1;
  await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
  await waitFor(async () => (await f.runs.list('acme', { userId }))[0]?.status === 'retrying', 'the invite to fail and back off');
  await changeUser(f, 'acme', userId, { active: false });
  await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
  const state = await settled(f, 'acme', userId, 60_000);
  assert.equal(state.state, 'removed');
  assert.equal(app.users.has('brief@example.test'), false);
});
