/**
 * UXPin under faults, end to end through SCIM: a fifth of the app's writes answer 500 (first
 * before the change is saved, then after it), sessions run out mid-run, the list loads behind a
 * spinner and login asks for a TOTP code — and 50 users still converge with no duplicate invite.
 * A full plan ends in a failed state with the app's own words and a screenshot of them.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Secret } from 'otpauth';
import type { WorkerTiming } from '../../runner/worker.ts';
import { verifyEvidence } from '../../runner/evidence/verify.ts';
import { VARIANT_NAMES, type UxpinSandboxOptions } from '../sandboxes/uxpin/index.ts';
import { redisAndBrowserPerFile } from '../support/per-file.ts';
import {
  addUxpinConnection, PROVISIONING, queueDrained, scim, startStack, untilSettled, waitForUser, type Stack,
} from '../support/stack.ts';

const USERS = 50;
/** Short enough that a flaky write is retried at once; attempts enough that 20 % failures cannot exhaust them. */
const TIMING: WorkerTiming = {
  attempts: 12, backoff: { baseMs: 100, maxMs: 800 }, busyDelayMs: 100,
  lockDurationMs: 20_000, stalledIntervalMs: 5_000, connectionLockTtlMs: 20_000,
};
const APP_SETTINGS = { app: { actionTimeoutMs: 5_000 } };

const shared = redisAndBrowserPerFile();

async function stackFor(t: TestContext, sandbox: UxpinSandboxOptions): Promise<Stack> {
  const stack = await startStack({ redisUrl: shared.redis.url, browser: shared.browser, sandbox, timing: TIMING });
  t.after(() => stack.close());
  return stack;
}

function user(email: string, role?: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, active: true,
    name: { givenName: email.split('@')[0], familyName: 'Fault' }, emails: [{ primary: true, value: email, type: 'work' }],
    ...(role ? { roles: [{ value: role, primary: true }] } : {}),
  };
}

test('50 users converge through 500s (before and after saving), expiring sessions, a slow list and TOTP', async (t) => {
  const stack = await stackFor(t, {
    seed: 3, failureRate: 0.2, failureMode: '500', failureTiming: 'before', failNext: 1, rngSeed: 20240611,
    slowListMs: 150, sessionLifetimeMs: 20_000, totpSecret: new Secret({ size: 20 }).base32,
  });
  const { sandbox } = stack;
  const conn = await addUxpinConnection(stack, { settings: APP_SETTINGS });
  const wanted = Array.from({ length: USERS }, (_, i) => ({
    email: `fault${String(i + 1).padStart(2, '0')}@example.com`, role: ['Creator', 'Developer', undefined][i % 3],
  }));
  const ids: string[] = [];
  const post = async (part: typeof wanted) => {
    for (const w of part) {
      const res = await scim(conn, 'POST', '/Users', user(w.email, w.role));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      ids.push(res.body.id as string);
    }
  };

  // First half with failures before the change is saved; then failures strike after it is saved
  // (the first write of the second half surely: batching makes few writes), and every session ends.
  await post(wanted.slice(0, USERS / 2));
  await untilSettled(conn, ids, USERS / 2, 240_000);
  const failuresBefore = sandbox.state.failuresInjected;
  const loginsBefore = sandbox.state.logins;
  sandbox.setKnobs({ failureTiming: 'after', failNext: 1 });
  sandbox.expireSessions();
  await post(wanted.slice(USERS / 2));
  await untilSettled(conn, ids, USERS, 240_000);
  await queueDrained(stack);

  assert.ok(failuresBefore > 0, 'failures struck before saving');
  assert.ok(sandbox.state.failuresInjected > failuresBefore, 'failures struck after saving');
  assert.ok(sandbox.state.logins > loginsBefore, 'the expired session was replaced by a new TOTP login');
  wanted.forEach(({ email, role }) => {
    assert.deepEqual(sandbox.state.find(email), { email, name: '', role: role ?? 'Collaborator', status: 'pending' });
    assert.equal(sandbox.state.invitesSent[email], 1, `${email} was invited ${sandbox.state.invitesSent[email]} times`);
  });
  const listed = await scim(conn, 'GET', `/Users?startIndex=1&count=100`);
  assert.equal(listed.body.totalResults, USERS);
  const states = (listed.body.Resources as Array<Record<string, any>>).map((u) => u[PROVISIONING].state);
  assert.deepEqual(new Set(states), new Set(['in sync']));
  const evidence = await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id });
  assert.deepEqual(evidence.problems, []);
  assert.ok(evidence.checkedRuns > USERS, 'retried runs leave evidence too');
  t.diagnostic(`writes ${sandbox.state.writes} (invite requests of sizes ${sandbox.state.inviteRequests.join(",")}), failures ${sandbox.state.failuresInjected}, logins ${sandbox.state.logins}, runs ${evidence.checkedRuns}`);
});

// The 50-user run stays on the classic screens (its cost); the full plan runs on every variant.
for (const variant of VARIANT_NAMES) test(`a full plan (variant ${variant}): state failed, the app's message as lastError, and its screenshot in the evidence`, async (t) => {
  const stack = await stackFor(t, { seed: 2, seatLimit: 3, variant });
  const conn = await addUxpinConnection(stack, { settings: APP_SETTINGS });
  const email = 'one.too.many@example.com';
  const created = await scim(conn, 'POST', '/Users', user(email));
  assert.equal(created.status, 201);
  const userId = created.body.id as string;
  const failed = await waitForUser(conn, userId, (p) => p.state === 'failed');
  assert.match(failed[PROVISIONING].lastError, /No seats left on your plan/);
  assert.equal(stack.sandbox.state.find(email), undefined);
  assert.equal(stack.sandbox.state.members.length, 3);

  const [run] = await stack.runs.list(conn.id, { userId });
  assert.deepEqual([run?.status, run?.reason, run?.attempt], ['failed', 'seat_limit', 1], 'a permanent refusal is not retried');
  const dir = join(stack.config.recordingsDir, run!.evidence!.dir);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.outcome, 'failed');
  assert.match(String(manifest.trigger.error), /No seats left on your plan/);
  // The invite step's last screenshot was taken with the dialog showing UXPin's refusal.
  const inviteStep = manifest.steps.find((s: { name: string }) => s.name === `invite ${email} as Collaborator`);
  assert.ok(inviteStep, JSON.stringify(manifest.steps.map((s: { name: string }) => s.name)));
  const shot = [...inviteStep.files].reverse().find((name: string) => /-(failed|after)\.png$/.test(name));
  assert.ok(shot, `no screenshot in ${JSON.stringify(inviteStep.files)}`);
  assert.ok(manifest.files.some((f: { name: string; bytes: number }) => f.name === shot && f.bytes > 1000));
  assert.ok(existsSync(join(dir, shot)));
  await queueDrained(stack);
  assert.equal((await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id })).ok, true);
});
