/**
 * Microsoft Entra's request sequences (shared/idp.md) through the SCIM API into the UXPin sandbox:
 * lookups by userName and externalId, create with the enterprise schema, a role from `roles`
 * mapped by roleMap, group membership with capitalised ops, Replace active "False" (a string), then
 * the hard DELETE. Checked in the sandbox's state, on GET, and in the evidence trail.
 */
import assert from 'node:assert/strict';
import { verifyEvidence } from '../../runner/evidence/verify.ts';
import {
  addUxpinConnection, PROVISIONING, queueDrained, scim, settledRun, waitForUser, type ScimConnection, type Stack,
} from '../support/stack.ts';
import { uxpinVariantSuite } from './uxpin-variant-suite.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let stack: Stack;
const { scenario, run } = uxpinVariantSuite(4, (started) => { stack = started; });

function entraUser(email: string, externalId: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId, userName: email, active: true, displayName: 'Eve Entra',
    emails: [{ primary: true, type: 'work', value: email }],
    name: { formatted: 'Eve Entra', familyName: 'Entra', givenName: 'Eve' },
    roles: [], meta: { resourceType: 'User' },
    [ENTERPRISE]: { department: 'Design', employeeNumber: '4711' },
  };
}

async function patch(conn: ScimConnection, path: string, operations: unknown[]) {
  const res = await scim(conn, 'PATCH', path, { schemas: [PATCH_OP], Operations: operations });
  assert.ok([200, 204].includes(res.status), `PATCH ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

scenario('Entra: lookups, create, roles via roleMap, group Add/Remove, Replace active "False", DELETE', async () => {
  const conn = await addUxpinConnection(stack, {
    settings: { roleMap: { 'uxpin.admin': 'Admin' }, groupRoleMap: { 'UX Developers': 'Developer' } },
  });
  const email = 'eve.entra@example.com';
  const externalId = '8c1e2f1a-4e1b-4f0e-9b1f-3f9f2d0c7a11';
  for (const filter of [`userName eq "${email}"`, `externalId eq "${externalId}"`]) {
    const miss = await scim(conn, 'GET', `/Users?filter=${encodeURIComponent(filter)}`);
    assert.deepEqual([miss.status, miss.body.totalResults], [200, 0]);
  }
  const created = await scim(conn, 'POST', '/Users', entraUser(email, externalId));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const userId = created.body.id as string;
  await waitForUser(conn, userId, (p) => p.state === 'in sync' && p.appRole === 'Collaborator');
  assert.equal(stack.sandbox.state.find(email)?.role, 'Collaborator');

  // Entra's group flow: created without members, members added with $ref null → groupRoleMap.
  const group = await scim(conn, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'UX Developers', externalId: 'g-1' });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  await patch(conn, `/Groups/${group.body.id}`, [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }] }]);
  await waitForUser(conn, userId, (p) => p.state === 'in sync' && p.appRole === 'Developer');
  assert.equal(stack.sandbox.state.find(email)?.role, 'Developer');

  // An app role assignment arrives as `roles`; its value beats the group (primary "True" is a string).
  await patch(conn, `/Users/${userId}`, [{ op: 'Add', path: 'roles', value: [{ value: 'uxpin.admin', primary: 'True' }] }]);
  await waitForUser(conn, userId, (p) => p.state === 'in sync' && p.appRole === 'Admin');
  assert.equal(stack.sandbox.state.find(email)?.role, 'Admin');

  await patch(conn, `/Users/${userId}`, [{ op: 'Remove', path: 'roles' }]);
  await patch(conn, `/Groups/${group.body.id}`, [{ op: 'Remove', path: 'members', value: [{ value: userId }] }]);
  await waitForUser(conn, userId, (p) => p.state === 'in sync' && p.appRole === 'Collaborator');
  assert.equal(stack.sandbox.state.find(email)?.role, 'Collaborator');

  await patch(conn, `/Users/${userId}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
  const removed = await waitForUser(conn, userId, (p) => p.state === 'removed');
  assert.equal(removed.active, false);
  assert.equal(stack.sandbox.state.find(email), undefined);
  const stillListed = await scim(conn, 'GET', `/Users?filter=${encodeURIComponent(`externalId eq "${externalId}"`)}`);
  assert.equal(stillListed.body.totalResults, 1, 'Entra expects inactive users to stay visible');

  // The hard delete 30 days later: the user is gone from SCIM and stays gone from the app.
  assert.equal((await scim(conn, 'DELETE', `/Users/${userId}`)).status, 204);
  assert.equal((await scim(conn, 'GET', `/Users/${userId}`)).status, 404);
  await queueDrained(stack);
  assert.equal((await settledRun(conn, userId))?.state, 'removed');
  assert.equal(stack.sandbox.state.find(email), undefined);
  assert.equal(stack.sandbox.state.invitesSent[email], 1);

  const runs = (await stack.runs.list(conn.id, { userId })).reverse();
  // Two quick PATCHes may coalesce into one run or not, so the count of role changes varies.
  const actions = runs.map((r) => r.action);
  assert.equal(actions[0], 'invite');
  assert.ok(actions.filter((a) => a === 'changeRole').length >= 3, actions.join());
  assert.deepEqual(actions.slice(actions.indexOf('remove')).filter((a) => a !== 'none'), ['remove'], actions.join());
  assert.ok(runs.every((r) => r.status === 'succeeded'), JSON.stringify(runs.map((r) => [r.action, r.status, r.error])));
  const evidence = await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id });
  assert.deepEqual(evidence.problems, []);
  assert.equal(evidence.checkedRuns, runs.length);
});

scenario('Entra: a value-less Replace of several attributes with active "False" removes a seeded member', async () => {
  const conn = await addUxpinConnection(stack);
  const email = 'user02@example.com';
  const before = stack.sandbox.state.find(email);
  assert.ok(before, 'seeded');
  const created = await scim(conn, 'POST', '/Users', { ...entraUser(email, 'x-2'), roles: [{ value: before.role, primary: 'True' }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const userId = created.body.id as string;
  const synced = await waitForUser(conn, userId, (p) => p.state === 'in sync');
  assert.equal(synced[PROVISIONING].appRole, before.role);
  const [adopted] = await stack.runs.list(conn.id, { userId });
  assert.equal(adopted?.action, 'none', 'an existing member with the right role is left alone');
  assert.equal(stack.sandbox.state.invitesSent[email], undefined);

  await patch(conn, `/Users/${userId}`, [{ op: 'Replace', value: { displayName: 'Left The Company', active: 'False' } }]);
  await waitForUser(conn, userId, (p) => p.state === 'removed');
  assert.equal(stack.sandbox.state.find(email), undefined);
  await queueDrained(stack);
  assert.equal((await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id })).ok, true);
});

run();
