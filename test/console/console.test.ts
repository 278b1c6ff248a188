/**
 * The console in real Chromium against data from real runs: the converge worker drives the UXPin
 * sandbox (three invites, one refused for lack of seats, one removal). Admin and reviewer walk
 * every page; a screenshot opens full size; a bundle is exported and verified by the CLI; the
 * reviewer cannot rotate, retry or reach Bull Board; /metrics moves after the runs.
 * Set CONSOLE_SHOTS_DIR to keep a screenshot of every page (outside the repo).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { verifyZip } from '../../runner/evidence/export-verify.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { ConsolePage } from './console.page.ts';
import { ADMIN_TOKEN, addUxpinConnection, createScimUser, scim, settled, startStack, type Stack } from './stack.ts';

const SHOTS = process.env.CONSOLE_SHOTS_DIR;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

let redis: TestRedis;
let browser: Browser;
let stack: Stack;
let scimToken: string;
let downloads: string;
const users: Record<string, string> = {};
let metricsBefore = '';

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  const want = Object.entries(labels);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every(([k, v]) => l.includes(`${k}="${v}"`)))
    ?? text.split('\n').find((l) => want.length === 0 && l.startsWith(`${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

before(async () => {
  [redis, browser] = await Promise.all([startRedis(), launchChromium()]);
  downloads = mkdtempSync(join(tmpdir(), 'scimwright-console-dl-'));
  // Owner + two members fill the plan: the third invite is refused (seat_limit), a failed run.
  stack = await startStack(redis, browser, { seatLimit: 3 });
  scimToken = await addUxpinConnection(stack, 'acme');
  metricsBefore = await (await fetch(`${stack.url}/metrics`)).text();
  for (const email of ['ann@example.com', 'bob@example.com']) {
    users[email] = await createScimUser(stack, scimToken, 'acme', email);
    await settled(stack, 'acme', users[email]!);
  }
  users['cy@example.com'] = await createScimUser(stack, scimToken, 'acme', 'cy@example.com');
  assert.equal((await settled(stack, 'acme', users['cy@example.com']!)).state, 'failed');
  const removed = await scim(stack, scimToken, 'DELETE', `/scim/v2/acme/Users/${users['bob@example.com']}`);
  assert.equal(removed.status, 204);
  assert.equal((await settled(stack, 'acme', users['bob@example.com']!)).state, 'removed');
  // An address the app refuses for good: a failure no retry will fix, for the reviewer to see.
  users['dee@intranet'] = await createScimUser(stack, scimToken, 'acme', 'dee@intranet');
  assert.equal((await settled(stack, 'acme', users['dee@intranet']!)).state, 'failed');
});

after(async () => {
  await stack?.close();
  await browser?.close();
  await redis?.stop();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

async function session(t: { after(fn: () => Promise<void>): void }): Promise<{ context: BrowserContext; ui: ConsolePage }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 860 } });
  t.after(() => context.close());
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return { context, ui: new ConsolePage(page, stack.url) };
}

test('/metrics shows SCIM requests, runs, failures by reason and the deprovision latency moving', async () => {
  assert.doesNotMatch(metricsBefore, /scimwright_job_duration_seconds_count\{/);
  assert.doesNotMatch(metricsBefore, /route="\/scim\/v2\/:connectionId\/Users",status="201"/);
  assert.equal(await metric('scimwright_scim_requests_total', { method: 'POST', route: '/scim/v2/:connectionId/Users', status: '201' }), 4);
  assert.equal(await metric('scimwright_scim_requests_total', { method: 'DELETE', status: '204' }), 1);
  assert.equal(await metric('scimwright_job_duration_seconds_count', { connector: 'uxpin', action: 'invite', status: 'succeeded' }), 2);
  assert.ok(await metric('scimwright_job_failures_total', { connector: 'uxpin', reason: 'seat_limit' }) >= 1);
  assert.equal(await metric('scimwright_deprovision_latency_seconds_count', { connector: 'uxpin' }), 1);
  assert.match(await (await fetch(`${stack.url}/metrics`)).text(), /scimwright_queue_jobs\{state="waiting"\} \d+/);
  assert.ok(await metric('scimwright_browser_sessions_opened_total', {}) >= 1, 'the worker opened a browser session');
});

test('an admin walks every page, opens a screenshot, exports a bundle that the CLI verifies, retries and rotates', async (t) => {
  const { ui } = await session(t);
  await t.test('signs in and sees the connection', () => signInAndOverview(ui));
  await t.test('searches and filters users', () => searchUsers(ui));
  await t.test('reads a timeline and opens a screenshot full size', () => readTimelines(ui));
  await t.test('retries a failed user; sees the drift empty state', () => retryAndDrift(ui));
  await t.test('exports a bundle that the CLI verifies', () => exportBundle(ui));
  await t.test('opens Bull Board and rotates a SCIM token', () => queuesAndRotate(ui));
});

/** A wrong token is refused; the right one shows the connection and its failing users. */
async function signInAndOverview(ui: ConsolePage): Promise<void> {
  const { page } = ui;
  await page.goto(`${stack.url}/console/connections`);
  await ui.shoot(SHOTS, '01-login');
  await ui.token.fill('not-a-token');
  await ui.signIn.click();
  await page.getByRole('alert').getByText('That token is not valid').waitFor();
  await ui.shoot(SHOTS, '02-login-error');
  await ui.token.fill(ADMIN_TOKEN);
  await ui.signIn.click();
  await ui.heading.getByText('Connections').waitFor();
  const row = page.getByRole('row', { name: /acme/ });
  await row.getByText('failing').waitFor();
  assert.equal(await row.getByRole('link', { name: '2 failed users' }).count(), 1);
  await ui.shoot(SHOTS, '03-connections-admin');
}

