import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DesiredUser } from '../../core/connector.ts';
import { PermanentAppError } from '../../core/errors.ts';
import { startSpekitSandbox, type SpekitSandbox } from '../../test/sandboxes/spekit/server.ts';
import { spekitVariantsToRun, type SpekitVariant } from '../../test/sandboxes/spekit/variants.ts';
import { spekitConnector } from './index.ts';
import { makeTestContext, type TestContext } from './test-context.ts';

const ops = spekitConnector.operations;

/** API-only, so the presentation should not matter: the suite runs on every preset to prove it. */
function suite(variant: SpekitVariant): void {
  let sandbox: SpekitSandbox;
  before(async () => {
    sandbox = await startSpekitSandbox({ handUsers: [{ userName: 'byhand@example.com' }], presentation: variant.presentation });
  });
  after(() => sandbox.stop());

  /** API-only operations: a token issued directly by the sandbox, and no browser at all. */
  function context(settings: { deleteOnDeprovision?: boolean } = {}): TestContext {
    const token = sandbox.issueToken();
    return makeTestContext({ baseUrl: sandbox.url, settings, vault: { appToken: token, endpointUrl: sandbox.endpointUrl } });
  }

  const desired = (email: string, extra: Partial<DesiredUser> = {}): DesiredUser => ({
    email, member: true, role: 'Viewer', groups: [], ...extra,
  });

  function stateOf(userName: string) {
    const snap = sandbox.snapshot();
    const user = snap.users.find((u) => u.userName === userName);
    assert.ok(user, `${userName} exists in the sandbox`);
    const teams = snap.memberships
      .filter((m) => m.userId === user.id)
      .map((m) => `${snap.teams.find((t) => t.id === m.teamId)?.displayName}:${m.role}`)
      .sort();
    return { user, teams };
  }

  test('invite creates a Pending user with the role and teams; a second user joins the same team', async () => {
    const ctx = context();
    await ops.invite(ctx, desired('ana@example.com', { role: 'expert', givenName: 'Ana', groups: ['Sales', 'EMEA'] }));
    await ops.invite(ctx, desired('bo@example.com', { role: 'Owner', groups: ['Sales'] }));
    assert.deepEqual(stateOf('ana@example.com').teams, ['EMEA:Expert', 'Sales:Expert']);
    assert.deepEqual(stateOf('bo@example.com').teams, ['Sales:Viewer']);
    assert.equal(stateOf('ana@example.com').user.status, 'Pending');
    assert.equal(sandbox.snapshot().teams.filter((t) => t.displayName === 'Sales').length, 1);
    const found = await ops.findUser(ctx, 'ana@example.com');
    assert.deepEqual({ role: found?.role, status: found?.status }, { role: 'Expert', status: 'active' });
    assert.equal(await ops.findUser(ctx, 'byhand@example.com'), null);
  });

  test('invite adopts an existing SCIM user and converges it; a hand-made userName is refused', async () => {
    const ctx = context();
    await ops.invite(ctx, desired('cy@example.com', { groups: ['Old'] }));
    await ops.invite(ctx, desired('cy@example.com', { role: 'Team Admin', displayName: 'Cy', groups: ['New'] }));
    assert.deepEqual(stateOf('cy@example.com').teams, ['New:Team Admin']);
    assert.equal(stateOf('cy@example.com').user.displayName, 'Cy');
    await assert.rejects(ops.invite(ctx, desired('byhand@example.com')), (error: unknown) =>
      error instanceof PermanentAppError && error.reason === 'user_refused');
  });

  test('update and changeRole move teams and roles; deactivate, reactivate and remove', async () => {
    const ctx = context();
    await ops.invite(ctx, desired('di@example.com', { groups: ['A', 'B'] }));
    const observed = (await ops.findUser(ctx, 'di@example.com'))!;
    await ops.update!(ctx, desired('di@example.com', { groups: ['B', 'C'], familyName: 'Diaz' }), observed);
    assert.deepEqual(stateOf('di@example.com').teams, ['B:Viewer', 'C:Viewer']);
    await ops.changeRole(ctx, desired('di@example.com', { role: 'Expert', groups: ['B', 'C'] }));
    assert.deepEqual(stateOf('di@example.com').teams, ['B:Expert', 'C:Expert']);
    await ops.deactivate!(ctx, observed);
    assert.equal(stateOf('di@example.com').user.status, 'Deactivated');
    assert.equal((await ops.findUser(ctx, 'di@example.com'))?.status, 'deactivated');
    await ops.reactivate!(ctx, desired('di@example.com', { role: 'Expert', groups: ['B'] }));
    assert.equal(stateOf('di@example.com').user.active, true);
    assert.deepEqual(stateOf('di@example.com').teams, ['B:Expert']);
    await ops.remove(ctx, observed);
    assert.equal(stateOf('di@example.com').user.status, 'Deactivated');
  });

  test('remove deletes when the settings say so; listUsers shows only SCIM users', async () => {
    const ctx = context({ deleteOnDeprovision: true });
    await ops.invite(ctx, desired('ed@example.com'));
    const listed = await ops.listUsers(ctx);
    assert.ok(listed.some((u) => u.email === 'ed@example.com'));
    assert.ok(!listed.some((u) => u.email === 'byhand@example.com'));
    const ed = listed.find((u) => u.email === 'ed@example.com')!;
    await ops.remove(ctx, ed, { deleted: false });
    assert.equal(sandbox.snapshot().users.find((u) => u.userName === 'ed@example.com')?.status, 'Deactivated', 'active=false only deactivates');
    await ops.remove(ctx, ed, { deleted: true });
    assert.ok(!sandbox.snapshot().users.some((u) => u.userName === 'ed@example.com'));
  });

  test('without setup, user operations stop with setup_required', async () => {
    const ctx = makeTestContext({ baseUrl: sandbox.url });
    await assert.rejects(ops.findUser(ctx, 'x@example.com'), (error: unknown) =>
      error instanceof PermanentAppError && error.reason === 'setup_required');
  });
}

for (const variant of spekitVariantsToRun()) describe(`sandbox variant ${variant.name}`, () => suite(variant));
