/** The converge worker in-process, against the test app in real Chromium and a real Redis. */
import { sessionStateKey } from '../core/store/keys.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../core/logger.ts';
import { redisAndBrowserPerFile } from '../test/support/per-file.ts';
import { verifyEvidence } from './evidence/verify.ts';
import { testConnector } from './test-connector/index.ts';
import type { TestApp } from './test-connector/server.ts';
import {
  ADMIN, addConnection, changeUser, createUser, settled, startApp, startFixture, type Fixture,
} from './test-connector/fixture.ts';
import { startWorker, type RunningWorker } from './worker.ts';
import { filesUnder } from '../test/support/files.ts';

const shared = redisAndBrowserPerFile();

interface Setup { f: Fixture; app: TestApp; worker?: RunningWorker; logs: string[] }

async function setup(t: { after(fn: () => Promise<void>): void }, appOptions = {}): Promise<Setup> {
  const f = await startFixture(shared.redis);
  const app = await startApp(appOptions);
  await addConnection(f, 'acme', app);
  const s: Setup = { f, app, logs: [] };
  t.after(async () => {
    await s.worker?.close();
    await s.app.close();
    await f.close();
  });
  return s;
}

async function start(s: Setup, registry = [testConnector]): Promise<RunningWorker> {
  const logger = createLogger({ level: 'debug' }, { write: (line: string) => void s.logs.push(line) });
  s.worker = await startWorker({
    redis: s.f.client, box: s.f.box, registry, logger, queuePrefix: s.f.queuePrefix,
    config: { redisPrefix: s.f.prefix, recordingsDir: s.f.recordingsDir, workerConcurrency: 1 },
    timing: { backoff: { baseMs: 100, maxMs: 500 }, attempts: 3 },
    sessions: { browser: shared.browser }, sweep: false,
  });
  return s.worker;
}

test('a converge job invites the user, and its manifest verifies until a screenshot is edited', async (t) => {
  const s = await setup(t);
  const userId = await createUser(s.f, 'acme', 'ann@example.test', 'Editor');
  const worker = await start(s);
  await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
  const state = await settled(s.f, 'acme', userId);
  assert.equal(state.state, 'in_sync');
  assert.equal(state.appRole, 'Editor');
  assert.deepEqual(s.app.users.get('ann@example.test'), { email: 'ann@example.test', role: 'Editor', status: 'pending' });
  const [run] = await s.f.runs.list('acme', { userId });
  assert.equal(run?.status, 'succeeded');
  assert.equal(run?.action, 'invite');
  assert.match(run?.requestId ?? '', /^req-\d+$/);
  const manifest = JSON.parse(await readFile(join(s.f.recordingsDir, run!.evidence!.dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.trigger.userId, userId);
  assert.equal(manifest.trigger.tokenId, 'tok_test');
  assert.equal(manifest.trigger.desired.role, 'Editor');
  assert.equal((await verifyEvidence(s.f.recordingsDir)).ok, true);

  const png = run!.evidence!.files.find((name) => name.endsWith('.png'))!;
  const path = join(s.f.recordingsDir, run!.evidence!.dir, png);
  const bytes = await readFile(path);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 20) ^ 0xff, bytes.length - 20);
  await writeFile(path, bytes);
  const result = await verifyEvidence(s.f.recordingsDir);
  assert.equal(result.ok, false);
  assert.ok(result.problems.some((p) => p.path.endsWith(png)), JSON.stringify(result.problems));
});

