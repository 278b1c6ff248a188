/**
 * The Hex connector against the Hex sandbox in real Chromium, over every presentation preset
 * (HEX_VARIANT narrows to one): setup and the 401 regeneration in the browser, users and groups
 * over Hex's SCIM without roles, roles set and read back on Settings → Users, Admin protected.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { Secret } from 'otpauth';
import type { DesiredUser } from '../../core/connector.ts';
import { PermanentAppError } from '../../core/errors.ts';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { startHexSandbox, type HexSandbox, type HexSandboxOptions } from '../../test/sandboxes/hex/server.ts';
import { hexVariantsToRun } from '../../test/sandboxes/hex/variants.ts';
import { makeTestContext, type TestContext } from '../lib/hybrid/test-context.ts';
import { VAULT } from '../lib/hybrid/index.ts';
import { hexConnector } from './index.ts';
import type { HexSettings } from './settings.ts';

const ops = hexConnector.operations;
let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

async function setUp(t: { after(fn: () => Promise<void>): void }, options: HexSandboxOptions, vault?: 'token'): Promise<{ sandbox: HexSandbox; ctx: TestContext<HexSettings> }> {
  const sandbox = await startHexSandbox(options);
  const context = await browser.newContext();
  t.after(async () => {
    await context.close();
    await sandbox.stop();
  });
  const page = await context.newPage();
  const ctx = makeTestContext<HexSettings>({
    baseUrl: sandbox.url, settings: hexConnector.settings.parse({}), page: async () => page, connectionId: 'conn-hex-test',
    credentials: { ...sandbox.knobs.admin, ...(sandbox.knobs.totpSecret ? { totpSecret: sandbox.knobs.totpSecret } : {}) },
    ...(vault ? { vault: { [VAULT.appToken]: sandbox.issueToken(), [VAULT.endpointUrl]: sandbox.scimBaseUrl } } : {}),
  });
  // The runner logs in before user operations (runner/converge.ts withLogin).
  if (vault) await ops.login(ctx);
  return { sandbox, ctx };
}

const desired = (email: string, role: string, extra: Partial<DesiredUser> = {}): DesiredUser => ({ email, member: true, role, groups: [], ...extra });

for (const { name, presentation } of hexVariantsToRun()) {
  test(`[${name}] setup logs in with TOTP and generates the token; without the token it regenerates; a 401 regenerates once`, async (t) => {
    const { sandbox, ctx } = await setUp(t, { presentation, totpSecret: new Secret().base32 });
    await ops.tasks!.setup!(ctx);
    const token = ctx.vaultData.get(VAULT.appToken)!;
    assert.ok(sandbox.state.tokenMatches(token));
    assert.equal(ctx.vaultData.get(VAULT.endpointUrl), sandbox.scimBaseUrl);
    assert.ok(ctx.secrets.includes(token), 'the token was registered as a secret');
    assert.equal(sandbox.state.tokenGenerations, 1);

    ctx.vaultData.delete(VAULT.appToken);
    await ops.tasks!.setup!(ctx);
    assert.equal(sandbox.state.tokenGenerations, 2, 'a token existed that scimwright did not hold: Regenerate');
    assert.ok(sandbox.state.tokenMatches(ctx.vaultData.get(VAULT.appToken)!));

    sandbox.issueToken(); // someone regenerates in Hex: the stored token is dead
    assert.equal(await ops.findUser(ctx, 'nobody@acme.test'), null);
    assert.equal(sandbox.state.tokenGenerations, 4, 'exactly one regeneration after the 401');
    assert.equal(sandbox.state.stats.unauthorized, 2, 'the refused call, then the proof that the old token is dead');
  });

  test(`[${name}] users over SCIM without roles, roles on the Users page (seat confirmed), groups with Hex ids, deprovisioning, Admin protected`, async (t) => {
    const { sandbox, ctx } = await setUp(t, { presentation, defaultRole: 'Guest' }, 'token');
    await ops.invite(ctx, desired('ann@acme.test', 'Editor', { givenName: 'Ann', familyName: 'Lee', groups: ['Analysts'] }));
    await ops.invite(ctx, desired('bob@acme.test', 'Viewer', { groups: ['Analysts'] }));
    const ann = sandbox.state.byUserName('ann@acme.test')!;
    const bob = sandbox.state.byUserName('bob@acme.test')!;
    assert.deepEqual([ann.role, ann.source, bob.role], ['Editor', 'scim', 'Viewer'], "set after create: Hex's default (Guest) differed");
    const analysts = [...sandbox.state.groups.values()].filter((g) => g.displayName === 'Analysts');
    assert.equal(analysts.length, 1, 'one Hex group');
    assert.deepEqual([...analysts[0]!.members].sort(), [ann.id, bob.id].sort(), "members are Hex's own ids");
    assert.deepEqual(sandbox.state.roleChanges.map((c) => [c.userName, c.from, c.to, c.seatConfirmed]),
      [['ann@acme.test', 'Guest', 'Editor', true], ['bob@acme.test', 'Guest', 'Viewer', false]]);

    const seen = await ops.findUser(ctx, 'ann@acme.test');
    assert.deepEqual([seen?.role, seen?.status, seen?.appId], ['Editor', 'active', ann.id]);
    await ops.changeRole(ctx, desired('ann@acme.test', 'Manager'));
    assert.equal(sandbox.state.byUserName('ann@acme.test')?.role, 'Manager');

    await ops.deactivate!(ctx, (await ops.findUser(ctx, 'ann@acme.test'))!);
    assert.equal(sandbox.state.byUserName('ann@acme.test')?.status, 'Deactivated');
    sandbox.state.byUserName('ann@acme.test')!.role = 'Viewer'; // as if Hex had dropped the seat meanwhile
    await ops.reactivate!(ctx, desired('ann@acme.test', 'Manager', { groups: ['Analysts'] }));
    assert.deepEqual([sandbox.state.byUserName('ann@acme.test')?.status, sandbox.state.byUserName('ann@acme.test')?.role], ['Active', 'Manager'], 'reactivation restores the role');

    const listed = await ops.listUsers(ctx);
    assert.deepEqual(listed.map((u) => [u.email, u.role]).sort(), [['admin@example.com', 'Admin'], ['ann@acme.test', 'Manager'], ['bob@acme.test', 'Viewer']]);

    const adminUser = listed.find((u) => u.email === 'admin@example.com')!;
    await assert.rejects(ops.changeRole(ctx, desired('admin@example.com', 'Editor')), (e: unknown) => e instanceof PermanentAppError && e.reason === 'owner_protected');
    await assert.rejects(ops.deactivate!(ctx, adminUser), (e: unknown) => e instanceof PermanentAppError && e.reason === 'owner_protected');
    await assert.rejects(ops.invite(ctx, desired('eve@acme.test', 'Admin')), (e: unknown) => e instanceof PermanentAppError && e.reason === 'owner_protected');
    assert.equal(sandbox.state.byUserName('admin@example.com')?.role, 'Admin');

    await ops.remove(ctx, listed.find((u) => u.email === 'bob@acme.test')!, { deleted: true });
    assert.equal(sandbox.state.byUserName('bob@acme.test'), undefined, 'remove deletes upstream');
    assert.equal(sandbox.state.stats.scimRoleAttempts, 0, 'no role was ever sent over SCIM');
    assert.equal(sandbox.state.stats.usersCreated, 2);
  });
}

test('setup on the Team plan or without a required SSO stops with Hex\'s words, generating nothing', async (t) => {
  for (const [options, words] of [[{ plan: 'Team' as const }, /Enterprise plan/], [{ ssoRequired: true }, /Configure SSO before enabling SCIM/]] as const) {
    const { sandbox, ctx } = await setUp(t, options);
    await assert.rejects(ops.tasks!.setup!(ctx), (e: unknown) => e instanceof PermanentAppError && e.reason === 'setup_required' && words.test(e.message));
    assert.equal(sandbox.state.tokenGenerations, 0);
  }
});

test('scimRoles "refuse": the connector still never sends a role, so nothing is refused', async (t) => {
  const { sandbox, ctx } = await setUp(t, { scimRoles: 'refuse' }, 'token');
  await ops.invite(ctx, desired('cy@acme.test', 'Explorer', { groups: ['Data'] }));
  assert.equal(sandbox.state.byUserName('cy@acme.test')?.role, 'Explorer');
  await ops.update!(ctx, desired('cy@acme.test', 'Explorer', { displayName: 'Cy Young' }), (await ops.findUser(ctx, 'cy@acme.test'))!);
  assert.equal(sandbox.state.byUserName('cy@acme.test')?.displayName, 'Cy Young');
});

test('the canary check reads Users, the SCIM tab and the SCIM API, changing nothing', async (t) => {
  const { sandbox, ctx } = await setUp(t, {}, 'token');
  const before = JSON.stringify(sandbox.snapshot());
  const report = await ops.check!(ctx);
  assert.deepEqual(report.observations.map((o) => o.replace(/\(Token generated .*\)/, '(…)')), [
    'Hex Settings → Users: 1 user(s) on the first page',
    'Hex Settings → Authentication → SCIM: a token exists (…)',
    'Hex SCIM API: the stored token lists 1 user(s)',
  ]);
  const after = sandbox.snapshot();
  assert.equal(JSON.stringify({ ...after, stats: undefined }), JSON.stringify({ ...JSON.parse(before), stats: undefined }));
  assert.equal(after.tokenGenerations, 1);
});
