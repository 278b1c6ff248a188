/**
 * The UXPin connector against its sandbox in real Chromium (one browser for the file), over every
 * presentation variant of the sandbox (test/sandboxes/uxpin/variants.ts): each scenario runs once
 * per variant, so a connector that only works on one way of drawing the screens fails here.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from 'otpauth';
import type { Browser } from 'playwright-core';
import type { ConnectorContext, DesiredUser } from '../../core/connector.ts';
import { PermanentAppError, SessionExpiredError, TransientAppError } from '../../core/errors.ts';
import { launchChromium } from '../../runner/browser/chromium.ts';
import {
  startUxpinSandbox, VARIANT_NAMES, type UxpinSandbox, type UxpinSandboxOptions, type VariantName,
} from '../../test/sandboxes/uxpin/index.ts';
import { uxpin, uxpinSettings, type UxpinSettings } from './index.ts';

const ops = uxpin.operations;
let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

interface Setup {
  sb: UxpinSandbox;
  ctx: ConnectorContext<UxpinSettings>;
}

/** A sandbox, a fresh browser context and a connector context; `login: false` leaves it logged out. */
async function setup(
  t: TestContext, variant: VariantName, options: UxpinSandboxOptions & { login?: boolean; timeoutMs?: number } = {},
): Promise<Setup> {
  const { login = true, timeoutMs = 5000, ...sandboxOptions } = options;
  const sb = await startUxpinSandbox({ variant, ...sandboxOptions });
  const context = await browser.newContext();
  t.after(async () => {
    await context.close();
    await sb.stop();
  });
  const page = await context.newPage();
  const vault = new Map<string, string>();
  const ctx: ConnectorContext<UxpinSettings> = {
    connectionId: 'test-uxpin',
    baseUrl: sb.url,
    credentials: { email: sb.admin.email, password: sb.admin.password, ...(sb.knobs.totpSecret ? { totpSecret: sb.knobs.totpSecret } : {}) },
    settings: uxpinSettings.parse({ actionTimeoutMs: timeoutMs }),
    page: async () => page,
    step: (_name, fn) => fn(),
    vault: { get: async (k) => vault.get(k), set: async (k, v) => void vault.set(k, v) },
    addSecret: () => {},
    signal: new AbortController().signal,
    log: () => {},
  };
  if (login) await ops.login(ctx);
  return { sb, ctx };
}

type Scenario = (t: TestContext, variant: VariantName) => Promise<void>;
const scenarios: Array<[name: string, fn: Scenario]> = [];
/** A test run once per sandbox variant (the describe blocks at the end of the file). */
function scenario(name: string, fn: Scenario): void {
  scenarios.push([name, fn]);
}

function desired(email: string, role: string): DesiredUser {
  return { email, role, member: true, groups: [] };
}

async function rejectsWith(promise: Promise<unknown>, reason: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PermanentAppError, `expected PermanentAppError, got ${String(error)}`);
    assert.equal(error.reason, reason);
    if (message) assert.match(error.message, message);
    return true;
  });
}

scenario('login without TOTP; a live session is reused', async (t, v) => {
  const { sb, ctx } = await setup(t, v);
  assert.equal(sb.state.logins, 1);
  await ops.login(ctx);
  assert.equal(sb.state.logins, 1, 'the second login reused the session');
});

scenario('login with TOTP; without a secret it is mfa_required', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { totpSecret: new Secret().base32, login: false });
  await rejectsWith(ops.login({ ...ctx, credentials: { email: sb.admin.email, password: sb.admin.password } }), 'mfa_required');
  await ops.login(ctx);
  assert.equal(sb.state.logins, 1);
  assert.equal((await ops.findUser(ctx, sb.admin.email))?.role, 'Owner');
});

scenario('a wrong password is bad_credentials', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { login: false });
  const wrong = { ...ctx, credentials: { email: sb.admin.email, password: 'wrong' } };
  await rejectsWith(ops.login(wrong), 'bad_credentials', /Incorrect email or password/);
  assert.equal(sb.state.logins, 0);
});

