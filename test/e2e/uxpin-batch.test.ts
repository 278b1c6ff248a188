/**
 * Batch invites end to end: users an IdP pushes together wait on one UXPin connection, and the
 * first job invites them all through "add multiple users at once" (one Add per role). Each user
 * still gets a run of their own that reads them back, with evidence that verifies, and no job is
 * left behind. When the app refuses the batch, each user falls back to an invite of their own.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { verifyEvidence } from '../../runner/evidence/verify.ts';
import type { WorkerTiming } from '../../runner/worker.ts';
import type { UxpinSandboxOptions } from '../sandboxes/uxpin/index.ts';
import { redisAndBrowserPerFile } from '../support/per-file.ts';
import {
  addUxpinConnection, queueDrained, scim, STACK_ADMIN_TOKEN, startStack, untilSettled, type ScimConnection, type Stack,
} from '../support/stack.ts';

const TIMING: WorkerTiming = { attempts: 4, backoff: { baseMs: 100, maxMs: 400 }, busyDelayMs: 100 };

const shared = redisAndBrowserPerFile();

async function stackFor(t: TestContext, sandbox: UxpinSandboxOptions, inviteBatchLimit?: number): Promise<Stack> {
  const stack = await startStack({ redisUrl: shared.redis.url, browser: shared.browser, sandbox, timing: TIMING, ...(inviteBatchLimit ? { inviteBatchLimit } : {}) });
  t.after(() => stack.close());
  return stack;
}

function user(email: string, role?: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, active: true,
    emails: [{ primary: true, value: email, type: 'work' }],
    ...(role ? { roles: [{ value: role, primary: true }] } : {}),
  };
}

/** Creates the users while the worker is paused, so that all their jobs wait together. */
async function createWhilePaused(stack: Stack, conn: ScimConnection, wanted: Array<{ email: string; role?: string }>): Promise<string[]> {
  await stack.worker.worker.pause();
  const ids: string[] = [];
  for (const w of wanted) {
    const res = await scim(conn, 'POST', '/Users', user(w.email, w.role));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids.push(res.body.id as string);
  }
  stack.worker.worker.resume();
  return ids;
}

/** Signs in to the console with the stack's admin token; returns the session cookie. */
async function consoleCookie(stack: Stack): Promise<string> {
  const form = await stack.app.inject({ method: 'GET', url: '/console/login' });
  const nonce = /name="_login" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const loginCookie = String(form.headers['set-cookie']).split(';')[0]!;
  const res = await stack.app.inject({
    method: 'POST', url: '/console/login', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _login: nonce, token: STACK_ADMIN_TOKEN }).toString(),
  });
  const cookies = [res.headers['set-cookie']].flat().map(String);
  return cookies.find((c) => c.startsWith('sw_console='))!.split(';')[0]!;
}

