/**
 * Hyperproof users in real Chromium against the sandbox, on every presentation preset: SCIM for
 * the user (never roles, groups or DELETE upstream), People for the role and the permanent delete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { DesiredUser } from '../../core/connector.ts';
import { PermanentAppError } from '../../core/errors.ts';
import { launchChromium } from '../../runner/browser/chromium.ts';
import type { HyperproofSandbox } from '../../test/sandboxes/hyperproof/server.ts';
import { hyperproofVariantsToRun, type HyperproofVariant } from '../../test/sandboxes/hyperproof/variants.ts';
import { hyperproofConnector } from './index.ts';
import { hyperproofHarness } from './test-harness.ts';

const { operations } = hyperproofConnector;
let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

const desired = (email: string, role: string): DesiredUser => ({ email, member: true, role, givenName: 'Eve', familyName: 'Stone', groups: [] });

/** Nothing but Users calls went upstream, none carrying roles or groups, and no DELETE. */
function onlyUsersOverScim(sandbox: HyperproofSandbox): void {
  for (const call of sandbox.state.scimCalls) {
    assert.match(call.path, /\/Users/, `${call.method} ${call.path}`);
    assert.notEqual(call.method, 'DELETE');
    const body = JSON.stringify(call.body ?? {});
    assert.doesNotMatch(body, /"roles"|"groups"/i, `${call.method} ${call.path} sent ${body}`);
  }
}

function suite(variant: HyperproofVariant): void {
  test('invite creates over SCIM and sets the role on People; changeRole; listUsers reads roles', async (t) => {
    const { sandbox, ctx } = await hyperproofHarness(t, browser, variant, { people: [{ email: 'cy@example.com', role: 'User' }] });
    await hyperproofConnector.operations.tasks!.setup!(ctx);
    await operations.invite(ctx, desired('eve@example.com', 'Compliance manager'));
    const eve = sandbox.state.byEmail('eve@example.com')!;
    assert.deepEqual([eve.source, eve.status, eve.role], ['scim', 'Active', 'Compliance manager']);
    assert.equal((await operations.findUser(ctx, 'eve@example.com'))?.role, 'Compliance manager');
    await operations.changeRole(ctx, desired('eve@example.com', 'External auditor'));
    assert.equal(eve.role, 'External auditor');
    const listed = await operations.listUsers(ctx);
    assert.deepEqual(listed.map((u) => [u.email, u.role]).sort(), [
      ['admin@example.com', 'Admin'], ['cy@example.com', 'User'], ['eve@example.com', 'External auditor'],
    ]);
    onlyUsersOverScim(sandbox);
  });

  test('a create answered 500 after it landed is adopted: one user, the role set', async (t) => {
    const { sandbox, ctx } = await hyperproofHarness(t, browser, variant);
    await hyperproofConnector.operations.tasks!.setup!(ctx);
    sandbox.setKnobs({ failureCount: 1, failureTiming: 'after', failureScope: 'scim' });
    await operations.invite(ctx, desired('eve@example.com', 'User'));
    assert.equal([...sandbox.state.people.values()].filter((p) => p.email === 'eve@example.com').length, 1);
    assert.equal(sandbox.state.byEmail('eve@example.com')?.role, 'User');
  });

  test('deactivate keeps the record; reactivate keeps the role; remove deletes permanently, nobody else touched', async (t) => {
    const { sandbox, ctx } = await hyperproofHarness(t, browser, variant, { people: [{ email: 'cy@example.com', role: 'User' }] });
    await hyperproofConnector.operations.tasks!.setup!(ctx);
    await operations.invite(ctx, desired('eve@example.com', 'Compliance manager'));
    const seen = (await operations.findUser(ctx, 'eve@example.com'))!;
    await operations.deactivate!(ctx, seen);
    assert.equal(sandbox.state.byEmail('eve@example.com')?.status, 'Deactivated');
    await operations.reactivate!(ctx, desired('eve@example.com', 'Compliance manager'));
    assert.deepEqual([sandbox.state.byEmail('eve@example.com')?.status, sandbox.state.byEmail('eve@example.com')?.role], ['Active', 'Compliance manager']);
    await operations.remove(ctx, seen, { deleted: true });
    assert.equal(sandbox.state.byEmail('eve@example.com'), undefined);
    assert.equal(sandbox.state.byEmail('cy@example.com')?.status, 'Active');
    assert.equal(sandbox.state.people.size, 2);
    onlyUsersOverScim(sandbox);
  });

  test('remove where the app offers no Delete: a permanent, readable error, the user stays deactivated', async (t) => {
    const { sandbox, ctx } = await hyperproofHarness(t, browser, variant, { deleteOffered: false });
    await hyperproofConnector.operations.tasks!.setup!(ctx);
    await operations.invite(ctx, desired('eve@example.com', 'User'));
    const seen = (await operations.findUser(ctx, 'eve@example.com'))!;
    await assert.rejects(operations.remove(ctx, seen, { deleted: true }), (error: unknown) =>
      error instanceof PermanentAppError && /offers no Delete/.test(error.message));
    assert.equal(sandbox.state.byEmail('eve@example.com')?.status, 'Deactivated');
  });
}

for (const variant of hyperproofVariantsToRun()) describe(`sandbox variant ${variant.name}`, () => suite(variant));
