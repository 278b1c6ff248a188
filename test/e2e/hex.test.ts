/**
 * Hex end to end (issue 14, "Done when"): a connection created through the admin API sets itself
 * up in the browser; Okta and Entra sequences end as the right Hex users, names and roles, every
 * role set on the Users page and none sent over SCIM; a group push makes one Hex group with Hex's
 * own member ids and its role mapping applies; Entra "False" and a DELETE under deactivate only
 * deactivate. Real Redis, real Chromium, the Hex sandbox; the sequences run on every preset.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setupStateBecomes } from '../support/setup-view.ts';
import { hexVariantsToRun } from '../sandboxes/hex/variants.ts';
import {
  admin, createHexConnection, entraUser, GROUP, hexStacksPerFile, hexView, oktaUser, PATCH_OP, settled, taskRun, vaultValue,
  type HexStack, type ScimClient,
} from './hex-stack.ts';

const stackFor = hexStacksPerFile();
const ENTRA = 'Azure AD SCIM Client';
const SETTINGS = { roleMap: { 'hex-manager': 'Manager' }, groupRoleMap: { Analysts: 'Editor' } };

/** Waits until the worker has converged every user: in_sync, or 'removed' once deprovisioned. */
async function converged(stack: HexStack, scim: ScimClient, userIds: string[], want = 'in_sync'): Promise<void> {
  for (const id of userIds) {
    const state = await settled(stack, scim.id, id);
    assert.equal(state.state, want, `user ${id}: ${state.lastError}`);
  }
}

function hexUser(stack: HexStack, email: string) {
  const user = hexView(stack).users.get(email);
  return user && { role: user.role, status: user.status, name: user.displayName ?? [user.givenName, user.familyName].filter(Boolean).join(' '), groups: user.groups };
}