scenario('issue 10: behind a slow list an absent address is absent, a member is found, and both invite and removal confirm', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: [{ email: 'here@example.com', role: 'Creator' }], slowListMs: 300 });
  assert.equal(await ops.findUser(ctx, 'nobody@example.com'), null);
  assert.equal((await ops.findUser(ctx, 'here@example.com'))?.role, 'Creator', 'a list still loading is not "no such member"');
  await ops.remove(ctx, { email: 'nobody@example.com', role: null, status: 'active' });
  await ops.invite(ctx, desired('fresh@example.com', 'Developer'));
  assert.equal(sb.state.find('fresh@example.com')?.status, 'pending');
  await ops.remove(ctx, { email: 'here@example.com', role: 'Creator', status: 'active' });
  assert.deepEqual(sb.state.members.map((m) => m.email), [sb.admin.email, 'fresh@example.com']);
});

scenario('invite shows a pending row; inviting again is a no-op', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: 3 });
  await ops.invite(ctx, desired('New.Person@Example.com', 'creator'));
  assert.deepEqual(sb.state.find('new.person@example.com'), { email: 'new.person@example.com', name: '', role: 'Creator', status: 'pending' });
  await ops.invite(ctx, desired('new.person@example.com', 'Creator'));
  assert.deepEqual(sb.state.invitesSent, { 'new.person@example.com': 1 });
  assert.equal(sb.state.writes, 1);
  assert.deepEqual(await ops.findUser(ctx, 'new.person@example.com'), { email: 'new.person@example.com', role: 'Creator', status: 'pending' });
});

scenario('inviteMany sends one batch per role; a member in a batch gets the role, not a second invite', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: 2, latencyMs: [5, 40] });
  assert.notEqual(sb.state.find('user01@example.com')?.role, 'Developer');
  await ops.inviteMany!(ctx, [
    desired('a@example.com', 'Developer'),
    desired('User01@example.com', 'Developer'),
    desired('b@example.com', 'Developer'),
    desired('c@example.com', 'Admin'),
  ]);
  const seen = (email: string) => sb.state.find(email) && { role: sb.state.find(email)?.role, status: sb.state.find(email)?.status };
  assert.deepEqual(seen('a@example.com'), { role: 'Developer', status: 'pending' });
  assert.deepEqual(seen('b@example.com'), { role: 'Developer', status: 'pending' });
  assert.deepEqual(seen('c@example.com'), { role: 'Admin', status: 'pending' });
  assert.deepEqual(seen('user01@example.com'), { role: 'Developer', status: 'active' });
  assert.deepEqual(sb.state.invitesSent, { 'a@example.com': 1, 'b@example.com': 1, 'c@example.com': 1 });
  assert.equal(sb.state.members.length, 6);
});

scenario('inviteMany with a full plan refuses the batch as seat_limit and invites nobody', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: 1, seatLimit: 4 });
  const batch = [desired('x@example.com', 'Creator'), desired('y@example.com', 'Creator'), desired('z@example.com', 'Creator')];
  await rejectsWith(ops.inviteMany!(ctx, batch), 'seat_limit', /No seats left/);
  assert.equal(sb.state.members.length, 2);
});

scenario('inviteMany invites the rest of a batch one by one when UXPin refuses an address', async (t, v) => {
  const { sb, ctx } = await setup(t, v);
  const batch = [desired('good@example.com', 'Creator'), desired('not-an-address', 'Creator')];
  await rejectsWith(ops.inviteMany!(ctx, batch), 'user_refused', /Enter a valid email address/);
  assert.equal(sb.state.find('good@example.com')?.status, 'pending');
  assert.equal(sb.state.members.length, 2);
});