test('ten quick changes to one waiting user make one run', async (t) => {
  const s = await setup(t);
  const userId = await createUser(s.f, 'acme', 'bob@example.test', 'Viewer');
  const queue = (await import('./queue.ts')).createBullConvergeQueue({ connection: s.f.client, prefix: s.f.queuePrefix });
  t.after(() => queue.close());
  await queue.enqueue([{ connectionId: 'acme', userId }]);
  for (const role of ['Editor', 'Admin', 'Viewer', 'Editor', 'Admin', 'Viewer', 'Editor', 'Admin', 'Editor']) {
    await changeUser(s.f, 'acme', userId, { roles: [{ value: role, primary: true }] });
    await queue.enqueue([{ connectionId: 'acme', userId }]);
  }
  await start(s);
  const state = await settled(s.f, 'acme', userId);
  assert.equal(state.state, 'in_sync');
  assert.equal(state.generation, 10);
  assert.equal((await s.f.runs.list('acme', { userId })).length, 1);
  assert.deepEqual(s.app.writes, [{ kind: 'invite', email: 'bob@example.test', role: 'Editor' }]);
});

test('a change that arrives while the user\'s job is running gets a run of its own', async (t) => {
  const s = await setup(t);
  const userId = await createUser(s.f, 'acme', 'cy@example.test', 'Viewer');
  const worker = await start(s);
  s.app.holdWrites = true;
  const held = s.app.writeHeld();
  await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
  await held;
  await changeUser(s.f, 'acme', userId, { roles: [{ value: 'Admin', primary: true }] });
  await worker.queue.enqueue([{ connectionId: 'acme', userId }]); // coalesced into the active job
  s.app.holdWrites = false;
  s.app.release();
  const state = await settled(s.f, 'acme', userId);
  assert.equal(state.appliedGeneration, 2, JSON.stringify(state));
  assert.equal(s.app.users.get('cy@example.test')?.role, 'Admin');
  const runs = await s.f.runs.list('acme', { userId });
  assert.deepEqual(runs.map((r) => [r.action, r.status]), [['changeRole', 'succeeded'], ['invite', 'succeeded']]);
});

test('a permanent app error fails the job at once with its reason', async (t) => {
  const s = await setup(t);
  s.app.seatLimit = 0;
  const userId = await createUser(s.f, 'acme', 'dee@example.test');
  const worker = await start(s);
  await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
  const state = await settled(s.f, 'acme', userId);
  assert.equal(state.state, 'failed');
  assert.equal(state.lastErrorReason, 'seat_limit');
  assert.match(state.lastError ?? '', /no free seat/);
  const runs = await s.f.runs.list('acme', { userId });
  assert.deepEqual(runs.map((r) => [r.status, r.reason]), [['failed', 'seat_limit']]);
});

test('the login is reused across jobs and restarts, and renewed when the app ends the session', async (t) => {
  const s = await setup(t);
  const first = await createUser(s.f, 'acme', 'eve@example.test');
  let worker = await start(s);
  await worker.queue.enqueue([{ connectionId: 'acme', userId: first }]);
  await settled(s.f, 'acme', first);
  assert.equal(s.app.logins, 1);
  const sealed = await s.f.client.get(sessionStateKey(s.f.prefix, 'acme'));
  assert.match(sealed ?? '', /^v1\./);
  assert.throws(() => JSON.parse(sealed!));
  await worker.close();

  const second = await createUser(s.f, 'acme', 'fay@example.test');
  worker = await start(s);
  await worker.queue.enqueue([{ connectionId: 'acme', userId: second }]);
  await settled(s.f, 'acme', second);
  assert.equal(s.app.logins, 1, 'the saved login was restored by the new worker');

  s.app.expireSessions();
  await changeUser(s.f, 'acme', second, { roles: [{ value: 'Admin', primary: true }] });
  await worker.queue.enqueue([{ connectionId: 'acme', userId: second }]);
  const state = await settled(s.f, 'acme', second);
  assert.equal(state.state, 'in_sync');
  assert.equal(s.app.logins, 2);
  assert.equal(s.app.users.get('fay@example.test')?.role, 'Admin');
});

