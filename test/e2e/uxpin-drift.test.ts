/**
 * Drift scans end to end (issue 18, item 1): gateway, worker, real Chromium, the UXPin sandbox.
 * A member added by hand in the sandbox is found by the next scan (with verified evidence of the
 * list it read), shown on the console's drift page, and allowed there by an admin (a reviewer's
 * allow is refused with 403); allowed, it stays quiet. A role changed by hand is reported and left
 * alone under `drift: "report"`, and fixed under `"repair"`; the shadow account is never removed.
 * Set CONSOLE_SHOTS_DIR to keep a screenshot of the drift page.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { verifyEvidence } from '../../runner/evidence/verify.ts';
import { ConsolePage } from '../console/console.page.ts';
import { redisAndBrowserPerFile } from '../support/per-file.ts';
import { addUxpinConnection, queueDrained, scim, STACK_ADMIN_TOKEN, startStack, waitForUser, type ScimConnection, type Stack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

const shared = redisAndBrowserPerFile();
const SHOTS = process.env.CONSOLE_SHOTS_DIR;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });
const SHADOW = 'shadow.admin@example.com';

async function admin(stack: Stack, method: string, path: string, body?: unknown, token = STACK_ADMIN_TOKEN) {
  const res = await fetch(`${stack.url}/admin/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as any };
}

async function scanAndWait(stack: Stack, id: string): Promise<{ run: Record<string, any>; drift: Record<string, any> }> {
  const asked = await admin(stack, 'POST', `/connections/${id}/drift-scan`);
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const run = await waitFor(async () => {
    const r = await stack.runs.get(asked.body.runId);
    return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
  }, `drift scan ${asked.body.runId}`, 120_000);
  assert.equal(run.status, 'succeeded', run.error);
  return { run, drift: (await admin(stack, 'GET', `/connections/${id}/drift`)).body };
}

function cli(stack: Stack, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/scimwright.js', ...args], {
      encoding: 'utf8', timeout: 180_000, env: { ...process.env, SCIMWRIGHT_URL: stack.url, SCIMWRIGHT_ADMIN_TOKEN: STACK_ADMIN_TOKEN },
    }, (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}

async function addUser(conn: ScimConnection, email: string): Promise<string> {
  const made = await scim(conn, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, active: true });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await waitForUser(conn, made.body.id, (p) => p.state === 'in sync');
  return made.body.id as string;
}

const kinds = (drift: Record<string, any>) => (drift.findings as Array<Record<string, string>>).map((f) => `${f.kind} ${f.email}`);
const gauge = async (stack: Stack, id: string, kind: string) =>
  new RegExp(`^scimwright_drift_findings\\{connection="${id}",kind="${kind}"\\} (\\d+)$`, 'm').exec(await (await fetch(`${stack.url}/metrics`)).text())?.[1];

test('a shadow account and a role changed by hand: found with evidence, shown, allowed in the console; report leaves the role, repair fixes it', async (t) => {
  const stack = await startStack({ redisUrl: shared.redis.url, browser: shared.browser, timing: { attempts: 3, backoff: { baseMs: 100, maxMs: 300 }, busyDelayMs: 100 } });
  t.after(() => stack.close());
  const conn = await addUxpinConnection(stack, { settings: { driftScanHours: 0 } });
  await addUser(conn, 'ann@example.com');
  const bobId = await addUser(conn, 'bob@example.com');

  // By hand, in the app: a member the IdP never knew, and Bob made an Admin.
  stack.sandbox.state.members.push({ email: SHADOW, name: 'Shadow Admin', role: 'Admin', status: 'active' });
  stack.sandbox.state.changeRole('bob@example.com', 'Admin');
  const writesBefore = stack.sandbox.state.writes;

  const first = await scanAndWait(stack, conn.id);
  assert.deepEqual(kinds(first.drift), ['role_differs bob@example.com', `unknown ${SHADOW}`]);
  const role = first.drift.findings.find((f: any) => f.kind === 'role_differs');
  assert.equal(role.userId, bobId);
  assert.deepEqual([role.observedRole, role.desiredRole], ['Admin', 'Collaborator']);
  for (const f of first.drift.findings) assert.equal(f.runId, first.run.runId, 'each finding names the scan run');
  assert.equal(first.drift.lastScan.members, 4, 'owner, ann, bob and the shadow account listed');
  // The evidence of the screens read: sealed, verified, with screenshots of the member list.
  assert.ok(first.run.evidence.files.some((f: string) => f.endsWith('.png')), JSON.stringify(first.run.evidence));
  const evidence = await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id });
  assert.deepEqual(evidence.problems, []);
  // report (the default): nothing was written to the app.
  assert.equal(stack.sandbox.state.writes, writesBefore);
  assert.equal(stack.sandbox.state.find('bob@example.com')?.role, 'Admin');
  assert.equal(await gauge(stack, conn.id, 'unknown'), '1');
  assert.equal(await gauge(stack, conn.id, 'role_differs'), '1');

  // The console: a reviewer reads the findings but cannot allow; an admin allows with a reason.
  const reviewerToken = (await admin(stack, 'POST', '/tokens', { role: 'reviewer', name: 'Auditor' })).body.token as string;
  const reviewer = new ConsolePage(await shared.browser.newPage(), stack.url);
  t.after(() => reviewer.page.close());
  await reviewer.login(reviewerToken, '/console/drift');
  await reviewer.page.getByRole('cell', { name: 'What differs' }).or(reviewer.page.getByRole('columnheader', { name: 'What differs' })).first().waitFor();
  await reviewer.page.getByRole('rowheader', { name: SHADOW }).waitFor();
  assert.equal(await reviewer.page.getByRole('button', { name: `Allow ${SHADOW}` }).count(), 0, 'no Allow button for a reviewer');
  const refused = await reviewer.post(`/console/connections/${conn.id}/drift/allow`, { _csrf: await reviewer.formToken(), email: SHADOW, reason: 'sneaking in' });
  assert.equal(refused.status(), 403);

  const ui = new ConsolePage(await shared.browser.newPage({ viewport: { width: 1280, height: 900 } }), stack.url);
  t.after(() => ui.page.close());
  await ui.login(STACK_ADMIN_TOKEN, '/console/drift');
  await ui.page.getByRole('rowheader', { name: 'bob@example.com' }).waitFor();
  await ui.page.getByText('the IdP asks for Collaborator').waitFor();
  await ui.page.getByText('screenshot(s)').first().waitFor();
  if (SHOTS) await ui.shoot(SHOTS, 'drift-findings');
  await ui.page.getByLabel(`Why ${SHADOW} may stay`).fill('Break-glass admin, sealed envelope in the safe');
  await ui.page.getByRole('button', { name: `Allow ${SHADOW}` }).click();
  await ui.notice.getByText(`${SHADOW} is allowed`).waitFor();
  await ui.page.getByText('Break-glass admin, sealed envelope in the safe').waitFor();
  assert.equal(await ui.page.getByRole('rowheader', { name: SHADOW }).count(), 0, 'an allowed account is no finding');
  await ui.page.getByText('4 members listed, 1 finding(s)').waitFor();
  if (SHOTS) await ui.shoot(SHOTS, 'drift-allowed');
  assert.deepEqual((await admin(stack, 'GET', `/connections/${conn.id}/drift`)).body.allowed.map((a: any) => a.email), [SHADOW]);

  // repair, chosen on the console's edit form (which keeps driftScanHours as stored). A settings
  // change reconverges every user (connection-writes.ts), which puts Bob back by itself; so once
  // that is done, Bob is changed by hand again for the scan to find.
  await ui.page.goto(`${stack.url}/console/connections/${conn.id}/edit`);
  assert.equal(await ui.page.getByLabel('Drift scan every (hours)').inputValue(), '0');
  await ui.page.getByLabel('Drift for IdP users').selectOption('repair');
  await ui.page.getByRole('button', { name: 'Save and test login' }).click();
  await ui.page.getByRole('status').getByText(`Saved ${conn.id}`).waitFor();
  const settings = (await admin(stack, 'GET', `/connections/${conn.id}`)).body.settings;
  assert.deepEqual([settings.drift, settings.driftScanHours], ['repair', 0]);
  await queueDrained(stack);
  await waitForUser(conn, bobId, (p) => p.state === 'in sync');
  stack.sandbox.state.changeRole('bob@example.com', 'Manager');
  // The next scan (from the CLI) reports Bob and converges him; the allowed account stays quiet.
  const viaCli = await cli(stack, ['drift', 'scan', conn.id, '--wait', '--json']);
  assert.equal(viaCli.status, 0, viaCli.stderr);
  const second = JSON.parse(viaCli.stdout) as Record<string, any>;
  assert.deepEqual(kinds(second), ['role_differs bob@example.com']);
  assert.equal(second.findings[0].observedRole, 'Manager');
  assert.equal(second.lastScan.repaired, 1);
  await waitFor(async () => stack.sandbox.state.find('bob@example.com')?.role === 'Collaborator', 'the repair to set Bob back to Collaborator', 120_000);
  await waitForUser(conn, bobId, (p) => p.state === 'in sync');

  const third = await scanAndWait(stack, conn.id);
  assert.deepEqual(kinds(third.drift), [], 'resolved findings are gone; the allowed account is not reported');
  assert.equal(stack.sandbox.state.find(SHADOW)?.role, 'Admin', 'a shadow account is never removed by a scan');
  assert.equal(await gauge(stack, conn.id, 'role_differs'), '0');
});

test('drift scan of an unknown connection is 404 (API and CLI); a reviewer may read findings but not ask for a scan', async (t) => {
  const stack = await startStack({ redisUrl: shared.redis.url, browser: shared.browser });
  t.after(() => stack.close());
  assert.equal((await admin(stack, 'POST', '/connections/nope/drift-scan')).status, 404);
  assert.equal((await admin(stack, 'GET', '/connections/nope/drift')).status, 404);
  const conn = await addUxpinConnection(stack);
  const reviewerToken = (await admin(stack, 'POST', '/tokens', { role: 'reviewer', name: 'Auditor' })).body.token as string;
  assert.equal((await admin(stack, 'POST', `/connections/${conn.id}/drift-scan`, undefined, reviewerToken)).status, 403);
  assert.deepEqual((await admin(stack, 'GET', `/connections/${conn.id}/drift`, undefined, reviewerToken)).body, { id: conn.id, findings: [], allowed: [] });
  const bad = await admin(stack, 'POST', `/connections/${conn.id}/drift/allowed`, { email: 'not-an-address', reason: 'x' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_request');
  const missing = await cli(stack, ['drift', 'scan', 'nope']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /404 No connection "nope"/);
});