scenario('a write right after findUser of the same address reuses that search; another address is looked up afresh', async (t, v) => {
  const seed = ['a', 'b', 'c', 'd'].map((n) => ({ email: `${n}@example.com`, role: 'Developer' as const }));
  const { sb, ctx } = await setup(t, v, { seed });
  const requestsOf = async (fn: () => Promise<unknown>) => {
    const before = sb.state.requests;
    await fn();
    return sb.state.requests - before;
  };
  const alone = await requestsOf(() => ops.remove(ctx, { email: 'a@example.com', role: 'Developer', status: 'active' }));
  await ops.findUser(ctx, 'b@example.com');
  const afterFind = await requestsOf(() => ops.remove(ctx, { email: 'b@example.com', role: 'Developer', status: 'active' }));
  assert.ok(afterFind < alone, `remove after findUser: ${afterFind} requests, alone: ${alone}`);
  await ops.findUser(ctx, 'd@example.com');
  await ops.listUsers(ctx); // the screen loaded again: what findUser read no longer stands
  const afterReload = await requestsOf(() => ops.remove(ctx, { email: 'd@example.com', role: 'Developer', status: 'active' }));
  // Not an exact count: a script-drawn list may or may not get its redraw in before the next page load.
  assert.ok(afterReload > afterFind, `remove after a reload: ${afterReload} requests, after findUser: ${afterFind}`);
  await ops.findUser(ctx, 'a@example.com');
  await ops.changeRole(ctx, desired('c@example.com', 'Manager'));
  assert.deepEqual(sb.state.members.map((m) => [m.email, m.role]).slice(1), [['c@example.com', 'Manager']]);
});

scenario('issue 16: the team page kept open is searched in place, a removal is read back from the list the app fetched again, a leftover dialog means a fresh load', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: [{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'c@example.com' }] });
  await ops.findUser(ctx, 'a@example.com');
  const viewsOf = async (fn: () => Promise<unknown>) => {
    const seen = sb.state.listViews.length;
    await fn();
    return sb.state.listViews.slice(seen).map((view) => view.query);
  };
  assert.deepEqual(await viewsOf(() => ops.findUser(ctx, 'b@example.com')), ['b@example.com'], 'one search, no page load before it');
  assert.deepEqual(await viewsOf(() => ops.remove(ctx, { email: 'b@example.com', role: 'Collaborator', status: 'active' })),
    ['b@example.com'], "the app's own redraw after the removal is the read-back");
  assert.equal(sb.state.find('b@example.com'), undefined);
  const page = await ctx.page();
  await page.getByRole('button', { name: 'Add new users' }).click();
  assert.deepEqual(await viewsOf(() => ops.findUser(ctx, 'c@example.com')), ['', 'c@example.com'], 'an open dialog: the screen is loaded afresh');
});

scenario('changeRole saves the new role; the same role again is a no-op', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: [{ email: 'dev@example.com', role: 'Developer' }] });
  await ops.changeRole(ctx, desired('dev@example.com', 'Manager'));
  assert.equal(sb.state.find('dev@example.com')?.role, 'Manager');
  const writes = sb.state.writes;
  await ops.changeRole(ctx, desired('dev@example.com', 'manager'));
  assert.equal(sb.state.writes, writes, 'no write for a role that already matches');
});

scenario('remove takes pending and active members; an absent one is a no-op', async (t, v) => {
  const { sb, ctx } = await setup(t, v, {
    seed: [{ email: 'active@example.com' }, { email: 'pending@example.com', status: 'pending' }, { email: 'stays@example.com' }],
  });
  await ops.remove(ctx, { email: 'pending@example.com', role: 'Collaborator', status: 'pending' });
  await ops.remove(ctx, { email: 'active@example.com', role: 'Collaborator', status: 'active' });
  await ops.remove(ctx, { email: 'nobody@example.com', role: null, status: 'active' });
  assert.deepEqual(sb.state.members.map((m) => m.email), ['owner@example.com', 'stays@example.com']);
});

scenario('the Owner is never touched; unknown roles are refused', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: [{ email: 'x@example.com', role: 'Creator' }] });
  const owner = sb.admin.email;
  await rejectsWith(ops.remove(ctx, { email: owner, role: null, status: 'active' }), 'owner_protected');
  await rejectsWith(ops.changeRole(ctx, desired(owner, 'Admin')), 'owner_protected');
  await rejectsWith(ops.changeRole(ctx, desired('x@example.com', 'owner')), 'owner_protected');
  await rejectsWith(ops.invite(ctx, desired('y@example.com', 'Viewer')), 'unknown_role');
  assert.deepEqual(sb.state.members.map((m) => [m.email, m.role]), [[owner, 'Owner'], ['x@example.com', 'Creator']]);
});

