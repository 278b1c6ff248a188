/**
 * Connections and tokens managed in the console (issue 12, items 10 and 11), in real Chromium
 * against the gateway, its worker and the UXPin sandbox: an admin adds a connection through the
 * form (a wrong password: the login test fails in words), fixes it and edits settings (the login
 * test passes), copies the exact SCIM base URL, makes a reviewer token that is shown once, sees
 * its last use, and revokes it; a reviewer gets 403 on every admin page and form; the export page
 * takes a user's email and its SUMMARY.md names the user by email.
 * Screenshots go to CONSOLE_SHOTS_DIR when it is set (e.g. /tmp): console-conn-*.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { extractZip } from '../../runner/evidence/export-verify.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { ConsolePage } from './console.page.ts';
import { ADMIN_TOKEN, createScimUser, scim, settled, startStack, type Stack } from './stack.ts';

const SHOTS = process.env.CONSOLE_SHOTS_DIR;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });
/** Full-page screenshots with every shown-once secret masked: a token never lands in a file. */
const shot = async (ui: ConsolePage, name: string) => {
  if (SHOTS) await ui.page.screenshot({ path: join(SHOTS, `console-conn-${name}.png`), fullPage: true, mask: [ui.page.locator('.secret')] });
};

let redis: TestRedis;
let browser: Browser;
let stack: Stack;
let work: string;

before(async () => {
  [redis, browser] = await Promise.all([startRedis(), launchChromium()]);
  stack = await startStack(redis, browser);
  work = mkdtempSync(join(tmpdir(), 'scimwright-console-conn-'));
});

after(async () => {
  await stack?.close();
  await browser?.close();
  await redis?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function session(t: { after(fn: () => Promise<void>): void }, token: string): Promise<{ context: BrowserContext; ui: ConsolePage }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
  t.after(() => context.close());
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  const ui = new ConsolePage(page, stack.url);
  await ui.login(token);
  await ui.heading.getByText('Connections').waitFor();
  return { context, ui };
}

const adminApi = async (path: string, init: RequestInit = {}) => fetch(`${stack.url}/admin/v1${path}`, {
  ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers },
});

async function connectionView(id: string) {
  return (await (await adminApi(`/connections/${id}`)).json()) as {
    settings: Record<string, unknown>; credentials: { email: string; totp: boolean }; baseUrl: string;
  };
}

