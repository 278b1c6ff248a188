/**
 * The kit's user composition against a real SCIM server (the Spekit sandbox's routes). The
 * browser half is a small in-memory "users page" standing in for an app's page objects: what is
 * tested is the kit's order and checks around them (role set after create and reactivation and
 * read back, protected users untouched, deactivate before a browser delete), not a browser.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { DesiredUser } from '../../../core/connector.ts';
import { PermanentAppError, TransientAppError } from '../../../core/errors.ts';
import { startSpekitSandbox, type SpekitSandbox } from '../../../test/sandboxes/spekit/server.ts';
import { hybridUserOperations, type BrowserRoles, type HybridUsersConfig } from './operations.ts';
import { makeTestContext } from './test-context.ts';
import { VAULT } from './vault.ts';

type Settings = { mode: 'deactivate' | 'delete' };
const HEX = { roles: ['Admin', 'Manager', 'Editor', 'Explorer', 'Viewer', 'Guest'], protectedRoles: ['Admin'] };

let sandbox: SpekitSandbox;
before(async () => {
  sandbox = await startSpekitSandbox({});
});
after(() => sandbox.stop());
beforeEach(() => sandbox.setKnobs({ failureCount: 0, failureRate: 0 }));

/** The stand-in users page: roles by email, every call recorded in order. */
function usersPage(initial: Record<string, string> = {}) {
  const shown = new Map(Object.entries(initial));
  const calls: string[] = [];
  const page = {
    shown, calls, drop: false,
    roles: {
      set: async (_ctx, email, role) => {
        calls.push(`set ${email} ${role}`);
        if (!page.drop) shown.set(email, role);
      },
      read: async (_ctx, email) => {
        calls.push(`read ${email}`);
        return shown.get(email) ?? null;
      },
      list: async () => new Map(shown),
    } satisfies BrowserRoles<Settings>,
  };
  return page;
}

function setUp(page: ReturnType<typeof usersPage>, extra: Partial<HybridUsersConfig<Settings>> = {}) {
  const ctx = makeTestContext<Settings>({
    baseUrl: sandbox.url, settings: { mode: 'delete' },
    vault: { [VAULT.appToken]: sandbox.issueToken(), [VAULT.endpointUrl]: sandbox.endpointUrl },
  });
  const ops = hybridUserOperations<Settings>({
    name: 'Sandbox', rotate: async () => assert.fail('no rotation expected'), retry: { attempts: 3, baseMs: 1 },
    catalog: HEX, groups: true, roles: { browser: page.roles },
    removeMode: (c) => c.settings.mode, ...extra,
  });
  return { ctx, ops };
}

const desired = (email: string, extra: Partial<DesiredUser> = {}): DesiredUser => ({ email, member: true, role: 'Viewer', groups: [], ...extra });
const scimUsers = (userName: string) => sandbox.snapshot().users.filter((u) => u.userName === userName);

test('a create answered 500 after it landed is adopted on the retried 409: one user, role set and read back', async () => {
  const page = usersPage();
  const { ctx, ops } = setUp(page);
  sandbox.setKnobs({ failureCount: 1, failureTiming: 'after', failureScope: 'scim' });
  const injected = sandbox.state.stats.injectedFailures;
  await ops.invite(ctx, desired('ada@example.com', { role: 'Editor', groups: ['Analysts'] }));
  assert.equal(sandbox.state.stats.injectedFailures - injected, 1, 'the create did fail once after saving');
  assert.equal(scimUsers('ada@example.com').length, 1, 'created exactly once');
  assert.equal(scimUsers('ada@example.com')[0]!.role, null, 'no role went over SCIM');
  assert.deepEqual(page.calls, ['read ada@example.com', 'set ada@example.com Editor', 'read ada@example.com'], 'protected check, set, read back');
  const found = await ops.findUser(ctx, 'ada@example.com');
  assert.deepEqual({ role: found?.role, status: found?.status }, { role: 'Editor', status: 'active' });
  const teams = sandbox.snapshot().teams.filter((t) => t.displayName === 'Analysts');
  assert.equal(teams.length, 1, 'one group, with the upstream id as member');
});