/** Search by name, filter by state, and the empty result. */
async function searchUsers(ui: ConsolePage): Promise<void> {
  const { page } = ui;
  await page.getByRole('row', { name: /acme/ }).getByRole('link', { name: 'acme', exact: true }).click();
  await ui.heading.getByText('Users of acme').waitFor();
  await ui.shoot(SHOTS, '04-users');
  await page.getByLabel('Search').fill('ann');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('1 of 4 user(s) match').waitFor();
  await page.getByLabel('Search').fill('');
  await page.getByLabel('State').selectOption('failed');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('link', { name: 'cy@example.com' }).waitFor();
  await page.getByRole('link', { name: 'dee@intranet' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'ann@example.com' }).count(), 0);
  await page.getByLabel('Search').fill('nobody-here');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('No user matches').waitFor();
  await ui.shoot(SHOTS, '05-users-empty-search');
}

/** SCIM request → run → steps with verified screenshots; one opens full size by keyboard. */
async function readTimelines(ui: ConsolePage): Promise<void> {
  const { page } = ui;
  await page.goto(`${stack.url}/console/connections/acme/users/${users['ann@example.com']}`);
  await ui.heading.getByText('ann@example.com').waitFor();
  await page.getByText('POST /Users').waitFor();
  await page.getByText(/All \d+ file\(s\) match the sealed manifest/).first().waitFor();
  await ui.shoot(SHOTS, '06-timeline');
  // An unchanged screen is one file named by two steps (the invite's after, the read-back's before): shown under each.
  const shot = page.getByRole('link', { name: /Open screenshot \d+-invite-.*-after\.png full size/ }).first();
  await shot.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Screenshot' });
  await dialog.waitFor();
  const full = await dialog.getByRole('img').evaluate((img: HTMLImageElement) => ({ w: img.naturalWidth, src: img.src }));
  assert.ok(full.w > 400, `full-size image loaded (${full.w}px wide)`);
  await ui.shoot(SHOTS, '07-screenshot-full');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  const png = await page.request.get(full.src);
  assert.equal(png.headers()['content-type'], 'image/png');

  await page.goto(`${stack.url}/console/connections/acme/users/${users['bob@example.com']}`);
  await page.getByText('DELETE /Users/').waitFor();
  await page.getByText(/^remove$/).first().waitFor();
  await ui.shoot(SHOTS, '08-timeline-removed');
}

/** The failed list gives the reason; Retry queues a converge that runs. */
async function retryAndDrift(ui: ConsolePage): Promise<void> {
  const { page } = ui;
  await ui.openSection('Failed & stuck');
  const failedRow = page.getByRole('row', { name: /cy@example\.com/ });
  await failedRow.getByText('seat_limit').waitFor();
  await ui.shoot(SHOTS, '09-attention');
  const runsBefore = (await stack.runs.list('acme', { userId: users['cy@example.com'] })).length;
  await failedRow.getByRole('button', { name: 'Retry cy@example.com' }).click();
  await page.getByRole('status').getByText('Retry queued').waitFor();
  await settledAgain(users['cy@example.com']!, runsBefore);

  await ui.openSection('Drift');
  await page.getByText('No drift scan has run yet').waitFor();
  await ui.shoot(SHOTS, '10-drift');
}

/** The export form downloads a zip that `scimwright evidence verify --zip` accepts. */
async function exportBundle(ui: ConsolePage): Promise<void> {
  const { page } = ui;
  await ui.openSection('Evidence export');
  await ui.shoot(SHOTS, '11-export');
  await page.getByLabel('Connection', { exact: true }).selectOption('acme');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download bundle' }).click()]);
  const zip = join(downloads, download.suggestedFilename());
  await download.saveAs(zip);
  assert.match(download.suggestedFilename(), /^scimwright-evidence-acme-\d{8}T\d{6}Z\.zip$/);
  const cli = await promisify(execFile)(process.execPath, ['bin/scimwright.js', 'evidence', 'verify', '--zip', zip], { cwd: join(import.meta.dirname, '..', '..') });
  assert.match(cli.stdout, /^Bundle OK: [4-9] run\(s\), \d+ file\(s\) checked\./);
  assert.equal((await verifyZip(zip)).ok, true);
}

