/**
 * Spekit end to end (issue 5, "Done when"): a connection created through the admin API sets itself
 * up in the browser, then Okta- and Entra-style SCIM sequences reach Spekit's SCIM store through
 * the token it obtained — users, teams, roles, deactivation, deletion; and a setup without SSO fails
 * with the page's reason and evidence. Real Redis, real Chromium, the Spekit sandbox. The setup
 * scenario and the no-SSO scenario run on every presentation preset of the sandbox (variants.ts);
 * the delete scenario, which differs only after setup, on the first.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setupStateBecomes } from '../support/setup-view.ts';
import {
  admin, createSpekitConnection, entraUser, GROUP, oktaUser, PATCH_OP, settled, spekitView,
  taskRun, vaultValue, waitFor, type ScimClient, type SpekitStack, spekitStacksPerFile,
} from './spekit-stack.ts';
import { SPEKIT_VARIANTS, spekitVariantsToRun } from '../sandboxes/spekit/variants.ts';

const stackFor = spekitStacksPerFile();

/** Sends a SCIM change and waits until the worker has converged every user it touched. */
async function converged(stack: SpekitStack, scim: ScimClient, userIds: string[]): Promise<void> {
  for (const id of userIds) {
    const state = await settled(stack, scim.id, id);
    assert.notEqual(state.state, 'failed', `user ${id}: ${state.lastError}`);
  }
}

const ENTRA = 'Azure AD SCIM Client';

for (const { name, presentation } of spekitVariantsToRun()) {
  test(`[${name}] created through the admin API, a Spekit connection sets itself up; Okta and Entra sequences reach Spekit`, async (t) => {
    const stack = await stackFor(t, { sandbox: { presentation } });
    const scim = await createSpekitConnection(stack, 'spk-e2e');
    const setup = await taskRun(stack, 'spk-e2e', 'setup');
    assert.equal(setup.status, 'succeeded', setup.error);
    assert.equal(spekitView(stack).tokenGenerations, 1);
    assert.equal(await vaultValue(stack, 'spk-e2e', 'endpointUrl'), stack.sandbox.endpointUrl);
    assert.ok(setup.evidence?.files.some((f) => f.endsWith('.png')), 'the setup run has screenshots');
    await setupStateBecomes(stack.app.scimwright, (await stack.core.connections.get('spk-e2e'))!, 'ready');

    // Okta: lookup miss, create (Okta sends a password; Spekit never sees it), group push, membership PATCHes.
    const miss = await scim.ok('GET', `/Users?filter=${encodeURIComponent('userName eq "jane@acme.test"')}&startIndex=1&count=100`);
    assert.equal(miss?.totalResults, 0);
    const jane = (await scim.ok('POST', '/Users', oktaUser('jane@acme.test', 'Jane', 'Doe')))!.id as string;
    const raj = (await scim.ok('POST', '/Users', oktaUser('raj@acme.test', 'Raj', 'Patel', 'Expert')))!.id as string;
    const sales = (await scim.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Sales', members: [] }))!.id as string;
    const support = (await scim.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Support', members: [] }))!.id as string;
    await scim.ok('PATCH', `/Groups/${sales}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: jane, display: 'jane@acme.test' }, { value: raj, display: 'raj@acme.test' }] }] });
    await scim.ok('PATCH', `/Groups/${support}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: raj, display: 'raj@acme.test' }] }] });
    await scim.ok('PATCH', `/Groups/${sales}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${raj}"]` }] });
    await converged(stack, scim, [jane, raj]);
    let spekit = spekitView(stack);
    // No SCIM roles value → Viewer (spekit.md); "Expert" is a Spekit team role and is kept.
    assert.deepEqual(spekit.users.get('jane@acme.test')?.teams, ['Sales:Viewer']);
    assert.deepEqual(spekit.users.get('raj@acme.test')?.teams, ['Support:Expert']);
    assert.equal(spekit.users.get('jane@acme.test')?.status, 'Pending', 'Pending until the first login');

    // Okta deactivates and reactivates with a no-path replace.
    await scim.ok('PATCH', `/Users/${jane}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    await converged(stack, scim, [jane]);
    assert.equal(spekitView(stack).users.get('jane@acme.test')?.status, 'Deactivated');
    await scim.ok('PATCH', `/Users/${jane}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    await converged(stack, scim, [jane]);
    assert.equal(spekitView(stack).users.get('jane@acme.test')?.status, 'Pending');

    // Entra: enterprise schema, a group created empty then looked up by name, capitalised ops, "False".
    const kim = (await scim.ok('POST', '/Users', entraUser('kim@acme.test', 'Kim', 'Lee'), ENTRA))!.id as string;
    const eng = (await scim.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', externalId: 'e-1' }, ENTRA))!.id as string;
    const found = await scim.ok('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Engineering"')}`, undefined, ENTRA);
    assert.equal(found?.Resources[0]?.id, eng);
    await scim.ok('PATCH', `/Groups/${eng}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: kim }, { $ref: null, value: jane }] }] }, ENTRA);
    await scim.ok('PATCH', `/Users/${kim}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Kim S. Lee' }] }, ENTRA);
    await scim.ok('PATCH', `/Groups/${eng}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: jane }] }] }, ENTRA);
    await converged(stack, scim, [kim, jane]);
    spekit = spekitView(stack);
    assert.deepEqual(spekit.users.get('kim@acme.test')?.teams, ['Engineering:Viewer']);
    assert.equal(spekit.users.get('kim@acme.test')?.displayName, 'Kim S. Lee');
    assert.deepEqual(spekit.users.get('jane@acme.test')?.teams, ['Sales:Viewer']);
    assert.deepEqual(spekit.teamNames, ['Engineering', 'Sales', 'Support'], 'one Spekit team per IdP group, no duplicates');

    // Entra disables ("False" as a string), then hard-deletes: both deactivate (deleteOnDeprovision is off).
    await scim.ok('PATCH', `/Users/${kim}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }, ENTRA);
    await converged(stack, scim, [kim]);
    assert.equal(spekitView(stack).users.get('kim@acme.test')?.status, 'Deactivated');
    await scim.ok('DELETE', `/Users/${kim}`, undefined, ENTRA);
    await scim.ok('DELETE', `/Users/${raj}`);
    await converged(stack, scim, [kim, raj]);
    spekit = spekitView(stack);
    assert.equal(spekit.users.get('kim@acme.test')?.status, 'Deactivated', 'a SCIM DELETE deactivates by default');
    assert.equal(spekit.users.get('raj@acme.test')?.status, 'Deactivated');
    assert.deepEqual(stack.failedJobs, [], 'no job failed on the way');
  });
}

test('with deleteOnDeprovision a SCIM DELETE deletes the Spekit user, and active=false still only deactivates', async (t) => {
  const stack = await stackFor(t, { sandbox: { presentation: SPEKIT_VARIANTS[0]!.presentation } });
  const scim = await createSpekitConnection(stack, 'spk-del', { deleteOnDeprovision: true });
  assert.equal((await taskRun(stack, 'spk-del', 'setup')).status, 'succeeded');
  const lee = (await scim.ok('POST', '/Users', entraUser('lee@acme.test', 'Lee', 'Ng'), ENTRA))!.id as string;
  const mo = (await scim.ok('POST', '/Users', entraUser('mo@acme.test', 'Mo', 'Ray'), ENTRA))!.id as string;
  await converged(stack, scim, [lee, mo]);
  assert.equal(spekitView(stack).users.size, 2);

  await scim.ok('DELETE', `/Users/${lee}`, undefined, ENTRA);
  await converged(stack, scim, [lee]);
  assert.equal(spekitView(stack).users.has('lee@acme.test'), false, 'deleted in Spekit');

  await scim.ok('PATCH', `/Users/${mo}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }, ENTRA);
  await converged(stack, scim, [mo]);
  assert.equal(spekitView(stack).users.get('mo@acme.test')?.status, 'Deactivated', 'disabling deactivates; only DELETE deletes');
});