test('waiting invites go out as one Add per role; every user has a run of their own and no job is left', async (t) => {
  const stack = await stackFor(t, { seed: 2, latencyMs: [5, 30] });
  const { sandbox } = stack;
  const conn = await addUxpinConnection(stack);
  // user01 is already in the team (as Admin): in a batch it must get the role, not an invite.
  assert.equal(sandbox.state.find('user01@example.com')?.role, 'Admin');
  const wanted = [
    ...['c1', 'c2', 'c3', 'c4', 'c5'].map((n) => ({ email: `${n}@example.com`, role: 'Creator' })),
    ...['d1', 'd2', 'd3'].map((n) => ({ email: `${n}@example.com`, role: 'Developer' })),
    { email: 'user01@example.com', role: 'Developer' },
  ];
  const ids = await createWhilePaused(stack, conn, wanted);
  await untilSettled(conn, ids);
  await queueDrained(stack);

  assert.deepEqual([...sandbox.state.inviteRequests].sort(), [3, 5], 'one Add for the Creators, one for the new Developers');
  for (const { email, role } of wanted) {
    assert.equal(sandbox.state.find(email)?.role, role, email);
    assert.equal(sandbox.state.invitesSent[email], email.startsWith('user01') ? undefined : 1, `${email} invites`);
  }
  const runs = await Promise.all(ids.map((userId) => stack.runs.list(conn.id, { userId })));
  const leader = runs.flat().find((r) => r.batch?.runId === r.runId);
  assert.ok(leader, 'the run that sent the batch says so');
  runs.forEach((own, i) => {
    assert.equal(own.length, 1, `${wanted[i]!.email}: one run, its waiting job was removed`);
    const [run] = own;
    assert.deepEqual([run!.status, run!.action, run!.batch], ['succeeded', 'invite', { runId: leader.runId, userId: leader.userId, size: wanted.length }]);
    assert.equal(run!.observedAfter?.email, wanted[i]!.email, 'each run read its own user back');
  });
  const states = await Promise.all(ids.map((userId) => stack.core.directory.provisioning.get(conn.id, userId)));
  assert.deepEqual(new Set(states.map((s) => s?.state)), new Set(['in_sync']));
  const evidence = await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id });
  assert.deepEqual(evidence.problems, []);
  assert.equal(evidence.checkedRuns, wanted.length);
  // The console: the sender's run says it sent the batch; a peer's run links to it.
  const html = async (userId: string) => (await stack.app.inject({ method: 'GET', url: `/console/connections/${conn.id}/users/${userId}`, headers: { cookie: await consoleCookie(stack) } })).body;
  assert.match(await html(leader.userId!), /one batch invite of 9 users/);
  const peerId = ids.find((id) => id !== leader.userId)!;
  assert.match(await html(peerId), new RegExp(`invited in a batch of 9 sent by\\s*<a class="mono" href="[^"]+#${leader.runId}">`));
  const metrics = await (await fetch(`${stack.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`scimwright_job_duration_seconds_count\\{[^}]*action="invite"[^}]*\\} ${wanted.length}\\b`), 'every run counted, the batch peers too');
});

test('a batch the plan has no seats for: each user is invited alone (no more batches), and those over the limit fail with the app\'s words', async (t) => {
  // Owner + 1 seeded member, 5 seats: three of the five new users fit.
  const stack = await stackFor(t, { seed: 1, seatLimit: 5 });
  const { sandbox } = stack;
  const conn = await addUxpinConnection(stack);
  const wanted = ['s1', 's2', 's3', 's4', 's5'].map((n) => ({ email: `${n}@example.com` }));
  const ids = await createWhilePaused(stack, conn, wanted);
  await untilSettled(conn, ids);
  await queueDrained(stack);

  assert.deepEqual(sandbox.state.inviteRequests, [1, 1, 1], 'the refused batch invited nobody; three fitted alone');
  // One refused batch, then one Add per user: after a seat refusal the connection stops batching.
  assert.equal(sandbox.state.writes, 1 + wanted.length);
  assert.equal(sandbox.state.members.length, 5);
  const states = await Promise.all(ids.map((userId) => stack.core.directory.provisioning.get(conn.id, userId)));
  assert.deepEqual(states.map((s) => s?.state).sort(), ['failed', 'failed', 'in_sync', 'in_sync', 'in_sync']);
  for (const state of states.filter((s) => s?.state === 'failed')) {
    assert.equal(state!.lastErrorReason, 'seat_limit');
    assert.match(state!.lastError ?? '', /No seats left on your plan/);
  }
  for (const { email } of wanted) assert.ok((sandbox.state.invitesSent[email] ?? 0) <= 1, `${email} invited at most once`);
  const evidence = await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id });
  assert.deepEqual(evidence.problems, []);
});

test('the worker\'s inviteBatchLimit caps a batch; 1 sends every invite alone', async (t) => {
  for (const limit of [2, 1]) {
    const stack = await stackFor(t, { seed: 1 }, limit);
    const conn = await addUxpinConnection(stack);
    const ids = await createWhilePaused(stack, conn, ['l1', 'l2', 'l3'].map((n) => ({ email: `${n}-${limit}@example.com` })));
    await untilSettled(conn, ids);
    await queueDrained(stack);
    assert.deepEqual(stack.sandbox.state.inviteRequests, limit === 2 ? [2, 1] : [1, 1, 1], `limit ${limit}`);
  }
});

test('two SCIM users with one address are never in one batch: one invite, both in sync', async (t) => {
  const stack = await stackFor(t, { seed: 1 });
  const conn = await addUxpinConnection(stack);
  await stack.worker.worker.pause();
  const ids: string[] = [];
  for (const userName of ['pat', 'pat.two', 'other']) {
    const email = userName === 'other' ? 'other@example.com' : 'pat@example.com';
    const res = await scim(conn, 'POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, emails: [{ primary: true, value: email, type: 'work' }],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids.push(res.body.id as string);
  }
  stack.worker.worker.resume();
  await untilSettled(conn, ids);
  await queueDrained(stack);
  assert.deepEqual(stack.sandbox.state.invitesSent, { 'pat@example.com': 1, 'other@example.com': 1 });
  assert.deepEqual(stack.sandbox.state.inviteRequests, [2], 'pat and other in one Add; the second pat found the first');
});
