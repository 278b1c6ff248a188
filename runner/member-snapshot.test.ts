/**
 * The member-list snapshot (member-snapshot.ts): its trust rules on a real Redis, and the worker
 * settling many users already in the test app from one list walk in real Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../core/logger.ts';
import type { ProvisioningState } from '../core/provisioning/state.ts';
import { redisAndBrowserPerFile } from '../test/support/per-file.ts';
import { Redis } from 'ioredis';
import { verifyEvidence } from './evidence/verify.ts';
import { MEMBER_LIST_TASK } from './member-list-run.ts';
import { MemberSnapshots, vouchesFor } from './member-snapshot.ts';
import { testConnector } from './test-connector/index.ts';
import { addConnection, changeUser, createUser, settled, startApp, startFixture } from './test-connector/fixture.ts';
import { startWorker } from './worker.ts';

const shared = redisAndBrowserPerFile();

const prov = (over: Partial<ProvisioningState> = {}): ProvisioningState => ({ state: 'pending', generation: 1, appliedGeneration: 0, deleted: false, ...over });
const iso = (ms: number) => new Date(ms).toISOString();

test('a snapshot vouches only for listed users unchanged, unrun and untouched since its read began, while fresh', async (t) => {
  const redis = new Redis(shared.redis.url);
  t.after(() => redis.quit());
  const snapshots = new MemberSnapshots(redis, `ms${Date.now()}`);
  const startedAt = Date.now() - 1_000;
  await snapshots.store('c1', [{ email: 'Ann@Example.com', role: 'Editor', status: 'active' }, { email: 'bo@example.com', role: 'Viewer', status: 'active' }], { runId: 'run-list', startedAt, readMs: 800 });
  const ann = await snapshots.vouch('c1', 'ann@example.com', prov({ changedAt: iso(startedAt - 5_000) }));
  assert.deepEqual(ann?.user, { email: 'Ann@Example.com', role: 'Editor', status: 'active' });
  assert.equal(ann?.meta.runId, 'run-list');
  assert.equal(await snapshots.vouch('c1', 'cy@example.com', prov()), undefined, 'absent from the list: nothing is vouched');
  assert.equal(await snapshots.vouch('c1', 'ann@example.com', prov({ changedAt: iso(startedAt + 1) })), undefined, 'changed after the read began');
  assert.equal(await snapshots.vouch('c1', 'ann@example.com', prov({ lastRunAt: iso(startedAt + 1) })), undefined, 'a run ended after the read began');
  assert.equal(await snapshots.vouch('c1', 'ann@example.com', prov({ changedAt: 'not a time' })), undefined);
  await snapshots.touch('c1', ['BO@example.com']);
  assert.equal(await snapshots.vouch('c1', 'bo@example.com', prov()), undefined, 'scimwright wrote to the address');
  const meta = { runId: 'r', startedAt, readMs: 1, members: 1 };
  assert.equal(vouchesFor(meta, prov(), undefined, startedAt + 10_000, 10_000), false, 'too old');
  assert.equal(vouchesFor(meta, prov(), undefined, startedAt + 9_999, 10_000), true);
  assert.equal((await snapshots.read('c1'))?.users.length, 2, 'drift scans read the same snapshot whole');

  assert.equal(await snapshots.wanted('c2', 9, 10), false);
  assert.equal(await snapshots.wanted('c2', 10, 10), true);
  assert.equal(await snapshots.wanted('c1', 10, 10), true, 'ten searches cost more than the last 0.8 s walk');
  await snapshots.store('c3', [], { runId: 'big', startedAt, readMs: 30_000 });
  assert.equal(await snapshots.wanted('c3', 20, 10), false, 'a 30 s walk is not worth it for 20 users');
  await snapshots.request('c3');
  assert.equal(await snapshots.wanted('c3', 0, 10), true, 'the sweep asked');
});

test('many users already in the app settle from one list walk; any action and any change since are searched', async (t) => {
  const f = await startFixture(shared.redis);
  const app = await startApp();
  await addConnection(f, 'acme', app);
  const calls = { find: 0, list: 0 };
  const ops = testConnector.operations;
  const counting: typeof testConnector = {
    ...testConnector,
    operations: {
      ...ops,
      findUser: (ctx, email) => { calls.find++; return ops.findUser(ctx, email); },
      listUsers: (ctx) => { calls.list++; return ops.listUsers(ctx); },
    },
  };
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const email = `m${String(i).padStart(2, '0')}@example.test`;
    app.users.set(email, { email, role: 'Editor', status: 'active' });
    ids.push(await createUser(f, 'acme', email, 'Editor'));
  }
  app.users.set('wrong@example.test', { email: 'wrong@example.test', role: 'Viewer', status: 'active' });
  const wrong = await createUser(f, 'acme', 'wrong@example.test', 'Editor');
  const worker = await startWorker({
    redis: f.client, box: f.box, registry: [counting], queuePrefix: f.queuePrefix, logger: createLogger({ level: 'silent' }),
    config: { redisPrefix: f.prefix, recordingsDir: f.recordingsDir, workerConcurrency: 1 },
    timing: { backoff: { baseMs: 100, maxMs: 500 }, attempts: 3 }, sessions: { browser: shared.browser }, sweep: false,
  });
  t.after(async () => {
    await worker.close();
    await app.close();
    await f.close();
  });
  await worker.queue.enqueue([...ids, wrong].map((userId) => ({ connectionId: 'acme', userId })));
  for (const id of [...ids, wrong]) assert.equal((await settled(f, 'acme', id)).state, 'in_sync');

  assert.equal(calls.list, 1, 'one walk of the list');
  assert.ok(calls.find <= 2, `only the user with the wrong role is searched (and read back), not all 13: ${calls.find} searches`);
  assert.equal(app.users.get('wrong@example.test')?.role, 'Editor');
  const [listRun] = await f.runs.list('acme', { limit: 100 }).then((runs) => runs.filter((r) => r.task === MEMBER_LIST_TASK));
  assert.equal(listRun?.status, 'succeeded');
  assert.ok(listRun?.evidence?.manifest, 'the walk has sealed evidence of its own');
  for (const id of ids) {
    const [run] = await f.runs.list('acme', { userId: id, limit: 1 });
    assert.equal(run?.action, 'none');
    assert.equal(run?.memberList?.runId, listRun.runId, 'each user\'s run names the walk');
  }
  const [wrongRun] = await f.runs.list('acme', { userId: wrong, limit: 1 });
  assert.equal(wrongRun?.action, 'changeRole');
  assert.equal(wrongRun?.memberList, undefined);

  // A hand edit in the app after the walk, then a SCIM change: the stale list must not decide.
  app.users.set('m00@example.test', { email: 'm00@example.test', role: 'Viewer', status: 'active' });
  const findsBefore = calls.find;
  await changeUser(f, 'acme', ids[0]!, { displayName: 'Em Zero' });
  await worker.queue.enqueue([{ connectionId: 'acme', userId: ids[0]! }]);
  await settled(f, 'acme', ids[0]!);
  assert.ok(calls.find > findsBefore, 'searched');
  assert.equal(app.users.get('m00@example.test')?.role, 'Editor', 'the hand edit was found and undone');
  assert.equal(calls.list, 1, 'one user waiting: no new walk');
  assert.equal((await verifyEvidence(f.recordingsDir)).ok, true);
});
