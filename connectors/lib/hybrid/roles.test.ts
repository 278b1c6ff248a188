/**
 * Role choice as every hybrid connector gets it: the gateway's chooseRole (core) over the
 * connector's declared catalog, and the kit's spelling and protected-role guards.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnectorCapabilities } from '../../../core/connector.ts';
import { settingsSchema } from '../../../core/connections/schema.ts';
import { PermanentAppError } from '../../../core/errors.ts';
import { chooseRole } from '../../../core/provisioning/desired.ts';
import { assignableRole, canonicalRole, leastRole, refuseProtected } from './roles.ts';

/** Hex's roles (issue 14), most privileged first, Admin protected. */
const HEX = { roles: ['Admin', 'Manager', 'Editor', 'Explorer', 'Viewer', 'Guest'], protectedRoles: ['Admin'] };
const caps = { ...HEX, invite: true, changeRole: true, remove: true, deactivate: true, listUsers: true, groups: true, bulkInvite: false } satisfies ConnectorCapabilities;
const settings = settingsSchema.parse({ defaultRole: 'Viewer', roleMap: { analyst: 'Editor' }, groupRoleMap: { Analysts: 'Editor', Leads: 'Manager', Bosses: 'Admin' } });
const reason = (code: string) => (error: unknown) => error instanceof PermanentAppError && error.reason === code;

test('the primary roles value names a role in any case, or is mapped by roleMap', () => {
  assert.equal(chooseRole({ roles: [{ value: 'explorer', primary: true }] }, [], settings, caps), 'Explorer');
  assert.equal(chooseRole({ roles: [{ value: 'Guest' }, { value: 'ANALYST', primary: 'True' }] }, [], settings, caps), 'Editor');
  assert.throws(() => chooseRole({ roles: [{ value: 'Wizard' }] }, [], settings, caps), reason('unknown_role'));
});

test('without a roles value a mapped group decides, the most privileged winning; else defaultRole', () => {
  assert.equal(chooseRole({}, ['analysts', 'Leads', 'Other'], settings, caps), 'Manager');
  assert.equal(chooseRole({}, ['Other'], settings, caps), 'Viewer');
  const noDefault = settingsSchema.parse({});
  assert.equal(chooseRole({}, [], noDefault, caps), 'Guest', 'the least role when nothing decides');
});

test('a protected role is never chosen, from a roles value or a group', () => {
  assert.throws(() => chooseRole({ roles: [{ value: 'admin' }] }, [], settings, caps), reason('owner_protected'));
  assert.throws(() => chooseRole({}, ['Bosses'], settings, caps), reason('owner_protected'));
});

test("the kit spells a role the app's way, falls back only when told, and never hands out a protected one", () => {
  assert.equal(canonicalRole(HEX, ' editor '), 'Editor');
  assert.equal(canonicalRole(HEX, 'Owner'), undefined);
  assert.equal(assignableRole(HEX, 'MANAGER'), 'Manager');
  assert.equal(assignableRole(HEX, 'Owner', 'Viewer'), 'Viewer');
  assert.throws(() => assignableRole(HEX, 'Owner'), reason('unknown_role'));
  assert.throws(() => assignableRole(HEX, 'admin'), reason('owner_protected'));
  assert.equal(leastRole(HEX), 'Guest');
  assert.equal(leastRole({ roles: ['Owner', 'Member'], protectedRoles: ['Member'] }), 'Owner');
});

test('a user holding a protected role is not changed or deprovisioned; others are', () => {
  assert.throws(() => refuseProtected(HEX, 'root@example.com', 'admin'), (error: unknown) =>
    reason('owner_protected')(error) && /root@example.com holds the Admin role/.test((error as Error).message));
  refuseProtected(HEX, 'ana@example.com', 'Editor');
  refuseProtected(HEX, 'bo@example.com', null);
});
