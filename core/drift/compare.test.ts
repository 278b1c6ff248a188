/** The drift comparison: each kind of finding, and what must stay quiet (owner, admin login, allowed, held addresses). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnectorCapabilities, ObservedUser } from '../connector.ts';
import type { DesiredState } from '../provisioning/desired.ts';
import { compareMembers, type KnownUser } from './compare.ts';

const caps: ConnectorCapabilities = {
  invite: true, changeRole: true, remove: true, deactivate: false, listUsers: true, groups: false, bulkInvite: false,
  roles: ['Owner', 'Admin', 'Collaborator'], protectedRoles: ['Owner'],
};
const seen = (email: string, role: string | null = 'Collaborator', status: ObservedUser['status'] = 'active'): ObservedUser => ({ email, role, status });
function known(userId: string, email: string, member: boolean, role = 'Collaborator', extra: Partial<DesiredState> = {}): KnownUser {
  return { userId, desired: { user: { email, member, role, groups: [] }, deprovision: 'remove', allowInvite: true, ...extra } };
}

test('every kind: shadow account, role differs, should be gone, missing; matching users and the owner stay quiet', () => {
  const findings = compareMembers({
    observed: [seen('owner@acme.test', 'Owner'), seen('ok@acme.test'), seen('Shadow@Acme.test', 'Admin'), seen('promoted@acme.test', 'Admin'), seen('left@acme.test', 'Collaborator', 'pending')],
    known: [known('u1', 'ok@acme.test', true), known('u2', 'promoted@acme.test', true), known('u3', 'left@acme.test', false, '', { deleted: true }), known('u4', 'new@acme.test', true, 'Admin')],
    capabilities: caps,
  });
  assert.deepEqual(findings.map((f) => [f.kind, f.email, f.userId]), [
    ['should_be_gone', 'left@acme.test', 'u3'],
    ['missing', 'new@acme.test', 'u4'],
    ['role_differs', 'promoted@acme.test', 'u2'],
    ['unknown', 'shadow@acme.test', undefined],
  ]);
  const role = findings.find((f) => f.kind === 'role_differs')!;
  assert.equal(role.observedRole, 'Admin');
  assert.equal(role.desiredRole, 'Collaborator');
  assert.match(findings.find((f) => f.kind === 'should_be_gone')!.detail, /deleted/);
});

test('the admin login, allowed accounts and an address another member wants are not findings; createUsers off: absent is fine', () => {
  const findings = compareMembers({
    observed: [seen('robot@acme.test'), seen('breakglass@acme.test', 'Admin'), seen('again@acme.test')],
    known: [known('old', 'again@acme.test', false), known('new', 'again@acme.test', true), known('u5', 'notyet@acme.test', true, 'Collaborator', { allowInvite: false })],
    capabilities: caps, ignore: ['ROBOT@acme.test'], allowed: new Set(['breakglass@acme.test']),
  });
  assert.deepEqual(findings, []);
});

test('deactivated: fine for a leaver where the connection deactivates, missing for a member; an old address after a rename must go', () => {
  const findings = compareMembers({
    observed: [seen('gone@acme.test', 'Collaborator', 'deactivated'), seen('back@acme.test', 'Collaborator', 'deactivated'), seen('old@acme.test')],
    known: [
      known('g', 'gone@acme.test', false, '', { deprovision: 'deactivate' }), known('b', 'back@acme.test', true),
      known('r', 'renamed@acme.test', true, 'Collaborator', { previousEmail: 'old@acme.test' }),
    ],
    capabilities: { ...caps, deactivate: true },
  });
  assert.deepEqual(findings.map((f) => [f.kind, f.email]), [['missing', 'back@acme.test'], ['should_be_gone', 'old@acme.test'], ['missing', 'renamed@acme.test']]);
});