for (const { name, presentation } of hexVariantsToRun()) {
  test(`[${name}] a Hex connection sets itself up; Okta and Entra sequences end as the right users and roles`, async (t) => {
    const stack = await stackFor(t, { presentation, defaultRole: 'Guest' });
    const scim = await createHexConnection(stack, 'hex-e2e', SETTINGS);
    const setup = await taskRun(stack, 'hex-e2e', 'setup');
    assert.equal(setup.status, 'succeeded', setup.error);
    assert.equal(hexView(stack).tokenGenerations, 1);
    assert.equal(await vaultValue(stack, 'hex-e2e', 'endpointUrl'), stack.sandbox.scimBaseUrl);
    await setupStateBecomes(stack.app.scimwright, (await stack.core.connections.get('hex-e2e'))!, 'ready');

    // Okta: a lookup miss, two creates (one with a mapped roles value), a group push with a member.
    const miss = await scim.ok('GET', `/Users?filter=${encodeURIComponent('userName eq "jane@acme.test"')}&startIndex=1&count=100`);
    assert.equal(miss?.totalResults, 0);
    const jane = (await scim.ok('POST', '/Users', oktaUser('jane@acme.test', 'Jane', 'Doe')))!.id as string;
    const raj = (await scim.ok('POST', '/Users', oktaUser('raj@acme.test', 'Raj', 'Patel', 'hex-manager')))!.id as string;
    const analysts = (await scim.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Analysts', members: [] }))!.id as string;
    await scim.ok('PATCH', `/Groups/${analysts}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: jane, display: 'jane@acme.test' }] }] });
    await converged(stack, scim, [jane, raj]);
    assert.deepEqual(hexUser(stack, 'jane@acme.test'), { role: 'Editor', status: 'Active', name: 'Jane Doe', groups: ['Analysts'] }, 'groupRoleMap applies');
    assert.deepEqual(hexUser(stack, 'raj@acme.test'), { role: 'Manager', status: 'Active', name: 'Raj Patel', groups: [] }, 'roleMap applies');
    const group = hexView(stack).groups.filter((g) => g.displayName === 'Analysts');
    assert.equal(group.length, 1);
    assert.deepEqual(group[0]!.members, [hexView(stack).users.get('jane@acme.test')!.id], "Hex's own member id");

    // Okta deactivates and reactivates with a no-path replace: the role comes back.
    await scim.ok('PATCH', `/Users/${jane}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    await converged(stack, scim, [jane], 'removed');
    assert.equal(hexUser(stack, 'jane@acme.test')?.status, 'Deactivated');
    await scim.ok('PATCH', `/Users/${jane}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    await converged(stack, scim, [jane]);
    assert.deepEqual([hexUser(stack, 'jane@acme.test')?.status, hexUser(stack, 'jane@acme.test')?.role], ['Active', 'Editor']);

    // Entra: enterprise schema, roles [], a displayName change, "False", then a hard DELETE.
    const kim = (await scim.ok('POST', '/Users', entraUser('kim@acme.test', 'Kim', 'Lee'), ENTRA))!.id as string;
    await scim.ok('PATCH', `/Users/${kim}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Kim S. Lee' }] }, ENTRA);
    await converged(stack, scim, [kim]);
    assert.deepEqual(hexUser(stack, 'kim@acme.test'), { role: 'Viewer', status: 'Active', name: 'Kim S. Lee', groups: [] }, "defaultRole over Hex's Guest");
    await scim.ok('PATCH', `/Users/${kim}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }, ENTRA);
    await converged(stack, scim, [kim], 'removed');
    assert.equal(hexUser(stack, 'kim@acme.test')?.status, 'Deactivated');
    await scim.ok('DELETE', `/Users/${kim}`, undefined, ENTRA);
    await scim.ok('DELETE', `/Users/${raj}`);
    await converged(stack, scim, [kim, raj], 'removed');
    assert.equal(hexUser(stack, 'kim@acme.test')?.status, 'Deactivated', 'a DELETE under deactivate only deactivates');
    assert.equal(hexUser(stack, 'raj@acme.test')?.status, 'Deactivated');

    const hex = hexView(stack);
    assert.equal(hex.stats.scimRoleAttempts, 0, 'no role was sent over SCIM');
    assert.equal(hex.stats.usersDeleted, 0);
    assert.equal(hex.stats.usersCreated, 3, 'every user created once');
    for (const [email, role] of [['jane@acme.test', 'Editor'], ['raj@acme.test', 'Manager'], ['kim@acme.test', 'Viewer']]) {
      assert.ok(hex.roleChanges.some((c) => c.userName === email && c.to === role), `${email}: ${role} set on the Users page`);
    }
    assert.equal(hexUser(stack, 'admin@example.com')?.role, 'Admin', 'the connector\'s own Admin untouched');
  });
}

for (const { name, presentation } of hexVariantsToRun()) {
  test(`[${name}] on the Team plan setup fails with Hex's words and a screenshot, generates nothing, and succeeds once on Enterprise`, async (t) => {
    const stack = await stackFor(t, { presentation, plan: 'Team' });
    const scim = await createHexConnection(stack, 'hex-team');
    const run = await taskRun(stack, 'hex-team', 'setup');
    assert.deepEqual([run.status, run.reason, run.attempt], ['failed', 'setup_required', 1]);
    assert.match(run.error ?? '', /SCIM provisioning is available on the Enterprise plan\./);
    assert.equal(stack.sandbox.state.token, null, 'no token was generated');
    const manifest = JSON.parse(await readFile(join(stack.config.recordingsDir, run.evidence!.dir, 'manifest.json'), 'utf8'));
    const failed = manifest.steps.find((s: { outcome: string }) => s.outcome === 'failed');
    assert.match(failed?.error ?? '', /Enterprise plan/);
    assert.ok((failed?.files ?? []).some((f: string) => f.endsWith('.png')), 'the failed step has a screenshot');
    const connection = (await stack.core.connections.get('hex-team'))!;
    const view = await setupStateBecomes(stack.app.scimwright, connection, 'failed');
    assert.equal(view.reason, 'setup_required');

    const early = (await scim.ok('POST', '/Users', oktaUser('early@acme.test', 'Early', 'Bird')))!.id as string;
    const blocked = await settled(stack, 'hex-team', early);
    assert.deepEqual([blocked.state, blocked.lastErrorReason], ['failed', 'setup_required']);

    stack.sandbox.setKnobs({ plan: 'Enterprise' });
    assert.equal((await admin(stack, 'POST', '/connections/hex-team/setup')).status, 202);
    const second = await taskRun(stack, 'hex-team', 'setup', 2);
    assert.equal(second.status, 'succeeded', second.error);
    await setupStateBecomes(stack.app.scimwright, connection, 'ready');
  });
}
