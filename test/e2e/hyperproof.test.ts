/**
 * Hyperproof end to end (issue 15, "Done when"): a connection created through the admin API turns
 * provisioning on in the browser; Okta and Entra sequences end as the right users with the right
 * roles, set on People; a group mapped by groupRoleMap changes a role and its removal reverts it;
 * Entra "False"/"True" deactivate and reactivate with the role kept; under `remove` a DELETE
 * deactivates then deletes, nobody else touched; without SSO setup fails in words with a
 * screenshot and no token. Real Redis, real Chromium, the sandbox, on every presentation preset.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setupStateBecomes } from '../support/setup-view.ts';
import { HYPERPROOF_VARIANTS, hyperproofVariantsToRun } from '../sandboxes/hyperproof/variants.ts';
import {
  createHyperproofConnection, entraUser, GROUP, hyperproofStacksPerFile, oktaUser, PATCH_OP, people, settled,
  taskRun, vaultValue, type HyperproofStack, type ScimClient,
} from './hyperproof-stack.ts';

const stackFor = hyperproofStacksPerFile();
const ENTRA = 'Azure AD SCIM Client';
const ROLE_MAP = { ORGANIZATION_ADMINISTRATOR: 'Admin', COMPLIANCE_MANAGER: 'Compliance manager', USER: 'User', LIMITED_ACCESS_USER: 'Limited access user' };

async function converged(stack: HyperproofStack, scim: ScimClient, ids: string[]): Promise<void> {
  for (const id of ids) {
    const state = await settled(stack, scim.id, id);
    assert.notEqual(state.state, 'failed', `user ${id}: ${state.lastError}`);
  }
}

for (const { name, presentation } of hyperproofVariantsToRun()) {
  test(`[${name}] setup over the admin API, then Okta and Entra sequences end with the right users and roles`, async (t) => {
    const stack = await stackFor(t, { presentation });
    const scim = await createHyperproofConnection(stack, 'hp-e2e', {
      defaultRole: 'User', roleMap: ROLE_MAP, groupRoleMap: { Auditors: 'External auditor' }, deprovision: 'deactivate',
    });
    const setup = await taskRun(stack, 'hp-e2e', 'setup');
    assert.equal(setup.status, 'succeeded', setup.error);
    assert.equal(await vaultValue(stack, 'hp-e2e', 'endpointUrl'), stack.sandbox.endpointUrl);
    assert.equal(stack.sandbox.state.provisioning, true);
    await setupStateBecomes(stack.app.scimwright, (await stack.core.connections.get('hp-e2e'))!, 'ready');

    // Okta: a user without a role (defaultRole), one with "compliance manager" in another case, a group push.
    const jane = (await scim.ok('POST', '/Users', oktaUser('jane@acme.test', 'Jane', 'Doe')))!.id as string;
    const raj = (await scim.ok('POST', '/Users', oktaUser('raj@acme.test', 'Raj', 'Patel', 'compliance MANAGER')))!.id as string;
    await converged(stack, scim, [jane, raj]);
    assert.deepEqual(people(stack).get('jane@acme.test'), { status: 'Active', role: 'User' });
    assert.deepEqual(people(stack).get('raj@acme.test'), { status: 'Active', role: 'Compliance manager' });
    const auditors = (await scim.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Auditors', members: [] }))!.id as string;
    await scim.ok('PATCH', `/Groups/${auditors}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: jane }] }] });
    await converged(stack, scim, [jane]);
    assert.equal(people(stack).get('jane@acme.test')?.role, 'External auditor', 'groupRoleMap');
    await scim.ok('PATCH', `/Groups/${auditors}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${jane}"]` }] });
    await converged(stack, scim, [jane]);
    assert.equal(people(stack).get('jane@acme.test')?.role, 'User', 'leaving the group reverts to defaultRole');

    // Entra: an app-role value through roleMap, then "False" and "True".
    const kim = (await scim.ok('POST', '/Users', { ...entraUser('kim@acme.test', 'Kim', 'Lee'), roles: [{ primary: 'True', value: 'COMPLIANCE_MANAGER', type: 'WindowsAzureActiveDirectoryRole' }] }, ENTRA))!.id as string;
    await converged(stack, scim, [kim]);
    assert.deepEqual(people(stack).get('kim@acme.test'), { status: 'Active', role: 'Compliance manager' });
    await scim.ok('PATCH', `/Users/${kim}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }, ENTRA);
    await converged(stack, scim, [kim]);
    assert.equal(people(stack).get('kim@acme.test')?.status, 'Deactivated');
    await scim.ok('PATCH', `/Users/${kim}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] }, ENTRA);
    await converged(stack, scim, [kim]);
    assert.deepEqual(people(stack).get('kim@acme.test'), { status: 'Active', role: 'Compliance manager' }, 'reactivated with the role kept');
    // deprovision 'deactivate': a SCIM DELETE deactivates too, the record is kept.
    await scim.ok('DELETE', `/Users/${raj}`);
    await converged(stack, scim, [raj]);
    assert.equal(people(stack).get('raj@acme.test')?.status, 'Deactivated');

    for (const call of stack.sandbox.state.scimCalls) {
      assert.notEqual(call.method, 'DELETE');
      assert.doesNotMatch(call.path, /Groups/);
      assert.doesNotMatch(JSON.stringify(call.body ?? {}), /"roles"|"groups"/);
    }
    assert.deepEqual(stack.failedJobs, [], 'no job failed on the way');
  });

  test(`[${name}] without SSO, setup fails saying so, with a screenshot, and no token is made`, async (t) => {
    const stack = await stackFor(t, { presentation, ssoEnabled: false });
    await createHyperproofConnection(stack, 'hp-nosso');
    const run = await taskRun(stack, 'hp-nosso', 'setup');
    assert.equal(run.status, 'failed');
    assert.equal(run.reason, 'setup_required');
    assert.match(run.error ?? '', /Single sign-on is not configured/);
    assert.equal(stack.sandbox.state.stats.tokensIssued, 0);
    const manifest = JSON.parse(await readFile(join(stack.config.recordingsDir, run.evidence!.dir, 'manifest.json'), 'utf8'));
    const failed = manifest.steps.find((s: { outcome: string }) => s.outcome === 'failed');
    assert.ok((failed?.files ?? []).some((f: string) => f.endsWith('.png')), 'the failed step has a screenshot');
    const view = await setupStateBecomes(stack.app.scimwright, (await stack.core.connections.get('hp-nosso'))!, 'failed');
    assert.match(view?.message ?? '', /Single sign-on is not configured/);
  });
}

test('under deprovision remove, a DELETE deactivates then deletes permanently; nobody else is touched', async (t) => {
  const stack = await stackFor(t, { presentation: HYPERPROOF_VARIANTS[0]!.presentation, people: [{ email: 'hand@acme.test', role: 'User' }] });
  const scim = await createHyperproofConnection(stack, 'hp-rm', { deprovision: 'remove' });
  assert.equal((await taskRun(stack, 'hp-rm', 'setup')).status, 'succeeded');
  const lee = (await scim.ok('POST', '/Users', entraUser('lee@acme.test', 'Lee', 'Ng'), ENTRA))!.id as string;
  const mo = (await scim.ok('POST', '/Users', entraUser('mo@acme.test', 'Mo', 'Ray'), ENTRA))!.id as string;
  await converged(stack, scim, [lee, mo]);
  assert.equal(people(stack).get('lee@acme.test')?.role, 'External auditor', 'no mapping: the least role');
  await scim.ok('DELETE', `/Users/${lee}`, undefined, ENTRA);
  await settled(stack, 'hp-rm', lee);
  const left = people(stack);
  assert.equal(left.has('lee@acme.test'), false, 'deleted permanently');
  assert.deepEqual([...left.keys()].sort(), ['admin@example.com', 'hand@acme.test', 'mo@acme.test']);
  assert.equal(left.get('mo@acme.test')?.status, 'Active');
});
