import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnectorCapabilities } from '../connector.ts';
import { settingsSchema } from '../connections/schema.ts';
import { PermanentAppError } from '../errors.ts';
import { chooseRole, computeDesired } from './desired.ts';
import { plan } from './plan.ts';

const caps: ConnectorCapabilities = {
  invite: true, changeRole: true, remove: true, deactivate: false, listUsers: true, groups: false, bulkInvite: true,
  roles: ['Owner', 'Admin', 'Manager', 'Creator', 'Collaborator', 'Developer'], protectedRoles: ['Owner'],
};
const settings = (over: object = {}) => settingsSchema.parse(over);

test('role: primary roles value, then roleMap, then groups (most privileged), then default', () => {
  assert.equal(chooseRole({ roles: [{ value: 'admin', primary: true }] }, [], settings(), caps), 'Admin');
  assert.equal(chooseRole({ roles: [{ value: 'designer' }] }, [], settings({ roleMap: { Designer: 'creator' } }), caps), 'Creator');
  assert.equal(chooseRole({}, ['Devs', 'Leads'], settings({ groupRoleMap: { devs: 'Developer', leads: 'Manager' } }), caps), 'Manager');
  assert.equal(chooseRole({}, ['Other'], settings({ defaultRole: 'collaborator' }), caps), 'Collaborator');
  assert.equal(chooseRole({}, [], settings(), caps), 'Developer', 'the least role the connector lists');
});

test('role: an unknown or protected role is a permanent error with its reason', () => {
  assert.throws(() => chooseRole({ roles: [{ value: 'Wizard' }] }, [], settings(), caps), (e: unknown) => e instanceof PermanentAppError && e.reason === 'unknown_role' && /Wizard/.test(e.message));
  assert.throws(() => chooseRole({ roles: [{ value: 'owner' }] }, [], settings(), caps), (e: unknown) => e instanceof PermanentAppError && e.reason === 'owner_protected');
});

test('desired: inactive or deleted users are not members, and need no role', () => {
  const inactive = computeDesired({ userName: 'A@x.com', active: false, roles: [{ value: 'Wizard' }] }, undefined, [], settings(), caps);
  assert.deepEqual([inactive.user.member, inactive.user.email], [false, 'a@x.com']);
  const deleted = computeDesired(null, 'Gone@x.com', [], settings(), caps);
  assert.deepEqual([deleted.user.member, deleted.user.email], [false, 'gone@x.com']);
  const byEmail = computeDesired({ userName: 'jdoe', emails: [{ value: 'J@x.com', primary: true }] }, undefined, [], settings(), caps);
  assert.equal(byEmail.user.email, 'j@x.com');
});

test('plan: only the difference, idempotent on a second look', () => {
  const want = computeDesired({ userName: 'a@x.com', roles: [{ value: 'Creator' }] }, undefined, [], settings(), caps);
  assert.deepEqual(plan(want, null, caps), { kind: 'invite' });
  assert.deepEqual(plan(want, { email: 'a@x.com', role: 'Developer', status: 'pending' }, caps), { kind: 'changeRole', from: 'Developer', to: 'Creator' });
  assert.equal(plan(want, { email: 'a@x.com', role: 'creator', status: 'active' }, caps).kind, 'none');
  const gone = computeDesired(null, 'a@x.com', [], settings(), caps);
  assert.deepEqual(plan(gone, { email: 'a@x.com', role: 'Creator', status: 'active' }, caps), { kind: 'remove' });
  assert.equal(plan(gone, null, caps).kind, 'none');
  const noCreate = computeDesired({ userName: 'a@x.com' }, undefined, [], settings({ createUsers: false }), caps);
  assert.equal(plan(noCreate, null, caps).kind, 'none');
  assert.throws(() => plan(gone, { email: 'a@x.com', role: 'Owner', status: 'active' }, caps), (e: unknown) => e instanceof PermanentAppError && e.reason === 'owner_protected');
  const deactivating = computeDesired(null, 'a@x.com', [], settings({ deprovision: 'deactivate' }), { ...caps, deactivate: true });
  assert.deepEqual(plan(deactivating, { email: 'a@x.com', role: 'Creator', status: 'active' }, { ...caps, deactivate: true }), { kind: 'deactivate' });
});

test('plan: a leaver whose address another SCIM user wants leaves the account alone', () => {
  const leaver = computeDesired(null, 'pat@x.com', [], settings(), caps);
  const observed = { email: 'pat@x.com', role: 'Creator', status: 'active' as const };
  assert.deepEqual(plan(leaver, observed, caps), { kind: 'remove' });
  assert.deepEqual(plan({ ...leaver, heldBy: 'u-2' }, observed, caps), { kind: 'none', why: 'the address belongs to SCIM user u-2 now' });
});
