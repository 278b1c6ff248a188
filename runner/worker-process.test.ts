/**
 * Worker processes: a SIGKILL in the middle of a run, and two processes on one connection.
 * Each test spawns `tsx runner/test-connector/worker-child.ts` children against a real Redis.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis, type TestRedis } from '../test/support/redis.ts';
import { verifyEvidence } from './evidence/verify.ts';
import {
  addConnection, changeUser, createUser, settled, startApp, startFixture, waitFor, type Fixture,
} from './test-connector/fixture.ts';
import type { Manifest } from './evidence/manifest.ts';
import { convergeJobId } from './jobs.ts';
import { createBullConvergeQueue } from './queue.ts';

const CHILD = fileURLToPath(new URL('./test-connector/worker-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let redis: TestRedis;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

interface Child { proc: ChildProcess; output: string[]; exited: Promise<unknown> }

async function spawnWorker(f: Fixture, concurrency = 1): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: {
      ...process.env, REDIS_URL: f.redis.url, SW_PREFIX: f.prefix, SW_KEY: f.key.toString('base64'), SW_RECORDINGS: f.recordingsDir,
      SW_CONCURRENCY: String(concurrency),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proc.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  await waitFor(async () => output.join('').includes('worker ready') || proc.exitCode !== null, 'the worker to start');
  assert.equal(proc.exitCode, null, output.join(''));
  return { proc, output, exited };
}

async function manifestOf(f: Fixture, dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(f.recordingsDir, dir, 'manifest.json'), 'utf8')) as Manifest;
}

async function stop(child: Child): Promise<void> {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGTERM');
  await child.exited;
}

/** A fixture, the test app and a queue; the worker children the test spawns are stopped at its end. */
async function setup(t: TestContext, appOptions: Parameters<typeof startApp>[0] = {}) {
  const f = await startFixture(redis);
  const app = await startApp(appOptions);
  const queue = createBullConvergeQueue({ connection: f.client, prefix: f.queuePrefix });
  const children: Child[] = [];
  t.after(async () => {
    await Promise.all(children.map(stop));
    await queue.close();
    await app.close();
    await f.close();
  });
  return { f, app, queue, children };
}

test('a worker killed in the middle of a run: the change is made once, and both attempts are on record', async (t) => {
  const { f, app, queue, children } = await setup(t);
  await addConnection(f, 'acme', app);
  const userId = await createUser(f, 'acme', 'kim@example.test', 'Admin');
  app.holdWrites = true;
  const held = app.writeHeld();
  children.push(await spawnWorker(f));
  await queue.enqueue([{ connectionId: 'acme', userId }]);
  await held; // the invite reached the app; its answer is held
  children[0]!.proc.kill('SIGKILL');
  await children[0]!.exited;
  app.holdWrites = false;
  app.release();

  children.push(await spawnWorker(f));
  const state = await settled(f, 'acme', userId);
  assert.equal(state.state, 'in_sync');
  assert.deepEqual(app.writes, [{ kind: 'invite', email: 'kim@example.test', role: 'Admin' }]);
  const runs = await f.runs.list('acme', { userId });
  assert.deepEqual(runs.map((r) => [r.status, r.reason ?? null, r.action ?? null]), [
    ['succeeded', null, 'none'],
    ['failed', 'crashed', 'invite'],
  ]);
  assert.equal(runs[0]!.previousRunId, runs[1]!.runId);
  assert.notEqual(runs[0]!.worker, runs[1]!.worker);
  // The killed run's screenshots are sealed as they were left, as a crashed run, in the chain.
  const killedFiles = await readdir(join(f.recordingsDir, runs[1]!.evidence!.dir));
  // The invite's before-shot, or the find's after-shot it names again when the screen had not changed (step.ts).
  assert.ok(killedFiles.some((name) => /invite-before|find-user-after/.test(name)), killedFiles.join(', '));
  assert.equal((await manifestOf(f, runs[1]!.evidence!.dir)).outcome, 'crashed');
  const result = await verifyEvidence(f.recordingsDir);
  assert.deepEqual([result.ok, result.problems, result.unsealed], [true, [], []]);
});