test('no secret reaches an evidence file or a log line', async (t) => {
  const s = await setup(t);
  const token = `tok-${'9f3a'.repeat(6)}`;
  await s.app.close();
  s.app = await startApp({ apiToken: token });
  await s.f.connections.update('acme', (c) => ({ ...c, baseUrl: s.app.url }));
  const { PermanentAppError } = await import('../core/errors.ts');
  const { LoginPage } = await import('./test-connector/pages/login.page.ts');
  const leaky = {
    ...testConnector,
    id: 'leaky',
    operations: {
      ...testConnector.operations,
      // Fails with the password typed in (mirrored into the DOM) and named in the message.
      async login(ctx: Parameters<typeof testConnector.operations.login>[0]) {
        await ctx.step('sign in', async () => {
          const login = new LoginPage(await ctx.page());
          await login.open(ctx.baseUrl);
          await login.email.fill(ctx.credentials.email);
          await login.password.fill(ctx.credentials.password);
          throw new PermanentAppError('mfa_required', `MFA prompt after password ${ctx.credentials.password}`);
        });
      },
    },
  };
  const tokenLeak = {
    ...testConnector,
    id: 'token-leak',
    operations: {
      ...testConnector.operations,
      // Fails on the page that shows the token, naming it in the message.
      findUser: (ctx: Parameters<typeof testConnector.operations.login>[0]) => ctx.step('find user', async () => {
        const page = await ctx.page();
        await page.goto(new URL('/users', ctx.baseUrl).href);
        throw new Error(`cannot read the list; token ${token} shown`);
      }),
    },
  };
  await s.f.connections.update('acme', (c) => ({ ...c, connector: 'leaky' }));
  await addConnection(s.f, 'beta', s.app);
  await s.f.connections.update('beta', (c) => ({ ...c, connector: 'token-leak' }));
  const a = await createUser(s.f, 'acme', 'gus@example.test');
  const b = await createUser(s.f, 'beta', 'hal@example.test');
  const worker = await start(s, [testConnector, leaky, tokenLeak] as typeof testConnector[]);
  await worker.queue.enqueue([{ connectionId: 'acme', userId: a }, { connectionId: 'beta', userId: b }]);
  const stateA = await settled(s.f, 'acme', a);
  assert.equal(stateA.lastErrorReason, 'mfa_required');
  await settled(s.f, 'beta', b); // three failed attempts
  await worker.close();

  const files = await filesUnder(s.f.recordingsDir);
  const html = files.filter((f) => f.endsWith('failed.html'));
  assert.ok(html.length >= 2, `failure HTML was captured: ${html.join(', ')}`);
  const runs = [...(await s.f.runs.list('acme')), ...(await s.f.runs.list('beta'))];
  const redisDump = JSON.stringify(runs) + JSON.stringify([stateA, await s.f.provisioning.get('beta', b)]);
  const haystacks: Array<[string, Buffer]> = [
    ...(await Promise.all(files.map(async (f) => [f, await readFile(f)] as [string, Buffer]))),
    ['logs', Buffer.from(s.logs.join(''))],
    ['run records and provisioning state', Buffer.from(redisDump)],
  ];
  // The errors that named a secret were logged, redacted.
  assert.match(s.logs.join(''), /MFA prompt after password \[REDACTED\]/);
  assert.match(s.logs.join(''), /token \[REDACTED\] shown/);
  for (const secret of [ADMIN.password, token]) {
    for (const needle of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')]) {
      for (const [name, bytes] of haystacks) assert.equal(bytes.includes(needle), false, `${name} contains a secret`);
    }
  }
});

test('a userName change retires the old address and invites the new one', async (t) => {
  const s = await setup(t);
  const userId = await createUser(s.f, 'acme', 'old@example.test', 'Editor');
  const worker = await start(s);
  await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
  assert.equal((await settled(s.f, 'acme', userId)).appliedEmail, 'old@example.test');
  await changeUser(s.f, 'acme', userId, { userName: 'new@example.test' });
  await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
  const state = await settled(s.f, 'acme', userId);
  assert.equal(state.state, 'in_sync');
  assert.equal(state.appliedEmail, 'new@example.test');
  assert.equal(s.app.users.has('old@example.test'), false, 'the old address is gone from the app');
  assert.equal(s.app.users.get('new@example.test')?.role, 'Editor');
});
