/**
 * One address, two SCIM ids (issue 17): the IdP deletes a person and creates them again, and the
 * old id's removal runs after the new id's converge. The app must keep the person, and the user
 * reported in sync must be in the app. Real Redis, Chromium and the test app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../core/logger.ts';
import { redisAndBrowserPerFile } from '../test/support/per-file.ts';
import { testConnector } from './test-connector/index.ts';
import type { TestApp } from './test-connector/server.ts';
import { addConnection, changeUser, createUser, deleteUser, settled, startApp, startFixture, waitFor, type Fixture } from './test-connector/fixture.ts';
import { startWorker, type RunningWorker } from './worker.ts';

const shared = redisAndBrowserPerFile();

async function setup(t: { after(fn: () => Promise<void>): void }): Promise<{ f: Fixture; app: TestApp; worker: RunningWorker }> {
  const f = await startFixture(shared.redis);
  const app = await startApp();
  await addConnection(f, 'acme', app);
  const worker = await startWorker({
    redis: f.client, box: f.box, registry: [testConnector], logger: createLogger({ level: 'silent' }), queuePrefix: f.queuePrefix,
    config: { redisPrefix: f.prefix, recordingsDir: f.recordingsDir, workerConcurrency: 1 },
    timing: { backoff: { baseMs: 100, maxMs: 500 }, attempts: 3 }, sweep: false, sessions: { browser: shared.browser },
  });
  t.after(async () => {
    await worker.close();
    await app.close();
    await f.close();
  });
  return { f, app, worker };
}

test('a deleted id\'s removal that runs after the re-created id\'s converge leaves the person in the app', async (t) => {
  const { f, app, worker } = await setup(t);
  const converge = async (userId: string) => {
    await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
    return settled(f, 'acme', userId);
  };
  const old = await createUser(f, 'acme', 'pat@example.test', 'Editor');
  await converge(old);
  await deleteUser(f, 'acme', old);
  const again = await createUser(f, 'acme', 'Pat@Example.test', 'Viewer');
  assert.equal((await converge(again)).state, 'in_sync'); // the new id's job happens to run first
  const removed = await converge(old);

  assert.equal(removed.state, 'removed', 'the old id no longer holds the address');
  assert.deepEqual(app.users.get('pat@example.test'), { email: 'pat@example.test', role: 'Viewer', status: 'pending' });
  assert.equal((await f.provisioning.get('acme', again))?.state, 'in_sync');
  const [last] = await f.runs.list('acme', { userId: old, limit: 1 });
  assert.deepEqual([last?.action, last?.why], ['none', `the address belongs to SCIM user ${again} now`]);
  assert.deepEqual(app.writes.map((w) => w.kind), ['invite', 'role']);
});

test('a userName change away from an address another id wants does not retire that address', async (t) => {
  const { f, app, worker } = await setup(t);
  const converge = async (userId: string) => {
    await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
    return settled(f, 'acme', userId);
  };
  const first = await createUser(f, 'acme', 'sam@example.test', 'Editor');
  await converge(first);
  // The IdP renames the first id, and the address is given to a second id before the rename runs.
  await changeUser(f, 'acme', first, { userName: 'samuel@example.test' });
  const second = await createUser(f, 'acme', 'sam@example.test', 'Editor');
  assert.equal((await converge(second)).state, 'in_sync');
  assert.equal((await converge(first)).appliedEmail, 'samuel@example.test');
  assert.equal(app.users.get('sam@example.test')?.role, 'Editor', 'the second id keeps its account');
  assert.equal(app.users.get('samuel@example.test')?.role, 'Editor');
});

test('two live ids wanting one address with different roles: the older change fails with the reason, not "in sync"', async (t) => {
  const { f, app, worker } = await setup(t);
  const converge = async (userId: string) => {
    await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
    return settled(f, 'acme', userId);
  };
  const a = await createUser(f, 'acme', 'lee@example.test', 'Editor');
  await converge(a);
  // A second id under another userName whose work email is the same address.
  const b = await createUser(f, 'acme', 'lee-contractor', 'Admin');
  await changeUser(f, 'acme', b, { emails: [{ value: 'lee@example.test', primary: true }] });
  assert.equal((await converge(b)).state, 'in_sync');
  assert.equal(app.users.get('lee@example.test')?.role, 'Admin', 'the newest change decides the role');
  // The write for b re-checks a: a is no longer reported in sync with a role the app does not show.
  await waitFor(async () => (await f.runs.list('acme', { userId: a })).length >= 2, 'a second run of the first id');
  const stateA = await settled(f, 'acme', a);
  assert.equal(stateA.state, 'failed', JSON.stringify(stateA));
  assert.match(stateA.lastError ?? '', new RegExp(`SCIM user ${b}`));
});
