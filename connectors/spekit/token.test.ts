/**
 * Setup and rotation of Spekit's SCIM token in real Chromium against the sandbox (one browser),
 * on every presentation preset of the sandbox (variants.ts): the connector must not rely on one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext as NodeTest } from 'node:test';
import type { Browser } from 'playwright-core';
import { Secret } from 'otpauth';
import { PermanentAppError, ScreenMismatchError } from '../../core/errors.ts';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { startSpekitSandbox, type SpekitSandbox, type SpekitSandboxOptions } from '../../test/sandboxes/spekit/server.ts';
import { SPEKIT_VARIANTS, spekitVariantsToRun, type SpekitVariant } from '../../test/sandboxes/spekit/variants.ts';
import { createScimUpstream, UpstreamUnauthorizedError } from '../lib/scim-upstream/index.ts';
import { spekitConnector } from './index.ts';
import { makeTestContext, type TestContext } from './test-context.ts';

const { operations } = spekitConnector;
const tasks = operations.tasks!;
let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

async function harness(t: NodeTest, variant: SpekitVariant, options: SpekitSandboxOptions = {}, totpSecret?: string) {
  const sandbox = await startSpekitSandbox({ ...options, presentation: variant.presentation });
  const context = await browser.newContext();
  const page = await context.newPage();
  t.after(async () => {
    await context.close();
    await sandbox.stop();
  });
  const credentials = { email: 'admin@example.com', password: 'correct horse battery staple', ...(totpSecret ? { totpSecret } : {}) };
  const ctx = makeTestContext({ baseUrl: sandbox.url, page: async () => page, credentials });
  return { sandbox, ctx };
}

async function accepted(sandbox: SpekitSandbox, token: string): Promise<boolean> {
  const api = createScimUpstream({ baseUrl: sandbox.endpointUrl, token: async () => token, retry: { attempts: 1, baseMs: 1 } });
  return api.probe().then(() => true, (error: unknown) => {
    if (error instanceof UpstreamUnauthorizedError) return false;
    throw error;
  });
}

function noLeak(ctx: TestContext, token: string): void {
  assert.ok(ctx.secrets.includes(token), 'the token was registered as a secret');
  assert.ok(!ctx.logs.some((line) => line.includes(token)), 'no log line carries the token');
}

function suite(variant: SpekitVariant): void {
  test('setup (with TOTP) generates a token, stores it and the endpoint, and the token works', async (t) => {
    const secret = new Secret().base32;
    const { sandbox, ctx } = await harness(t, variant, { totpSecret: secret }, secret);
    await tasks.setup!(ctx);
    const token = ctx.vaultData.get('appToken')!;
    assert.equal(ctx.vaultData.get('endpointUrl'), sandbox.endpointUrl);
    assert.equal(ctx.vaultData.get('tokenCreatedAt'), sandbox.state.token?.createdAt);
    assert.equal(sandbox.state.tokenGenerations, 1);
    assert.ok(await accepted(sandbox, token));
    noLeak(ctx, token);
    assert.ok(ctx.steps.includes('generate token'));
  });

  test('setup without SSO stops with setup_required and the page message, touching nothing', async (t) => {
    const { sandbox, ctx } = await harness(t, variant, { ssoConnected: false });
    await assert.rejects(tasks.setup!(ctx), (error: unknown) => {
      assert.ok(error instanceof PermanentAppError);
      assert.equal(error.reason, 'setup_required');
      assert.equal(error.message, 'Set up SSO before enabling SCIM provisioning');
      return true;
    });
    assert.equal(sandbox.state.tokenGenerations, 0);
    assert.equal(sandbox.state.token, null);
    assert.equal(ctx.vaultData.has('appToken'), false);
  });

  test('a wrong password is bad_credentials with the page message', async (t) => {
    const { ctx } = await harness(t, variant, { admin: { username: 'admin', email: 'admin@example.com', password: 'other' } });
    await assert.rejects(operations.login(ctx), (error: unknown) =>
      error instanceof PermanentAppError && error.reason === 'bad_credentials' && /incorrect/.test(error.message));
  });

  test('rotate regenerates: the old token is refused, the new one works', async (t) => {
    const { sandbox, ctx } = await harness(t, variant);
    await tasks.setup!(ctx);
    const old = ctx.vaultData.get('appToken')!;
    const oldCreated = ctx.vaultData.get('tokenCreatedAt');
    await tasks.rotate!(ctx);
    const fresh = ctx.vaultData.get('appToken')!;
    assert.notEqual(fresh, old);
    assert.notEqual(ctx.vaultData.get('tokenCreatedAt'), oldCreated);
    assert.equal(await accepted(sandbox, old), false);
    assert.equal(await accepted(sandbox, fresh), true);
    assert.equal(sandbox.state.tokenGenerations, 2);
    noLeak(ctx, fresh);
  });

  test('a Regenerate that errors after saving is detected from the date and regenerated again', async (t) => {
    const { sandbox, ctx } = await harness(t, variant);
    await tasks.setup!(ctx);
    sandbox.setKnobs({ failureCount: 1, failureTiming: 'after', failureScope: 'ui' });
    await tasks.rotate!(ctx);
    assert.equal(sandbox.state.tokenGenerations, 3);
    assert.equal(await accepted(sandbox, ctx.vaultData.get('appToken')!), true);
    assert.ok(ctx.logs.some((line) => line.includes('lost')));
  });

  test('a 401 while provisioning rotates once through the browser, then the create succeeds', async (t) => {
    const { sandbox, ctx } = await harness(t, variant);
    await tasks.setup!(ctx);
    sandbox.issueToken(); // regenerated elsewhere: the stored token is now refused
    const generations = sandbox.state.tokenGenerations;
    await operations.invite(ctx, { email: 'new@example.com', member: true, role: 'Team Admin', groups: ['Onboarding'] });
    assert.equal(sandbox.state.tokenGenerations, generations + 1);
    const snap = sandbox.snapshot();
    const user = snap.users.find((u) => u.userName === 'new@example.com');
    const team = snap.teams.find((t2) => t2.displayName === 'Onboarding');
    assert.ok(user && team);
    assert.deepEqual(snap.memberships.filter((m) => m.userId === user.id), [{ teamId: team.id, userId: user.id, role: 'Team Admin' }]);
    assert.equal(await accepted(sandbox, ctx.vaultData.get('appToken')!), true);
  });
}

for (const variant of spekitVariantsToRun()) describe(`sandbox variant ${variant.name}`, () => suite(variant));

test('a login screen with no field for the email or username stops with a ScreenMismatchError that names it', async (t) => {
  const { sandbox, ctx } = await harness(t, SPEKIT_VARIANTS[0]!);
  const page = await ctx.page();
  // A screen the notes do not allow, on every page of the app: the only field asks for a phone number.
  await page.route(`${sandbox.url}/**`, (route) => route.fulfill({
    contentType: 'text/html',
    body: '<!doctype html><title>Log in</title><main><form><label for="p">Phone number</label><input id="p"><label for="w">Password</label><input id="w" type="password"><button>Log in</button></form></main>',
  }));
  await assert.rejects(operations.login(ctx), (error: unknown) => {
    assert.ok(error instanceof ScreenMismatchError, String(error));
    assert.deepEqual([error.screen, error.missing], ['Spekit login', 'no field for the email or username']);
    assert.equal(error.retryable, true, 'a changed screen is retried later, and flagged on the connection by the runner');
    return true;
  });
});
