/**
 * Hyperproof's setup and rotation in real Chromium against the sandbox, on every presentation
 * preset (test/sandboxes/hyperproof/variants.ts): the connector must not rely on one of them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { Secret } from 'otpauth';
import { PermanentAppError } from '../../core/errors.ts';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { hyperproofVariantsToRun, type HyperproofVariant } from '../../test/sandboxes/hyperproof/variants.ts';
import type { TestContext } from '../lib/hybrid/test-context.ts';
import { hyperproofConnector } from './index.ts';
import type { HyperproofSettings } from './settings.ts';
import { accepted, hyperproofHarness } from './test-harness.ts';

const { operations } = hyperproofConnector;
const tasks = operations.tasks!;
let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

function noLeak(ctx: TestContext<HyperproofSettings>, token: string): void {
  assert.ok(ctx.secrets.includes(token), 'the token was registered as a secret');
  assert.ok(!ctx.logs.some((line) => line.includes(token)), 'no log line carries the token');
}

function suite(variant: HyperproofVariant): void {
  test('setup (with TOTP) turns Provisioning on, stores the endpoint read from the page, and the token works', async (t) => {
    const secret = new Secret().base32;
    const { sandbox, ctx } = await hyperproofHarness(t, browser, variant, { totpSecret: secret }, secret);
    await tasks.setup!(ctx);
    const token = ctx.vaultData.get('appToken')!;
    assert.equal(ctx.vaultData.get('endpointUrl'), sandbox.endpointUrl);
    assert.notEqual(new URL(sandbox.endpointUrl).origin, new URL(sandbox.url).origin);
    assert.equal(sandbox.state.provisioning, true);
    assert.deepEqual(sandbox.state.tokens.map((x) => x.last4), [token.slice(-4)]);
    assert.ok(await accepted(sandbox, token));
    noLeak(ctx, token);
    const issued = sandbox.state.stats.tokensIssued;
    await tasks.setup!(ctx);
    assert.equal(sandbox.state.stats.tokensIssued, issued, 'a second setup keeps the working token');
  });

  test('setup without SSO fails with the reason in words and makes no token', async (t) => {
    const { sandbox, ctx } = await hyperproofHarness(t, browser, variant, { ssoEnabled: false });
    await assert.rejects(tasks.setup!(ctx), (error: unknown) => {
      assert.ok(error instanceof PermanentAppError);
      assert.equal(error.reason, 'setup_required');
      assert.match(error.message, /Single sign-on is not configured/);
      return true;
    });
    assert.equal(sandbox.state.stats.tokensIssued, 0);
    assert.equal(ctx.vaultData.has('appToken'), false);
    assert.ok(ctx.steps.includes('open Settings → Authentication'), 'the failing screen is a step (its screenshot)');
  });

  test('rotate: +New token, switch, prove, delete the old; at the limit a token it does not hold goes first', async (t) => {
    const { sandbox, ctx } = await hyperproofHarness(t, browser, variant);
    await tasks.setup!(ctx);
    const old = ctx.vaultData.get('appToken')!;
    const foreign = sandbox.issueToken();
    await tasks.rotate!(ctx);
    const fresh = ctx.vaultData.get('appToken')!;
    assert.notEqual(fresh, old);
    assert.equal(await accepted(sandbox, old), false);
    assert.equal(await accepted(sandbox, foreign), false);
    assert.equal(await accepted(sandbox, fresh), true);
    assert.deepEqual(sandbox.state.tokens.map((x) => x.last4), [fresh.slice(-4)]);
    noLeak(ctx, fresh);
  });

  test('a +New token answered 500 after it was made: the unseen token is deleted and rotation converges', async (t) => {
    const { sandbox, ctx } = await hyperproofHarness(t, browser, variant);
    await tasks.setup!(ctx);
    sandbox.setKnobs({ failureCount: 1, failureTiming: 'after', failureScope: 'ui' });
    await tasks.rotate!(ctx);
    const fresh = ctx.vaultData.get('appToken')!;
    assert.deepEqual(sandbox.state.tokens.map((x) => x.last4), [fresh.slice(-4)]);
    assert.equal(sandbox.state.stats.tokensIssued, 3);
  });

  test('a revoked token: the next SCIM call rotates once, with exactly one new token', async (t) => {
    const { sandbox, ctx } = await hyperproofHarness(t, browser, variant, { people: [{ email: 'cy@example.com' }] });
    await tasks.setup!(ctx);
    sandbox.state.deleteToken(sandbox.state.tokens[0]!.id);
    const issued = sandbox.state.stats.tokensIssued;
    const found = await operations.findUser(ctx, 'cy@example.com');
    assert.equal(found?.email, 'cy@example.com');
    assert.equal(sandbox.state.stats.tokensIssued, issued + 1);
    assert.equal(sandbox.state.tokens.length, 1);
  });
}

for (const variant of hyperproofVariantsToRun()) describe(`sandbox variant ${variant.name}`, () => suite(variant));
