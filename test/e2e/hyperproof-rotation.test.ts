/**
 * Hyperproof's token over time and under faults (issue 15, "Done when"): on-demand rotation
 * leaves the old token refused; a revoked token costs exactly one new token and the change
 * converges; a +New token answered 500 after it was made leaves no unseen token; with 20 % of SCIM
 * writes and admin-page POSTs failing before or after the change, a 429 budget with and without
 * Retry-After and sessions expiring midway, every user is created exactly once and converges; and
 * not one byte the runs wrote holds an issued token, the password or the TOTP secret.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from 'otpauth';
import { DAY_MS } from '../../core/app-token-schedule.ts';
import { TaskStateStore } from '../../core/connections/setup-state.ts';
import { startAppTokenScheduler } from '../../runner/app-token-scheduler.ts';
import { HYPERPROOF_VARIANTS, hyperproofVariantsToRun } from '../sandboxes/hyperproof/variants.ts';
import { assertNoSecret, everythingWritten } from '../support/leak-search.ts';
import {
  admin, createHyperproofConnection, hyperproofStacksPerFile, oktaUser, people, settled, taskRun, vaultValue, waitFor,
  type HyperproofStack, type ScimClient,
} from './hyperproof-stack.ts';

const stackFor = hyperproofStacksPerFile();

async function statusFor(stack: HyperproofStack, token: string): Promise<number> {
  const res = await fetch(`${stack.sandbox.endpointUrl}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
  await res.body?.cancel();
  return res.status;
}

async function createUsers(stack: HyperproofStack, scim: ScimClient, names: string[], role?: string): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) ids.push((await scim.ok('POST', '/Users', oktaUser(`${name}@acme.test`, name, 'Tester', role)))!.id as string);
  for (const id of ids) {
    const state = await settled(stack, scim.id, id).catch(async (error: Error) => {
      const now = await stack.core.directory.provisioning.get(scim.id, id);
      throw new Error(`${error.message}: ${JSON.stringify(now)}; failed jobs ${JSON.stringify(stack.failedJobs.slice(-3))}`);
    });
    assert.equal(state.state, 'in_sync', `user ${id}: ${state.lastError}`);
  }
  return ids;
}

async function rotations(stack: HyperproofStack, id: string, count: number): Promise<void> {
  await waitFor(async () => {
    const runs = (await stack.runs.list(id, { limit: 500 })).filter((r) => r.task === 'rotate' && r.status === 'succeeded');
    return runs.length >= count ? runs : undefined;
  }, `${count} rotation(s) of ${id}`);
}

test('a scheduled rotation (appTokenRotationDays, the clock two days on) makes a new token, deletes the old one, and users go on converging', async (t) => {
  let offset = 0;
  const stack = await stackFor(t, { presentation: HYPERPROOF_VARIANTS[0]!.presentation });
  const scim = await createHyperproofConnection(stack, 'hp-sched', { defaultRole: 'User', app: { appTokenRotationDays: 1 } });
  assert.equal((await taskRun(stack, 'hp-sched', 'setup')).status, 'succeeded');
  // A second scheduler on the test's clock (the worker runs its own on the real one).
  const { worker } = stack;
  const scheduler = startAppTokenScheduler({ deps: worker.deps, queue: worker.queue, worker: worker.worker }, {
    intervalMs: 600_000, retryMs: 60_000, now: () => Date.now() + offset,
  });
  t.after(() => scheduler.stop());
  const tasks = new TaskStateStore(stack.redis, stack.config.redisPrefix);
  await waitFor(async () => (await tasks.get('hp-sched')).issuedAt, 'the setup to be recorded');
  assert.deepEqual(await scheduler.tick(), [], 'a fresh token is not due');
  const oldToken = (await vaultValue(stack, 'hp-sched', 'appToken'))!;
  await createUsers(stack, scim, ['ida']);

  offset = 2 * DAY_MS;
  assert.deepEqual(await scheduler.tick(), ['hp-sched'], 'two days on, the token is due');
  await rotations(stack, 'hp-sched', 1);
  await createUsers(stack, scim, ['jon']);
  const newToken = (await vaultValue(stack, 'hp-sched', 'appToken'))!;
  assert.notEqual(newToken, oldToken);
  assert.equal(await statusFor(stack, oldToken), 401, 'the replaced token was deleted in the app');
  assert.equal(await statusFor(stack, newToken), 200);
  assert.deepEqual(stack.failedJobs, [], 'no job failed, not even once');
});

for (const { name, presentation } of hyperproofVariantsToRun()) {
  test(`[${name}] rotation on demand, after a revoke and after a lost answer; no secret in any byte written`, async (t) => {
    const totpSecret = new Secret().base32;
    const stack = await stackFor(t, { presentation, totpSecret });
    const scim = await createHyperproofConnection(stack, 'hp-leak', { defaultRole: 'User' }, totpSecret);
    assert.equal((await taskRun(stack, 'hp-leak', 'setup')).status, 'succeeded');
    await createUsers(stack, scim, ['fay', 'gus'], 'Compliance manager');

    const first = (await vaultValue(stack, 'hp-leak', 'appToken'))!;
    assert.equal((await admin(stack, 'POST', '/connections/hp-leak/rotate-app-token')).status, 202);
    await rotations(stack, 'hp-leak', 1);
    const second = (await vaultValue(stack, 'hp-leak', 'appToken'))!;
    assert.equal(await statusFor(stack, first), 401, 'the old token is refused after rotation');
    assert.equal(await statusFor(stack, second), 200);

    // Someone deletes our token in Hyperproof: the next SCIM call gets 401, one new token, the change converges.
    stack.sandbox.state.deleteToken(stack.sandbox.state.tokens.find((x) => x.last4 === second.slice(-4))!.id);
    const before = stack.sandbox.state.stats.tokensIssued;
    await createUsers(stack, scim, ['hal']);
    assert.equal(stack.sandbox.state.stats.tokensIssued, before + 1, 'exactly one new token');

    // A +New token answered 500 after it was made: that unseen token must not stay live.
    stack.sandbox.setKnobs({ failureScope: 'ui', failureTiming: 'after', failureCount: 1 });
    assert.equal((await admin(stack, 'POST', '/connections/hp-leak/rotate-app-token')).status, 202);
    await rotations(stack, 'hp-leak', 2); // the revoke's rotation ran inside the user's job, not as a task
    const held = (await vaultValue(stack, 'hp-leak', 'appToken'))!;
    assert.deepEqual(stack.sandbox.state.tokens.map((x) => x.last4), [held.slice(-4)]);
    assert.equal(people(stack).get('fay@acme.test')?.role, 'Compliance manager');
    await stack.worker.close(); // every run sealed, every log line written

    const { files, haystacks } = await everythingWritten(stack.config.recordingsDir, stack.logs, stack.redis);
    assert.ok(files.some((f) => f.endsWith('.png')) && files.some((f) => f.endsWith('manifest.json')));
    assert.ok(haystacks.some(([n]) => n.startsWith(`redis ${stack.config.redisPrefix}:vault:hp-leak`)), 'the sealed vault was searched');
    assert.ok(stack.issued.length >= 4, `tokens issued: ${stack.issued.length}`);
    assertNoSecret(haystacks, [...stack.issued, stack.sandbox.knobs.admin.password, totpSecret]);
  });
}

for (const retryAfter of ['seconds', 'none'] as const) {
  test(`faults (20 % failing before or after, 429 ${retryAfter === 'none' ? 'without' : 'with'} Retry-After, sessions expiring): every user created once, all converge`, async (t) => {
    const stack = await stackFor(t, { presentation: HYPERPROOF_VARIANTS[0]!.presentation });
    const scim = await createHyperproofConnection(stack, 'hp-faults', { defaultRole: 'User', groupRoleMap: {} });
    assert.equal((await taskRun(stack, 'hp-faults', 'setup')).status, 'succeeded');
    stack.sandbox.setKnobs({
      failureRate: 0.2, failureTiming: retryAfter === 'none' ? 'after' : 'before', failureScope: 'all',
      rateLimit: { requests: 12, windowMs: 2000, retryAfter }, sessionLifetimeMs: 3000,
    });
    const names = ['ivy', 'jon', 'kai', 'lia', 'max', 'ned'];
    await createUsers(stack, scim, names, 'compliance manager');
    const listed = stack.sandbox.snapshot().people.filter((p) => p.source === 'scim');
    assert.deepEqual(listed.map((p) => p.email).sort(), names.map((n) => `${n}@acme.test`), 'each user created exactly once');
    for (const n of names) assert.deepEqual(people(stack).get(`${n}@acme.test`), { status: 'Active', role: 'Compliance manager' });
    assert.ok(stack.sandbox.state.stats.injectedFailures > 0, 'faults were injected');
  });
}