test('a worker killed in a run whose job never comes back: another worker closes the run as crashed, evidence sealed', async (t) => {
  const { f, app, queue, children } = await setup(t);
  await addConnection(f, 'acme', app);
  const userId = await createUser(f, 'acme', 'lou@example.test', 'Editor');
  app.holdWrites = true;
  const held = app.writeHeld();
  children.push(await spawnWorker(f));
  await queue.enqueue([{ connectionId: 'acme', userId }]);
  await held;
  children[0]!.proc.kill('SIGKILL');
  await children[0]!.exited;
  // As when the user is settled as another job's batch peer (invite-batch.ts): the job is gone.
  await waitFor(async () => (await queue.queue.remove(convergeJobId('acme', userId))) === 1, 'the dead worker\'s job lock to lapse');
  app.holdWrites = false;
  app.release();

  children.push(await spawnWorker(f));
  const closed = await waitFor(async () => {
    const [run] = await f.runs.list('acme', { userId });
    return run?.status !== 'running' ? run : undefined;
  }, 'the killed run to be closed', 30_000);
  assert.deepEqual([closed.status, closed.reason, closed.action], ['failed', 'crashed', 'invite']);
  assert.match(closed.error ?? '', /worker stopped/);
  assert.equal(closed.evidence?.manifest, 'manifest.json');
  const manifest = await manifestOf(f, closed.evidence!.dir);
  assert.equal(manifest.outcome, 'crashed');
  assert.ok(manifest.files.some((file) => /invite-before|find-user-after/.test(file.name)), JSON.stringify(manifest.files));
  assert.deepEqual(closed.evidence?.files, manifest.files.map((file) => file.name));
  assert.equal(manifest.trigger.userId, userId);
  const result = await verifyEvidence(f.recordingsDir);
  assert.deepEqual([result.ok, result.problems, result.unsealed], [true, [], []]);
});

test('with parallelPages 1, two worker processes never drive one connection at once, and waiting is one line a wait', async (t) => {
  const { f, app, queue, children } = await setup(t, { delayMs: 40 });
  await addConnection(f, 'acme', app);
  await f.connections.update('acme', (c) => ({ ...c, settings: { ...c.settings, parallelPages: 1 } }));
  const users = await Promise.all(['a', 'b', 'c', 'd'].map((n) => createUser(f, 'acme', `${n}@example.test`)));
  children.push(...(await Promise.all([spawnWorker(f), spawnWorker(f)])));
  await queue.enqueue(users.map((userId) => ({ connectionId: 'acme', userId })));
  for (const userId of users) assert.equal((await settled(f, 'acme', userId)).state, 'in_sync');
  assert.equal(app.maxInFlight, 1, 'two drivers overlapped');
  assert.equal(app.writes.length, 4);
  // Each worker looked for dead workers' runs all along and took none of the other's live ones.
  const runs = await f.runs.list('acme');
  assert.deepEqual(runs.map((r) => r.status), runs.map(() => 'succeeded'));
  const waits = children.map((c) => c.output.join('').split('waiting for a page slot').length - 1);
  assert.ok(waits.some((n) => n > 0), 'the workers did compete for the connection');
  // Each wait is woken by the release before it, so a job waits at most once per job ahead of it.
  assert.ok(waits[0]! + waits[1]! <= 6, `waiting lines: ${waits.join(' + ')}`);
});

test('a kill -9 of one of two workers in the middle of a burst of removals on parallel pages leaves no user unconverged', async (t) => {
  const { f, app, queue, children } = await setup(t, { delayMs: 80 });
  await addConnection(f, 'acme', app);
  await f.connections.update('acme', (c) => ({ ...c, settings: { ...c.settings, parallelPages: 4 } }));
  const emails = Array.from({ length: 10 }, (_, i) => `leaver-${i}@example.test`);
  const users: string[] = [];
  for (const email of emails) {
    app.users.set(email, { email, role: 'Editor', status: 'active' });
    const userId = await createUser(f, 'acme', email, 'Editor');
    await changeUser(f, 'acme', userId, { active: false });
    users.push(userId);
  }
  children.push(...(await Promise.all([spawnWorker(f, 2), spawnWorker(f, 2)])));
  await queue.enqueue(users.map((userId) => ({ connectionId: 'acme', userId })));
  await waitFor(async () => app.writes.length >= 3, 'the burst to be under way');
  children[0]!.proc.kill('SIGKILL'); // its Chromium dies with it; its slots are left to lapse
  await children[0]!.exited;
  for (const userId of users) assert.equal((await settled(f, 'acme', userId)).state, 'removed');
  assert.deepEqual(emails.filter((email) => app.users.has(email)), [], 'every leaver is out of the app');
  const removals = app.writes.filter((w) => w.kind === 'remove').map((w) => w.email);
  assert.equal(new Set(removals).size, removals.length, `one removal per user: ${removals.join(', ')}`);
  assert.ok(app.maxInFlight <= 4, `at most parallelPages pages at once across both workers: ${app.maxInFlight}`);
});