for (const { name, presentation } of spekitVariantsToRun()) {
  test(`[${name}] without SSO, setup fails with the page's reason and a screenshot, touches nothing, and runs again once SSO is on`, async (t) => {
    const stack = await stackFor(t, { sandbox: { ssoConnected: false, presentation } });
    const scim = await createSpekitConnection(stack, 'spk-nosso');
    const run = await taskRun(stack, 'spk-nosso', 'setup');
    assert.equal(run.status, 'failed');
    assert.equal(run.reason, 'setup_required');
    assert.match(run.error ?? '', /Set up SSO before enabling SCIM provisioning/);
    assert.equal(run.attempt, 1, 'a permanent reason is not retried');
    assert.equal(stack.sandbox.state.token, null, 'no token was generated');
    assert.equal(await vaultValue(stack, 'spk-nosso', 'endpointUrl'), undefined);

    const dir = join(stack.config.recordingsDir, run.evidence!.dir);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const failed = manifest.steps.find((s: { outcome: string }) => s.outcome === 'failed');
    assert.match(failed?.error ?? '', /Set up SSO before enabling SCIM provisioning/);
    const shots = (failed?.files ?? []).filter((f: string) => f.endsWith('.png'));
    assert.ok(shots.length > 0, `the failed step has a screenshot: ${JSON.stringify(failed)}`);
    assert.ok(manifest.files.some((f: { name: string }) => f.name === shots[0]), 'the screenshot is in the manifest');
    assert.equal(manifest.outcome, 'failed');

    const connection = (await stack.core.connections.get('spk-nosso'))!;
    const failedView = await setupStateBecomes(stack.app.scimwright, connection, 'failed');
    assert.equal(failedView?.reason, 'setup_required');
    assert.equal(failedView?.lastError, 'Set up SSO before enabling SCIM provisioning');
    assert.match(failedView?.message ?? '', /^Setup failed at .*: Set up SSO before enabling SCIM provisioning\.$/);

    // A user the IdP sends before the app is set up fails for that reason, not for good.
    const early = (await scim.ok('POST', '/Users', oktaUser('early@acme.test', 'Early', 'Bird')))!.id as string;
    const blocked = await settled(stack, 'spk-nosso', early);
    assert.deepEqual([blocked.state, blocked.lastErrorReason], ['failed', 'setup_required']);

    stack.sandbox.setKnobs({ ssoConnected: true });
    const again = await admin(stack, 'POST', '/connections/spk-nosso/setup');
    assert.equal(again.status, 202);
    const second = await taskRun(stack, 'spk-nosso', 'setup', 2);
    assert.equal(second.status, 'succeeded', second.error);
    assert.equal(spekitView(stack).tokenGenerations, 1);
    await setupStateBecomes(stack.app.scimwright, connection, 'ready');
    const unblocked = await waitFor(async () => {
      const state = await stack.core.directory.provisioning.get('spk-nosso', early);
      return state?.state === 'in_sync' ? state : undefined;
    }, 'the early user to converge once setup succeeded');
    assert.equal(unblocked.appRole, 'Viewer');
    assert.ok([...stack.sandbox.state.users.values()].some((u) => u.userName === 'early@acme.test'));
  });
}
