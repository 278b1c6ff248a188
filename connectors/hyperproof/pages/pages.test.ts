/**
 * The Hyperproof page objects in real Chromium against the sandbox, on every presentation preset
 * (test/sandboxes/hyperproof/variants.ts): the page objects must not rely on one of them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Secret } from 'otpauth';
import { PermanentAppError } from '../../../core/errors.ts';
import { launchChromium } from '../../../runner/browser/chromium.ts';
import { startHyperproofSandbox, type HyperproofSandbox, type HyperproofSandboxOptions } from '../../../test/sandboxes/hyperproof/server.ts';
import { hyperproofVariantsToRun, type HyperproofVariant } from '../../../test/sandboxes/hyperproof/variants.ts';
import { AuthenticationPage } from './authentication.page.ts';
import { PeoplePage } from './people.page.ts';
import { SignInPage } from './sign-in.page.ts';

const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };
let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

async function harness(t: TestContext, variant: HyperproofVariant, options: HyperproofSandboxOptions = {}): Promise<{ sandbox: HyperproofSandbox; page: Page }> {
  const sandbox = await startHyperproofSandbox({ ...options, presentation: variant.presentation });
  const context = await browser.newContext();
  t.after(async () => {
    await context.close();
    await sandbox.stop();
  });
  return { sandbox, page: await context.newPage() };
}

async function signedIn(t: TestContext, variant: HyperproofVariant, options: HyperproofSandboxOptions = {}) {
  const h = await harness(t, variant, options);
  const signIn = new SignInPage(h.page, h.sandbox.url);
  if (!(await signIn.open())) await signIn.signIn(ADMIN);
  return h;
}

async function scimStatus(sandbox: HyperproofSandbox, token: string): Promise<number> {
  return (await fetch(`${sandbox.endpointUrl}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } })).status;
}

function suite(variant: HyperproofVariant): void {
  test('two-step sign-in with a verification code; a wrong password is refused in the page\'s words', async (t) => {
    const secret = new Secret().base32;
    const { sandbox, page } = await harness(t, variant, { totpSecret: secret });
    const signIn = new SignInPage(page, sandbox.url);
    assert.equal(await signIn.open(), false);
    await assert.rejects(signIn.signIn({ ...ADMIN, password: 'wrong password' }), (error: unknown) =>
      error instanceof PermanentAppError && error.reason === 'bad_credentials' && error.message === 'The email or password is incorrect.');
    assert.equal(await signIn.open(), false);
    await signIn.signIn({ ...ADMIN, totpSecret: secret });
    assert.equal(await signIn.open(), true, 'the session is live');
  });

  test('without SSO the Provisioning switch is disabled and the page says why', async (t) => {
    const { page } = await signedIn(t, variant, { ssoEnabled: false });
    const auth = new AuthenticationPage(page);
    await auth.open();
    assert.deepEqual(await auth.state(), { kind: 'sso-missing', message: 'Single sign-on is not configured' });
  });

  test('switch on, Save, the token works; +New token to the limit; delete one', async (t) => {
    const { sandbox, page } = await signedIn(t, variant);
    const auth = new AuthenticationPage(page);
    await auth.open();
    assert.deepEqual(await auth.state(), { kind: 'off' });
    const { endpointUrl, token } = await auth.switchOn();
    assert.equal(endpointUrl, sandbox.endpointUrl);
    assert.equal(await scimStatus(sandbox, token), 401, 'not live before Save');
    await auth.save();
    await auth.reload();
    assert.deepEqual(await auth.state(), { kind: 'on', endpointUrl: sandbox.endpointUrl });
    assert.equal(await scimStatus(sandbox, token), 200);
    assert.deepEqual((await auth.tokens()).map((x) => x.last4), [token.slice(-4)]);
    const second = await auth.newToken();
    assert.equal(await scimStatus(sandbox, second), 200);
    await auth.reload();
    assert.equal((await auth.tokens()).length, 2);
    assert.equal(await auth.canCreateToken(), false, 'two tokens at most');
    await auth.deleteToken(token.slice(-4));
    await auth.reload();
    assert.deepEqual((await auth.tokens()).map((x) => x.last4), [second.slice(-4)]);
    assert.equal(await scimStatus(sandbox, token), 401);
    assert.equal(await auth.canCreateToken(), true);
  });

  test('People: find on either tab, change a role and read it back, delete permanently', async (t) => {
    const { sandbox, page } = await signedIn(t, variant, {
      people: [{ email: 'cy@example.com', role: 'User' }, { email: 'dee@example.com', role: 'External auditor', status: 'Deactivated' }],
    });
    const people = new PeoplePage(page);
    await people.open();
    assert.deepEqual(await people.find('cy@example.com'), { email: 'cy@example.com', status: 'Active', role: 'User' });
    assert.deepEqual(await people.find('dee@example.com'), { email: 'dee@example.com', status: 'Deactivated', role: 'External auditor' });
    assert.equal(await people.find('nobody@example.com'), null);
    assert.equal(await people.changeRole('cy@example.com', 'Compliance manager'), 'Compliance manager');
    assert.equal(sandbox.state.byEmail('cy@example.com')?.role, 'Compliance manager');
    await people.deletePermanently('dee@example.com');
    assert.equal(sandbox.state.byEmail('dee@example.com'), undefined);
    await people.deletePermanently('dee@example.com');
  });

  test('a failed role change is an error and the list still shows the old role', async (t) => {
    const { sandbox, page } = await signedIn(t, variant, { people: [{ email: 'cy@example.com', role: 'User' }] });
    const people = new PeoplePage(page);
    await people.open();
    sandbox.setKnobs({ failureCount: 1, failureScope: 'ui' });
    await assert.rejects(people.changeRole('cy@example.com', 'Admin'), /Something went wrong/);
    await people.reload();
    assert.equal((await people.find('cy@example.com'))?.role, 'User');
  });

  test('no Delete offered: a permanent, readable error and the user stays deactivated', async (t) => {
    const { sandbox, page } = await signedIn(t, variant, { deleteOffered: false, people: [{ email: 'dee@example.com', status: 'Deactivated' }] });
    const people = new PeoplePage(page);
    await people.open();
    await assert.rejects(people.deletePermanently('dee@example.com'), (error: unknown) =>
      error instanceof PermanentAppError && error.reason === 'unsupported' && /offers no Delete.*stays deactivated/.test(error.message));
    assert.equal(sandbox.state.byEmail('dee@example.com')?.status, 'Deactivated');
  });
}

for (const variant of hyperproofVariantsToRun()) describe(`sandbox variant ${variant.name}`, () => suite(variant));
