/**
 * Okta's request sequences (shared/idp.md) through the SCIM API, carried out in the UXPin sandbox
 * by the real worker in real Chromium: lookup → create → group push mapped to a role →
 * deactivate → reactivate. Each step is read back three ways: the sandbox's own state, the
 * provisioning extension on GET, and the evidence trail.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyEvidence } from '../../runner/evidence/verify.ts';
import {
  addUxpinConnection, PROVISIONING, queueDrained, scim, waitForUser, type ScimConnection, type Stack,
} from '../support/stack.ts';
import { uxpinVariantSuite } from './uxpin-variant-suite.ts';

const OKTA = { 'user-agent': 'Okta SCIM Client 1.0.0' };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let stack: Stack;
const { scenario, run } = uxpinVariantSuite(3, (started) => { stack = started; });

function oktaUser(email: string) {
  const [given = 'Jane'] = email.split('@');
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email,
    name: { givenName: given, familyName: 'Okta' }, emails: [{ primary: true, value: email, type: 'work' }],
    displayName: `${given} Okta`, locale: 'en-US', externalId: `00u${given}`, groups: [], password: 'Okta-Sends-A-Password-1!', active: true,
  };
}

async function patchActive(conn: ScimConnection, userId: string, active: boolean) {
  const res = await scim(conn, 'PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active } }] }, OKTA);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.active, active);
}

scenario('Okta: lookup miss, create, group push → role, deactivate removes, reactivate invites again', async () => {
  const conn = await addUxpinConnection(stack, { settings: { groupRoleMap: { 'UXPin Designers': 'Creator' } } });
  const email = 'jane.okta@example.com';
  const filter = encodeURIComponent(`userName eq "${email}"`);
  const miss = await scim(conn, 'GET', `/Users?filter=${filter}&startIndex=1&count=100`, undefined, OKTA);
  assert.deepEqual([miss.status, miss.body.totalResults, miss.body.Resources], [200, 0, []]);

  const created = await scim(conn, 'POST', '/Users', oktaUser(email), OKTA);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const userId = created.body.id as string;
  assert.equal(created.body[PROVISIONING].state, 'pending');
  const inSync = await waitForUser(conn, userId, (p) => p.state === 'in sync');
  assert.equal(inSync[PROVISIONING].appRole, 'Collaborator');
  assert.deepEqual(stack.sandbox.state.find(email), { email, name: '', role: 'Collaborator', status: 'pending' });

  // Group push: create empty, then add the member; groupRoleMap turns the group into a role.
  const group = await scim(conn, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'UXPin Designers', members: [] }, OKTA);
  assert.equal(group.status, 201, JSON.stringify(group.body));
  const push = await scim(conn, 'PATCH', `/Groups/${group.body.id}`, {
    schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId, display: email }] }],
  }, OKTA);
  assert.ok([200, 204].includes(push.status), `group PATCH answered ${push.status}`);
  const promoted = await waitForUser(conn, userId, (p) => p.state === 'in sync' && p.appRole === 'Creator');
  assert.equal(promoted.groups[0]?.display, 'UXPin Designers');
  assert.equal(stack.sandbox.state.find(email)?.role, 'Creator');

  await patchActive(conn, userId, false);
  const removed = await waitForUser(conn, userId, (p) => p.state === 'removed');
  assert.equal(removed.active, false);
  assert.equal(removed[PROVISIONING].appRole, undefined);
  assert.equal(stack.sandbox.state.find(email), undefined, 'UXPin has no deactivation: the user left the team');

  await patchActive(conn, userId, true);
  await waitForUser(conn, userId, (p) => p.state === 'in sync' && p.appRole === 'Creator');
  assert.deepEqual(stack.sandbox.state.find(email), { email, name: '', role: 'Creator', status: 'pending' });
  assert.equal(stack.sandbox.state.invitesSent[email], 2, 'one invitation per time the user was made a member');

  await queueDrained(stack);
  const runs = await stack.runs.list(conn.id, { userId });
  assert.deepEqual(runs.map((r) => [r.action, r.status]).reverse(), [
    ['invite', 'succeeded'], ['changeRole', 'succeeded'], ['remove', 'succeeded'], ['invite', 'succeeded'],
  ]);
  const evidence = await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id });
  assert.deepEqual(evidence.problems, []);
  assert.equal(evidence.ok, true);
  assert.equal(evidence.checkedRuns, 4);
  const removal = runs.find((r) => r.action === 'remove')!;
  const manifest = JSON.parse(await readFile(join(stack.config.recordingsDir, removal.evidence!.dir, 'manifest.json'), 'utf8'));
  assert.ok(manifest.steps.some((s: { name: string }) => s.name === `remove ${email}`), 'the removal is an evidenced step');
  assert.ok(manifest.files.some((f: { name: string }) => f.name.endsWith('.png')));
});

scenario('Okta: the Owner is never removed, even when the IdP deactivates them', async () => {
  const conn = await addUxpinConnection(stack);
  const owner = stack.sandbox.admin.email;
  const created = await scim(conn, 'POST', '/Users', oktaUser(owner), OKTA);
  assert.equal(created.status, 201);
  const userId = created.body.id as string;
  await waitForUser(conn, userId, (p) => p.state !== 'pending');
  await patchActive(conn, userId, false);
  const failed = await waitForUser(conn, userId, (p) => p.state === 'failed');
  assert.match(failed[PROVISIONING].lastError ?? '', /Owner/);
  assert.equal(stack.sandbox.state.find(owner)?.role, 'Owner');
  await queueDrained(stack);
  assert.equal((await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id })).ok, true);
});

run();