scenario("the seat limit and a bad address are the app's refusals", async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: 1, seatLimit: 2 });
  await rejectsWith(ops.invite(ctx, desired('full@example.com', 'Creator')), 'seat_limit', /^No seats left on your plan$/);
  sb.setKnobs({ seatLimit: 10 });
  await rejectsWith(ops.invite(ctx, desired('not-an-address', 'Creator')), 'user_refused', /Enter a valid email address/);
  assert.equal(sb.state.members.length, 2);
});

scenario('an expired session is SessionExpiredError; logging in again works', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: 1 });
  sb.expireSessions();
  await assert.rejects(ops.findUser(ctx, 'user01@example.com'), SessionExpiredError);
  await ops.login(ctx);
  assert.equal((await ops.findUser(ctx, 'user01@example.com'))?.email, 'user01@example.com');
  assert.equal(sb.state.logins, 2);
});

scenario('listUsers walks three pages behind a slow list', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: 60, slowListMs: 150 });
  // A login may land on the team page (loginLanding 'asked'), and a live grid fetches that page's
  // rows after load: let that fetch finish so it is not counted as the walk's first page.
  await (await ctx.page()).waitForLoadState('networkidle');
  const seen = sb.state.listViews.length;
  const users = await ops.listUsers(ctx);
  const expected = sb.state.members.map((m) => ({ email: m.email, role: m.role, status: m.status }));
  assert.deepEqual(users.map((u) => ({ email: u.email, role: u.role, status: u.status })), expected);
  assert.deepEqual(sb.state.listViews.slice(seen).map((view) => view.page), [1, 2, 3]);
});

scenario('findUser searches instead of walking to page 3', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: 60 });
  const user = await ops.findUser(ctx, 'USER55@example.com');
  assert.deepEqual(user, { email: 'user55@example.com', role: 'Developer', status: 'pending', displayName: 'User 55' });
  assert.deepEqual(sb.state.listViews.at(-1), { query: 'USER55@example.com', page: 1 });
  assert.ok(sb.state.listViews.every((v) => v.page === 1), 'never opened another page');
  assert.equal(await ops.findUser(ctx, 'user5@example.com'), null);
});

scenario("a write that fails after saving is confirmed by reading back; one that fails before is transient", async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: [{ email: 'r@example.com', role: 'Creator' }] });
  sb.setKnobs({ failureRate: 1, failureTiming: 'after' });
  await ops.changeRole(ctx, desired('r@example.com', 'Admin'));
  await ops.invite(ctx, desired('after@example.com', 'Developer'));
  assert.equal(sb.state.find('r@example.com')?.role, 'Admin');
  assert.equal(sb.state.invitesSent['after@example.com'], 1);
  sb.setKnobs({ failureTiming: 'before' });
  await assert.rejects(ops.remove(ctx, { email: 'r@example.com', role: 'Admin', status: 'active' }), TransientAppError);
  assert.ok(sb.state.find('r@example.com'));
  assert.equal(sb.state.failuresInjected, 3);
});

scenario('a write that hangs after saving is confirmed by reading back', async (t, v) => {
  const { sb, ctx } = await setup(t, v, { seed: [{ email: 'h@example.com' }], timeoutMs: 3000 });
  sb.setKnobs({ failureRate: 1, failureMode: 'hang', failureTiming: 'after' });
  await ops.remove(ctx, { email: 'h@example.com', role: 'Collaborator', status: 'active' });
  assert.equal(sb.state.find('h@example.com'), undefined);
});

for (const variant of VARIANT_NAMES) {
  describe(`sandbox variant ${variant}`, () => {
    for (const [name, fn] of scenarios) test(name, (t) => fn(t, variant));
  });
}