test('a user already there is found by userName before any create and converged', async () => {
  const page = usersPage();
  const { ctx, ops } = setUp(page);
  await ops.invite(ctx, desired('bea@example.com'));
  await ops.invite(ctx, desired('bea@example.com', { role: 'Explorer', displayName: 'Bea' }));
  assert.equal(scimUsers('bea@example.com').length, 1);
  assert.equal(scimUsers('bea@example.com')[0]!.displayName, 'Bea');
  assert.equal(page.shown.get('bea@example.com'), 'Explorer');
});

test('a role the page does not show after setting it is a transient failure, not a success', async () => {
  const page = usersPage();
  const { ctx, ops } = setUp(page);
  await ops.invite(ctx, desired('cy@example.com'));
  page.drop = true;
  await assert.rejects(ops.changeRole(ctx, desired('cy@example.com', { role: 'Manager' })), (error: unknown) =>
    error instanceof TransientAppError && /shows cy@example.com as Viewer after setting Manager/.test(error.message));
});

test('a protected user is never demoted, deactivated or removed', async () => {
  const page = usersPage({ 'root@example.com': 'Admin' });
  const { ctx, ops } = setUp(page);
  const refused = (error: unknown) => error instanceof PermanentAppError && error.reason === 'owner_protected';
  await assert.rejects(ops.invite(ctx, desired('root@example.com', { role: 'Viewer' })), refused);
  await assert.rejects(ops.invite(ctx, desired('new@example.com', { role: 'Admin' })), refused, 'nor assigned');
  assert.equal(scimUsers('new@example.com').length, 0, 'refused before anything is sent');
  await assert.rejects(ops.changeRole(ctx, desired('root@example.com', { role: 'Viewer' })), refused);
  const observed = { email: 'root@example.com', role: 'Admin', status: 'active' as const };
  await assert.rejects(ops.deactivate!(ctx, observed), refused);
  await assert.rejects(ops.remove(ctx, observed, { deleted: true }), refused);
  await assert.rejects(ops.reactivate!(ctx, desired('root@example.com')), refused);
  assert.ok(!page.calls.some((c) => c.startsWith('set')));
  assert.equal(scimUsers('root@example.com').length, 0, 'nothing sent over SCIM for the protected user');
});

test('reactivation restores the role; remove is an upstream DELETE, or deactivate then a browser delete', async () => {
  const page = usersPage();
  const deleted: string[] = [];
  const { ctx, ops } = setUp(page);
  await ops.invite(ctx, desired('di@example.com', { role: 'Editor' }));
  const di = (await ops.findUser(ctx, 'di@example.com'))!;
  await ops.deactivate!(ctx, di);
  assert.equal(scimUsers('di@example.com')[0]!.active, false);
  page.shown.set('di@example.com', 'Guest'); // the app reset the role while deactivated
  await ops.reactivate!(ctx, desired('di@example.com', { role: 'Editor' }));
  assert.equal(scimUsers('di@example.com')[0]!.active, true);
  assert.equal(page.shown.get('di@example.com'), 'Editor');
  assert.equal((await ops.listUsers(ctx)).find((u) => u.email === 'di@example.com')?.role, 'Editor');
  await ops.remove(ctx, di, { deleted: true });
  assert.equal(scimUsers('di@example.com').length, 0, 'upstream DELETE');

  const browser = setUp(page, { browserDelete: async (_ctx, user) => void deleted.push(`${user.email} active=${scimUsers(user.email)[0]?.active}`) });
  await browser.ops.invite(browser.ctx, desired('ed@example.com'));
  await browser.ops.remove(browser.ctx, (await browser.ops.findUser(browser.ctx, 'ed@example.com'))!, { deleted: true });
  assert.deepEqual(deleted, ['ed@example.com active=false'], 'deactivated over SCIM before the browser delete');
  browser.ctx.settings.mode = 'deactivate';
  await browser.ops.invite(browser.ctx, desired('fay@example.com'));
  await browser.ops.remove(browser.ctx, (await browser.ops.findUser(browser.ctx, 'fay@example.com'))!, { deleted: true });
  assert.equal(scimUsers('fay@example.com')[0]!.active, false);
  assert.equal(deleted.length, 1, 'removeMode deactivate deletes nothing');
});
