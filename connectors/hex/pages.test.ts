/**
 * The Hex page objects against the Hex sandbox in real Chromium, over every presentation preset
 * (HEX_VARIANT narrows to one): login with TOTP, the SCIM token tab, the Users list and roles.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Secret } from 'otpauth';
import { PermanentAppError, SessionExpiredError } from '../../core/errors.ts';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { startHexSandbox, type HexSandbox, type HexSandboxOptions } from '../../test/sandboxes/hex/server.ts';
import { hexVariantsToRun } from '../../test/sandboxes/hex/variants.ts';
import { LoginPage } from './pages/login.page.ts';
import { ScimTokenPage } from './pages/scim-token.page.ts';
import { SettingsNav } from './pages/settings-nav.ts';
import { UsersPage } from './pages/users.page.ts';

const CREDENTIALS = { email: 'admin@example.com', password: 'correct horse battery staple' };

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

async function open(t: { after(fn: () => Promise<void>): void }, options: HexSandboxOptions): Promise<{ sandbox: HexSandbox; page: Page }> {
  const sandbox = await startHexSandbox(options);
  const context = await browser.newContext();
  t.after(async () => {
    await context.close();
    await sandbox.stop();
  });
  return { sandbox, page: await context.newPage() };
}

const seeds = Array.from({ length: 27 }, (_, i) => ({ email: `user${String(i).padStart(2, '0')}@example.com`, name: `User ${i}`, source: 'scim' as const }));

for (const { name, presentation } of hexVariantsToRun()) {
  test(`${name}: login with TOTP, then Generate and Regenerate read the token from its dialog`, async (t) => {
    const totpSecret = new Secret().base32;
    const { sandbox, page } = await open(t, { presentation, totpSecret });
    const login = new LoginPage(page, sandbox.url);
    assert.equal(await login.open(), false);
    const secrets: string[] = [];
    await login.logIn({ ...CREDENTIALS, totpSecret }, (s) => secrets.push(s));
    assert.equal(secrets.length, 1);
    assert.equal(await login.open(), true, 'a live session is recognised');

    await new SettingsNav(page, sandbox.url).open('Authentication');
    const scim = new ScimTokenPage(page);
    await scim.openScimTab();
    assert.deepEqual(await scim.state(), { kind: 'no-token' });
    assert.equal(await scim.baseUrl(), sandbox.scimBaseUrl);
    const seen: string[] = [];
    const first = await scim.issue(false, (tok) => seen.push(tok));
    assert.deepEqual(seen, [first.token]);
    assert.match(first.generated ?? '', /by admin@example\.com/);
    const state = await scim.state();
    assert.equal(state.kind, 'token');
    const second = await scim.issue(true, () => {});
    assert.notEqual(second.token, first.token);
    assert.ok(sandbox.state.tokenMatches(second.token));
    assert.equal(sandbox.state.tokenGenerations, 2);
  });

  test(`${name}: Users — find, search misses, seat-confirmed role change read back after reload, every page listed`, async (t) => {
    const { sandbox, page } = await open(t, { presentation, seedUsers: [...seeds, { email: 'joann@example.com', name: 'Jo Ann' }, { email: 'ann@example.com', name: 'Ann Lee' }] });
    const login = new LoginPage(page, sandbox.url);
    await login.open();
    await login.logIn(CREDENTIALS);
    await new SettingsNav(page, sandbox.url).open('Users');
    const users = new UsersPage(page);
    await users.ready();
    assert.deepEqual(await users.find('ann@example.com'), { email: 'ann@example.com', name: 'Ann Lee', role: 'Viewer', status: 'active', locked: false });
    assert.equal(await users.find('nobody@example.com'), null);
    assert.equal((await users.find('admin@example.com'))?.locked, true);

    await users.search('ann@example.com');
    const outcome = await users.chooseRole('ann@example.com', 'Editor');
    assert.equal(outcome.kind, 'saved');
    await users.reload();
    assert.equal((await users.find('ann@example.com'))?.role, 'Editor');
    assert.deepEqual(sandbox.snapshot().roleChanges.map((c) => [c.userName, c.to, c.seatConfirmed]), [['ann@example.com', 'Editor', true]]);

    await users.reload();
    const all = [];
    do all.push(...(await users.readPage()));
    while (await users.nextPage());
    assert.equal(all.length, sandbox.state.users.size);
    assert.equal(new Set(all.map((u) => u.email)).size, all.length);
  });

  test(`${name}: a role save that fails after the change says so, and the reload shows what Hex kept`, async (t) => {
    const { sandbox, page } = await open(t, { presentation, seedUsers: [{ email: 'ed@example.com', role: 'Editor' }] });
    const login = new LoginPage(page, sandbox.url);
    await login.open();
    await login.logIn(CREDENTIALS);
    await new SettingsNav(page, sandbox.url).open('Users');
    const users = new UsersPage(page);
    await users.ready();
    await users.search('ed@example.com');
    sandbox.setKnobs({ failureCount: 1, failureTiming: 'after', failureScope: 'ui' });
    assert.equal((await users.chooseRole('ed@example.com', 'Manager')).kind, 'failed');
    await users.reload();
    assert.equal((await users.find('ed@example.com'))?.role, 'Manager');
    sandbox.setKnobs({ failureTiming: 'before', failureCount: 1 });
    await users.search('ed@example.com');
    assert.equal((await users.chooseRole('ed@example.com', 'Explorer')).kind, 'failed');
    await users.reload();
    assert.equal((await users.find('ed@example.com'))?.role, 'Manager');
  });
}

test('plan and SSO messages are read as blocked; an ended session is SessionExpiredError; a wrong password is permanent', async (t) => {
  for (const [options, reason] of [[{ plan: 'Team' as const }, 'plan'], [{ ssoRequired: true }, 'sso']] as const) {
    const { sandbox, page } = await open(t, options);
    const login = new LoginPage(page, sandbox.url);
    await login.open();
    await login.logIn(CREDENTIALS);
    await new SettingsNav(page, sandbox.url).open('Authentication');
    const scim = new ScimTokenPage(page);
    await scim.openScimTab();
    const state = await scim.state();
    assert.equal(state.kind === 'blocked' && state.reason, reason);
    for (const session of sandbox.state.sessions.values()) session.expiresAt = 0;
    await page.reload();
    await assert.rejects(scim.state(), SessionExpiredError);
  }
  const { sandbox, page } = await open(t, {});
  const login = new LoginPage(page, sandbox.url);
  await login.open();
  await assert.rejects(login.logIn({ ...CREDENTIALS, password: 'wrong' }), (e: unknown) => e instanceof PermanentAppError && /Incorrect email or password/.test(e.message));
});