/** Bull Board loads for an admin; rotation shows the token once and swaps it at once. */
async function queuesAndRotate(ui: ConsolePage): Promise<void> {
  const { page } = ui;
  await ui.openSection('Queues');
  await page.getByText('scimwright queues').first().waitFor();
  await page.getByText(/^\d+ Jobs?$/).first().waitFor();
  await ui.shoot(SHOTS, '12-queues');

  await page.goto(`${stack.url}/console/connections`);
  await page.getByRole('row', { name: /acme/ }).getByRole('button', { name: 'Rotate token' }).click();
  await page.getByText('This is the only time the new token is shown').waitFor();
  const newToken = (await page.locator('#new-token').textContent()) ?? '';
  await ui.shoot(SHOTS, '13-rotated');
  await page.reload();
  await page.getByText('The new token is no longer shown').waitFor();
  assert.equal((await scim(stack, scimToken, 'GET', '/scim/v2/acme/Users')).status, 401);
  assert.equal((await scim(stack, newToken, 'GET', '/scim/v2/acme/Users')).status, 200);
  scimToken = newToken;

  const noCsrf = await ui.post('/console/connections/acme/rotate-token', {});
  assert.equal(noCsrf.status(), 403, 'a POST without the form token is refused');
}

async function settledAgain(userId: string, runsBefore: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await stack.runs.list('acme', { userId })).filter((r) => r.status !== 'running').length <= runsBefore) {
    if (Date.now() > deadline) throw new Error('the retry did not run');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a reviewer reads every page but cannot rotate, retry or reach Bull Board', async (t) => {
  const made = await fetch(`${stack.url}/admin/v1/tokens`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'reviewer', name: 'Audit 2025' }),
  });
  assert.equal(made.status, 201);
  const { token, id } = (await made.json()) as { token: string; id: string };
  const { ui, context } = await session(t);
  const { page } = ui;
  await ui.login(token);
  await ui.heading.getByText('Connections').waitFor();
  await page.getByText('Reviewer · read-only').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Rotate token' }).count(), 0);
  assert.equal(await ui.mainNav.getByRole('link', { name: 'Queues' }).count(), 0);
  await ui.shoot(SHOTS, '14-connections-reviewer');
  const cookies = await context.cookies();
  const cookie = cookies.find((c) => c.name === 'sw_console');
  assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict', 'HttpOnly, SameSite=Strict session cookie');
  assert.notEqual(cookie.value, token, 'the cookie holds a session id, not the token');

  await page.goto(`${stack.url}/console/connections/acme/users/${users['dee@intranet']}`);
  await page.getByText('user_refused').first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Converge again' }).count(), 0);
  await ui.openSection('Failed & stuck');
  await page.getByRole('row', { name: /dee@intranet/ }).getByText('user_refused').waitFor();
  assert.equal(await page.getByRole('button', { name: /^Retry/ }).count(), 0);
  await ui.openSection('Drift');
  await ui.openSection('Evidence export');
  await page.getByRole('button', { name: 'Download bundle' }).waitFor();

  const tokenBefore = (await stack.core.connections.get('acme'))!.token.id;
  const csrf = await ui.formToken();
  const rotate = await ui.post('/console/connections/acme/rotate-token', { _csrf: csrf });
  assert.equal(rotate.status(), 403);
  const retry = await ui.post(`/console/connections/acme/users/${users['dee@intranet']}/retry`, { _csrf: csrf });
  assert.equal(retry.status(), 403);
  const board = await page.goto(`${stack.url}/console/queues`);
  assert.equal(board?.status(), 403);
  await page.getByText('The queue board is for admins').waitFor();
  await ui.shoot(SHOTS, '15-queues-reviewer-403');
  assert.equal((await page.request.get(`${stack.url}/console/queues/api/queues`)).status(), 403);
  assert.equal((await stack.core.connections.get('acme'))!.token.id, tokenBefore, 'the SCIM token was not rotated');

  const revoked = await fetch(`${stack.url}/admin/v1/tokens/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(revoked.status, 204);
  await page.goto(`${stack.url}/console/connections`);
  await ui.token.waitFor();
});

test('evidence files are served to signed-in users only, and never outside the run folder', async () => {
  const [run] = await stack.runs.list('acme', { userId: users['ann@example.com'] });
  const file = run!.evidence!.files.find((f) => f.endsWith('.png'))!;
  const anonymous = await fetch(`${stack.url}/console/evidence/${run!.runId}/${file}`, { redirect: 'manual' });
  assert.equal(anonymous.status, 302);
  assert.match(anonymous.headers.get('location') ?? '', /^\/console\/login\?next=/);
  const context = await browser.newContext();
  try {
    const ui = new ConsolePage(await context.newPage(), stack.url);
    await ui.login(ADMIN_TOKEN);
    for (const bad of ['..%2F..%2Fchain-head.json', '..%2Fmanifest.json', '%2Fetc%2Fpasswd', 'chain-head.json']) {
      const res = await ui.page.request.get(`${stack.url}/console/evidence/${run!.runId}/${bad}`);
      assert.equal(res.status(), 404, bad);
    }
    const ok = await ui.page.request.get(`${stack.url}/console/evidence/${run!.runId}/${file}`);
    assert.equal(ok.status(), 200);
  } finally {
    await context.close();
  }
});
