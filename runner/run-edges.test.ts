/**
 * Day-one edges of a run (issue 12), with the real worker, Redis and Chromium: a one-letter admin
 * password, a login the app refuses after the connector's step returned, and an app that cannot
 * be reached. Each run must still seal, verify and say what went wrong in words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PermanentAppError } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { redisAndBrowserPerFile } from '../test/support/per-file.ts';
import type { Manifest } from './evidence/manifest.ts';
import { verifyEvidence } from './evidence/verify.ts';
import { testConnector } from './test-connector/index.ts';
import { LoginPage } from './test-connector/pages/login.page.ts';
import type { TestApp } from './test-connector/server.ts';
import { addConnection, createUser, settled, startApp, startFixture, type Fixture } from './test-connector/fixture.ts';
import { startWorker, type RunningWorker } from './worker.ts';

const shared = redisAndBrowserPerFile();

interface Setup { f: Fixture; app: TestApp; worker?: RunningWorker; logs: string[] }

async function setup(t: { after(fn: () => Promise<void>): void }, password?: string): Promise<Setup> {
  const f = await startFixture(shared.redis);
  const app = await startApp(password ? { password } : {});
  await addConnection(f, 'acme', app, password);
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
    timing: { backoff: { baseMs: 50, maxMs: 100 }, attempts: 2 },
    sessions: { browser: shared.browser }, sweep: false,
  });
  return s.worker;
}

async function manifestOf(s: Setup, dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(s.f.recordingsDir, dir, 'manifest.json'), 'utf8')) as Manifest;
}

test('a failed run of a connection whose password is "x" still seals, verifies and reads normally', async (t) => {
  const s = await setup(t, 'x'); // stored directly: the admin API refuses it now
  s.app.seatLimit = 0;
  const userId = await createUser(s.f, 'acme', 'xena@example.test');
  await (await start(s)).queue.enqueue([{ connectionId: 'acme', userId }]);
  const state = await settled(s.f, 'acme', userId);
  assert.equal(state.state, 'failed');
  assert.equal(state.lastError, 'The app has no free seat.');
  const [run] = await s.f.runs.list('acme', { userId });
  assert.equal(run?.evidence?.manifest, 'manifest.json', 'the failed run sealed its manifest');
  assert.equal(run?.desired?.email, 'xena@example.test', 'an "x" inside a word is not a secret');
  const manifest = await manifestOf(s, run!.evidence!.dir);
  assert.deepEqual(manifest.steps.map((step) => step.index), manifest.steps.map((_, i) => i + 1));
  assert.equal(manifest.outcome, 'failed');
  const verified = await verifyEvidence(s.f.recordingsDir);
  assert.deepEqual([verified.ok, verified.problems, verified.unsealed], [true, [], []]);
  assert.ok(!s.logs.join('').includes('evidence: manifest not sealed'));
});

/** Like UXPin's session.ts: the step returns what the app answered, the refusal is thrown after it. */
const refusingAfterStep = {
  ...testConnector,
  operations: {
    ...testConnector.operations,
    async login(ctx: Parameters<typeof testConnector.operations.login>[0]) {
      const accepted = await ctx.step('sign in', async () => {
        const login = new LoginPage(await ctx.page());
        await login.open(ctx.baseUrl);
        return login.signIn(ctx.credentials.email, ctx.credentials.password);
      });
      if (!accepted) throw new PermanentAppError('bad_credentials', 'The app refused the admin email or password.');
    },
  },
};

test('a refused login is a failed step with its screenshot, not a succeeded one', async (t) => {
  const s = await setup(t);
  await s.f.connections.update('acme', (c) => ({ ...c, sealedCredentials: s.f.connections.sealCredentials('acme', { email: 'admin@example.test', password: 'not-the-password' }) }));
  const userId = await createUser(s.f, 'acme', 'ray@example.test');
  await (await start(s, [refusingAfterStep])).queue.enqueue([{ connectionId: 'acme', userId }]);
  const state = await settled(s.f, 'acme', userId);
  assert.equal(state.lastErrorReason, 'bad_credentials');
  const [run] = await s.f.runs.list('acme', { userId });
  const manifest = await manifestOf(s, run!.evidence!.dir);
  const signIn = manifest.steps.find((step) => step.name === 'sign in');
  assert.equal(signIn?.outcome, 'failed', JSON.stringify(manifest.steps));
  assert.match(signIn?.error ?? '', /refused the admin email or password/);
  assert.ok(signIn?.files.some((name) => name.endsWith('failed.png')), `a screenshot of the refusal: ${signIn?.files.join(', ')}`);
  assert.equal((await verifyEvidence(s.f.recordingsDir)).ok, true);
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('an app that cannot be reached is said in words in lastError, without ANSI codes', async (t) => {
  const s = await setup(t);
  const port = await closedPort();
  await s.f.connections.update('acme', (c) => ({ ...c, baseUrl: `http://127.0.0.1:${port}` }));
  await addConnection(s.f, 'nowhere', s.app);
  await s.f.connections.update('nowhere', (c) => ({ ...c, baseUrl: 'http://app.scimwright.invalid' }));
  const refused = await createUser(s.f, 'acme', 'sam@example.test');
  const unresolved = await createUser(s.f, 'nowhere', 'sue@example.test');
  await (await start(s)).queue.enqueue([{ connectionId: 'acme', userId: refused }, { connectionId: 'nowhere', userId: unresolved }]);
  const a = await settled(s.f, 'acme', refused);
  const b = await settled(s.f, 'nowhere', unresolved);
  assert.equal(a.lastError, `Could not reach http://127.0.0.1:${port}: connection refused (nothing listens on that address and port)`);
  assert.equal(b.lastError, 'Could not reach http://app.scimwright.invalid: the name does not resolve (DNS)');
  assert.deepEqual([a.lastErrorReason, b.lastErrorReason], ['connection_refused', 'dns']);
  const runs = [...await s.f.runs.list('acme'), ...await s.f.runs.list('nowhere')];
  for (const run of runs) assert.ok(!/\u001b|\[2m/.test(run.error ?? ''), run.error);
  assert.ok(!s.logs.join('').includes('\\u001b'), 'the logs carry no ANSI codes either');
  assert.match(s.logs.join(''), /Call log/, 'the technical detail stays in the logs');
});
