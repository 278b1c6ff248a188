/**
 * The audit log and a leaver's verdict in real Chromium, from real runs against the UXPin
 * sandbox: ann is made a Creator then deactivated (removed), bob stays, dee is refused for good.
 * The admin reads ann's verdict and each request's old → new; filters narrow the log; a reviewer
 * reads it and downloads the CSV; the admin API pages it and refuses an impossible date.
 * Set CONSOLE_SHOTS_DIR to keep screenshots (outside the repo).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../runner/browser/chromium.ts';
import type { AuditRow } from '../../core/audit/view.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { ConsolePage } from './console.page.ts';
import { ADMIN_TOKEN, addUxpinConnection, createScimUser, scim, settled, startStack, type Stack } from './stack.ts';

const SHOTS = process.env.CONSOLE_SHOTS_DIR;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const UTC = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/;

let redis: TestRedis;
let browser: Browser;
let stack: Stack;
const ids: Record<string, string> = {};

async function api(path: string, token = ADMIN_TOKEN): Promise<Response> {
  return fetch(`${stack.url}/admin/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
}

async function rowsOf(query: string, token = ADMIN_TOKEN): Promise<AuditRow[]> {
  const res = await api(`/audit?${query}`, token);
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { changes: AuditRow[] }).changes;
}

async function patch(token: string, id: string, op: unknown): Promise<void> {
  const res = await scim(stack, token, 'PATCH', `/scim/v2/acme/Users/${id}`, { schemas: [PATCH], Operations: [op] });
  assert.equal(res.status, 200, await res.text());
  await settled(stack, 'acme', id);
}

before(async () => {
  [redis, browser] = await Promise.all([startRedis(), launchChromium()]);
  stack = await startStack(redis, browser);
  const token = await addUxpinConnection(stack, 'acme');
  for (const email of ['ann@example.com', 'bob@example.com', 'dee@intranet']) {
    ids[email] = await createScimUser(stack, token, 'acme', email);
    await settled(stack, 'acme', ids[email]!);
  }
  await patch(token, ids['ann@example.com']!, { op: 'replace', path: 'roles', value: [{ value: 'Creator', primary: true }] });
  await patch(token, ids['ann@example.com']!, { op: 'replace', path: 'active', value: false });
  // The audit settles right after the state: wait for the deactivation's outcome.
  await waitFor(async () => (await rowsOf('action=deactivate'))[0]?.outcome === 'succeeded', 'the deactivation to settle');
});

after(async () => {
  await stack?.close();
  await browser?.close();
  await redis?.stop();
});

test('a leaver\'s page opens with the verdict; each SCIM request says what it changed and who sent it', async (t) => {
  const [leave] = await rowsOf('action=deactivate');
  assert.ok(leave?.settledAt && leave.tokenId.startsWith('tok_'));
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const ui = new ConsolePage(await context.newPage(), stack.url);
  await ui.login(ADMIN_TOKEN, `/console/connections/acme/users/${ids['ann@example.com']}`);
  const verdict = (await ui.page.getByRole('status', { name: 'Verdict' }).innerText()).trim();
  const when = `${leave.settledAt.slice(0, 19).replace('T', ' ')} UTC`;
  const took = ((Date.parse(leave.settledAt) - Date.parse(leave.at)) / 1000).toFixed(2);
  assert.equal(verdict, `Removed from UXPin at ${when}, ${took} s after the IdP's PATCH active=false (token ${leave.tokenId}), checked by read-back, evidence verified.`);
  const requests = ui.page.getByRole('listitem').filter({ hasText: /^SCIM/ });
  assert.equal(await requests.count(), 3);
  const texts = (await requests.allInnerTexts()).map((s) => s.replace(/\s+/g, ' '));
  assert.match(texts[1]!, /PATCH \/Users\/.*sent by token tok_\w+ \(IdP\).*role Collaborator → Creator/);
  assert.match(texts[2]!, /active true → false.*deactivate · succeeded/);
  // Absolute UTC times, with the relative one only as a hint.
  assert.match(texts[0]!, new RegExp(`${UTC.source} \\((just now|\\d+ s ago|\\d+ min ago)\\)`));
  await ui.shoot(SHOTS, 'audit-01-verdict');
  // A user who never left has no verdict.
  await ui.page.goto(`${stack.url}/console/connections/acme/users/${ids['bob@example.com']}`);
  assert.equal(await ui.page.getByRole('status', { name: 'Verdict' }).count(), 0);
});

test('the audit page lists every change and its filters narrow it on the server', async (t) => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const ui = new ConsolePage(await context.newPage(), stack.url);
  await ui.login(ADMIN_TOKEN);
  await ui.openSection('Audit log');
  const rows = ui.page.getByRole('table').getByRole('row');
  assert.equal(await rows.count(), 1 + 5, 'header + 3 creates, a role change, a deactivation');
  await ui.shoot(SHOTS, 'audit-02-log');
  const first = (await rows.nth(1).innerText()).replace(/\s+/g, ' ');
  assert.match(first, new RegExp(`${UTC.source}.*tok_\\w+.*ann@example.com.*deactivate.*active true → false.*succeeded.*target 60 min`));
  await ui.page.getByLabel('Outcome').selectOption('failed');
  await ui.page.getByRole('button', { name: 'Apply' }).click();
  await ui.page.waitForLoadState('domcontentloaded');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(1).innerText(), /dee@intranet[\s\S]*create[\s\S]*failed/);
  await ui.page.goto(`${stack.url}/console/audit?q=ann&action=role`);
  assert.equal(await rows.count(), 2);
  assert.match((await rows.nth(1).innerText()).replace(/\s+/g, ' '), /ann@example.com.*role.*role Collaborator → Creator/);
  await ui.page.goto(`${stack.url}/console/audit?limit=2`);
  assert.equal(await rows.count(), 3);
  await ui.page.getByRole('link', { name: 'Older changes →' }).click();
  await ui.page.waitForLoadState('domcontentloaded');
  assert.match((await rows.nth(1).innerText()).replace(/\s+/g, ' '), /dee@intranet.*create/);
});

test('a reviewer reads the audit log and downloads it as CSV; the API pages it', async (t) => {
  const made = await fetch(`${stack.url}/admin/v1/tokens`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'reviewer', name: 'Auditor' }),
  });
  const { token } = (await made.json()) as { token: string };
  const context = await browser.newContext({ acceptDownloads: true });
  t.after(() => context.close());
  const ui = new ConsolePage(await context.newPage(), stack.url);
  await ui.login(token);
  await ui.openSection('Audit log');
  await ui.page.getByLabel('Email').fill('ann@example.com');
  await ui.page.getByRole('button', { name: 'Apply' }).click();
  await ui.page.waitForLoadState('domcontentloaded');
  const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByRole('link', { name: 'CSV' }).click()]);
  const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n');
  assert.match(lines[0]!, /^time,connection,actor_token,request_id,target_email,user_id,action,changes,outcome,reason/);
  assert.equal(lines.length, 1 + 3);
  const deactivate = lines[1]!.split(',');
  assert.deepEqual([deactivate[1], deactivate[4], deactivate[6], deactivate[7], deactivate[8], deactivate[13]],
    ['acme', 'ann@example.com', 'deactivate', 'active: true → false', 'succeeded', 'no']);
  assert.ok(Number(deactivate[12]) > 0);
  // The API with the reviewer's token: one page and a cursor to the next.
  const page = (await (await api('/audit?limit=2', token)).json()) as { changes: AuditRow[]; next?: number };
  assert.equal(page.changes.length, 2);
  const rest = await rowsOf(`limit=10&cursor=${page.next}`, token);
  assert.deepEqual(page.changes.map((c) => c.action), ['deactivate', 'role']);
  assert.deepEqual(rest.map((c) => c.email), ['dee@intranet', 'bob@example.com', 'ann@example.com']);
  assert.equal(new Set([...page.changes, ...rest].map((c) => c.id)).size, 5);
  const bad = await api('/audit?from=2026-13-45', token);
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /from: not a date/);
});