test('an admin adds a connection, sees a failed login test in words, fixes it, edits settings and copies the SCIM base URL', async (t) => {
  const { ui } = await session(t, ADMIN_TOKEN);
  const { page } = ui;
  const { sandbox } = stack;

  await t.test('the form refuses a short password with the schema\'s words and keeps what was typed', async () => {
    await page.getByRole('link', { name: 'Add connection' }).click();
    await ui.heading.getByText('Add a connection').waitFor();
    await page.getByLabel('Connection id').fill('shop');
    await page.getByLabel('App base URL').fill(sandbox.url);
    await page.getByLabel('Admin email').fill(sandbox.admin.email);
    await page.getByLabel('Admin password').fill('x');
    await page.getByRole('button', { name: 'Add connection and test login' }).click();
    await page.getByRole('alert').getByText(/Not saved: credentials\.password: the app admin password is too short: use at least 8 characters/).waitFor();
    assert.equal(await page.getByLabel('Connection id').inputValue(), 'shop');
    assert.equal(await page.getByLabel('Admin password').inputValue(), '', 'a secret is never put back into the page');
    await shot(ui, '01-add-refused');
    assert.equal((await adminApi('/connections/shop')).status, 404, 'nothing was created');
  });

  let token = '';
  await t.test('a wrong password: the connection is added, its token shown once, and the login test fails in words', async () => {
    await page.getByLabel('Admin password').fill('not-the-password-1');
    await page.getByLabel('Default role').selectOption('Creator');
    await page.getByLabel('IdP group → app role').fill('Design = Admin\nEngineering = Developer');
    await page.getByRole('button', { name: 'Add connection and test login' }).click();
    await page.getByText('This is the only time the token is shown').waitFor();
    const url = `${stack.url}/scim/v2/shop`;
    assert.equal(await page.locator('#scim-url-shop').textContent(), url);
    token = (await page.locator('#new-token').textContent()) ?? '';
    assert.match(token, /^scim_/);
    await shot(ui, '02-added-token-once');
    assert.equal((await scim(stack, token, 'GET', '/scim/v2/shop/Users')).status, 200);

    await page.getByRole('link', { name: 'Done: see the login test' }).click();
    const result = page.getByRole('alert', { name: 'Login test' });
    await result.waitFor({ timeout: 60_000 });
    assert.match((await result.textContent()) ?? '', /Login test failed: UXPin refused the login: Incorrect email or password/);
    await shot(ui, '03-login-test-failed');
    const stored = await connectionView('shop');
    assert.equal(stored.settings.defaultRole, 'Creator');
    assert.deepEqual(stored.settings.groupRoleMap, { Design: 'Admin', Engineering: 'Developer' });
    assert.equal(stored.credentials.email, sandbox.admin.email);
  });

  await t.test('edit: the real password and other settings; the login test passes; credentials stay write-only', async () => {
    await page.getByText('Password: set — leave blank to keep it.').waitFor();
    await page.getByLabel('Replace password').fill(sandbox.admin.password);
    await page.getByLabel('Default role').selectOption('Collaborator');
    await page.getByLabel('Deprovisioning target (minutes)').fill('30');
    await page.getByLabel("Keep the app's display name in step with the IdP").uncheck();
    await page.getByRole('button', { name: 'Save and test login' }).click();
    await page.getByRole('status').getByText('Saved shop').waitFor();
    const result = page.getByRole('status', { name: 'Login test' }).getByText('Login works.');
    await result.waitFor({ timeout: 60_000 });
    await shot(ui, '04-edited-login-works');
    const html = await page.content();
    assert.ok(!html.includes(sandbox.admin.password), 'the password is never rendered');
    assert.equal(await page.getByLabel('Replace password').inputValue(), '');
    const stored = await connectionView('shop');
    assert.equal(stored.settings.defaultRole, 'Collaborator');
    assert.equal(stored.settings.deprovisionTargetMinutes, 30);
    assert.equal(stored.settings.syncDisplayName, false);
    assert.equal(stored.settings.createUsers, true);
    assert.deepEqual(stored.settings.groupRoleMap, { Design: 'Admin', Engineering: 'Developer' }, 'fields left as shown are kept');
    assert.equal(stored.baseUrl, sandbox.url);
  });

  await t.test('a role the app does not have is refused by the connector check, nothing changes', async () => {
    await page.getByLabel('SCIM role → app role').fill('boss = Owner');
    await page.getByRole('button', { name: 'Save and test login' }).click();
    await page.getByRole('alert').getByText('Not saved: settings.roleMap.boss: scimwright never assigns the Owner role').waitFor();
    await shot(ui, '05-edit-refused');
    assert.deepEqual((await connectionView('shop')).settings.roleMap, {});
    await page.getByLabel('SCIM role → app role').fill('');
  });

  await t.test('the connections list shows the exact SCIM base URL with a copy button that copies it', async () => {
    await ui.openSection('Connections');
    const row = page.getByRole('row', { name: /shop/ });
    const url = `${stack.url}/scim/v2/shop`;
    assert.equal(await row.locator('code.scim-url').textContent(), url);
    await row.getByRole('button', { name: 'Copy the SCIM base URL of shop' }).click();
    await row.getByRole('button', { name: 'Copy the SCIM base URL of shop' }).getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
    await row.getByRole('link', { name: 'Edit shop' }).waitFor();
    await shot(ui, '06-connections-list');
  });

  await t.test('the export page takes the user\'s email; SUMMARY.md names the user by email; an unknown email is an error', async () => {
    const userId = await createScimUser(stack, token, 'shop', 'ivy@example.com');
    assert.equal((await settled(stack, 'shop', userId)).state, 'in_sync');
    await ui.openSection('Evidence export');
    await page.getByLabel('Connection', { exact: true }).selectOption('shop');
    await page.getByLabel(/^User/).fill('nobody@example.com');
    await page.getByRole('button', { name: 'Download bundle' }).click();
    await page.getByRole('alert').getByText('No bundle made: no runs of user nobody@example.com in connection shop').waitFor();
    assert.equal(await page.getByLabel(/^User/).inputValue(), 'nobody@example.com');
    await shot(ui, '07-export-unknown-email');
    await page.getByLabel(/^User/).fill('IVY@example.com');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download bundle' }).click()]);
    const zip = join(work, 'ivy.zip');
    await download.saveAs(zip);
    await extractZip(zip, join(work, 'ivy'));
    const summary = readFileSync(join(work, 'ivy', 'SUMMARY.md'), 'utf8');
    assert.match(summary, new RegExp(`for ivy@example\\.com \\(SCIM user ${userId}\\), connection shop`));
    assert.match(summary, /### .* · shop · ivy@example\.com \(SCIM user /);
  });
});

test('reviewer token lifecycle: made in the console and shown once, last use and expiry listed, revoked; reviewers get 403 on admin pages', async (t) => {
  const admin = await session(t, ADMIN_TOKEN);
  const { page } = admin.ui;
  await admin.ui.openSection('Tokens');
  await page.getByLabel('Name').fill('Auditor Q4');
  await page.getByLabel('Role').selectOption('reviewer');
  await page.getByLabel('Expires after').selectOption('30');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByText('This is the only time the token is shown').waitFor();
  const token = (await page.locator('#new-console-token').textContent()) ?? '';
  assert.match(token, /^swr_/);
  await shot(admin.ui, '08-token-once');
  await page.reload();
  await page.getByText('The new token is no longer shown').waitFor();

  await admin.ui.openSection('Tokens');
  const row = page.getByRole('row', { name: /Auditor Q4/ });
  await row.getByText('never used').waitFor();
  const listed = (await (await adminApi('/tokens')).json()) as { tokens: Array<{ id: string; name: string; expiresAt?: string; lastUsedAt?: string }> };
  const record = listed.tokens.find((x) => x.name === 'Auditor Q4')!;
  const days = (Date.parse(record.expiresAt!) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, `expires in 30 days (${days})`);
  await row.getByText(record.expiresAt!.slice(0, 10)).waitFor();

  const reviewer = await session(t, token);
  const rp = reviewer.ui.page;
  assert.equal(await reviewer.ui.mainNav.getByRole('link', { name: 'Tokens' }).count(), 0);
  assert.equal(await rp.getByRole('link', { name: 'Add connection' }).count(), 0);
  assert.equal(await rp.getByRole('link', { name: /^Edit / }).count(), 0);
  await rp.locator('code.scim-url').first().waitFor();
  for (const path of ['/console/tokens', '/console/connections/new', '/console/connections/shop/edit', '/console/tokens/new-token']) {
    const res = await rp.goto(`${stack.url}${path}`);
    assert.equal(res?.status(), 403, path);
  }
  await rp.getByText('Reviewers can read everything here but change nothing').waitFor();
  await shot(reviewer.ui, '09-reviewer-403');
  const csrf = await reviewer.ui.formToken();
  const forms: Array<[string, Record<string, string>]> = [
    ['/console/tokens', { _csrf: csrf, name: 'sneaky', role: 'admin', expiresInDays: '' }],
    ['/console/connections', { _csrf: csrf, id: 'evil', connector: 'uxpin', baseUrl: stack.sandbox.url, email: 'a@b.c', password: 'password-123' }],
    ['/console/connections/shop/edit', { _csrf: csrf, baseUrl: 'https://evil.example', email: 'a@b.c' }],
    [`/console/tokens/${record.id}/revoke`, { _csrf: csrf }],
  ];
  for (const [path, form] of forms) assert.equal((await reviewer.ui.post(path, form)).status(), 403, path);
  assert.equal((await connectionView('shop')).baseUrl, stack.sandbox.url);
  assert.equal((await adminApi('/connections/evil')).status, 404);

  await page.reload();
  await row.getByText('never used').waitFor({ state: 'detached' });
  assert.match((await row.textContent()) ?? '', /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  await shot(admin.ui, '10-tokens-last-used');

  await row.getByRole('button', { name: 'Revoke Auditor Q4' }).click();
  await page.getByRole('status').getByText(`Token ${record.id} revoked`).waitFor();
  assert.equal(await page.getByRole('row', { name: /Auditor Q4/ }).count(), 0);
  await rp.goto(`${stack.url}/console/connections`);
  await reviewer.ui.token.waitFor();
  assert.equal((await fetch(`${stack.url}/admin/v1/connections`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
});
