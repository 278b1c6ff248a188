import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScimError, type ScimType } from '../errors.ts';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER } from './attribute-path.ts';
import { applyPatch, applyPatchSliced, toBoolean } from './patch.ts';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
type Doc = Record<string, unknown>;

function user(): Doc {
  return {
    schemas: [CORE_USER],
    id: 'u-1',
    externalId: 'ext-1',
    userName: 'jane@x.com',
    displayName: 'Jane Doe',
    name: { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe' },
    emails: [{ primary: true, value: 'jane@x.com', type: 'work' }],
    active: true,
    meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z' },
  };
}

function group(members: string[] = []): Doc {
  return {
    schemas: [CORE_GROUP],
    id: 'g-1',
    displayName: 'Sales',
    members: members.map((value) => ({ value, display: `${value}@x.com` })),
    meta: { resourceType: 'Group' },
  };
}

function ops(...operations: unknown[]): Doc {
  return { schemas: [PATCH], Operations: operations };
}

const patchUser = (resource: Doc, ...operations: unknown[]) =>
  applyPatch(resource, ops(...operations), { resourceType: 'User' });
const patchGroup = (resource: Doc, ...operations: unknown[]) =>
  applyPatch(resource, ops(...operations), { resourceType: 'Group' });

function assertScim(fn: () => unknown, scimType: ScimType): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected ScimError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.equal(error.scimType, scimType, error.detail);
    return true;
  });
}

const memberIds = (g: Doc) => (g.members as { value: string }[] | undefined)?.map((m) => m.value);

// ---- Okta -----------------------------------------------------------------------------------

test('Okta: deactivate with a no-path replace {active:false}, then reactivate', () => {
  const before = user();
  const off = patchUser(before, { op: 'replace', value: { active: false } });
  assert.equal(off.active, false);
  assert.equal(before.active, true, 'input is not mutated');
  assert.equal(patchUser(off, { op: 'replace', value: { active: true } }).active, true);
});

test('Okta: group rename with a no-path replace carrying id and displayName', () => {
  const g = patchGroup(group(['u1']), { op: 'replace', value: { id: 'g-1', displayName: 'Sales EMEA' } });
  assert.equal(g.displayName, 'Sales EMEA');
  assert.equal(g.id, 'g-1');
  assert.deepEqual(memberIds(g), ['u1']);
});

test('Okta: group rename whose value carries a different id is a mutability error', () => {
  assertScim(() => patchGroup(group(), { op: 'replace', value: { id: 'other', displayName: 'X' } }), 'mutability');
});

test('Okta: membership remove by members[value eq "<id>"] and add with display', () => {
  const g = patchGroup(group(['u1', 'u2']),
    { op: 'remove', path: 'members[value eq "u1"]' },
    { op: 'add', path: 'members', value: [{ value: 'u3', display: 'jane@x.com' }] });
  assert.deepEqual(memberIds(g), ['u2', 'u3']);
  assert.equal((g.members as Doc[])[1]!.display, 'jane@x.com');
});

test('Okta: full replace of members', () => {
  const g = patchGroup(group(['u1', 'u2']), { op: 'replace', path: 'members', value: [{ value: 'u3' }, { value: 'u4' }] });
  assert.deepEqual(memberIds(g), ['u3', 'u4']);
  const emptied = patchGroup(group(['u1']), { op: 'replace', path: 'members', value: [] });
  assert.deepEqual(emptied.members, []);
});

// ---- Entra ----------------------------------------------------------------------------------

test('Entra: capitalised Replace with string boolean', () => {
  // scim-patch stores "False" as a string.
  const off = patchUser(user(), { op: 'Replace', path: 'active', value: 'False' });
  assert.equal(off.active, false);
  assert.equal(patchUser(off, { op: 'Replace', path: 'active', value: 'True' }).active, true);
  assert.equal(patchUser(off, { op: 'replace', path: 'active', value: true }).active, true, 'with aadOptscim062020');
});

test('Entra: capitalised Add and Remove', () => {
  const added = patchUser(user(), { op: 'Add', path: 'nickName', value: 'JD' });
  assert.equal(added.nickName, 'JD');
  const removed = patchUser(added, { op: 'Remove', path: 'nickName' });
  assert.equal('nickName' in removed, false);
});

test('Entra: the usual attribute paths', () => {
  const u = patchUser(user(),
    { op: 'Replace', path: 'displayName', value: 'Janet Doe' },
    { op: 'Replace', path: 'name.givenName', value: 'Janet' },
    { op: 'Replace', path: 'name.familyName', value: 'Smith' },
    { op: 'Replace', path: 'emails[type eq "work"].value', value: 'janet@x.com' },
    { op: 'Replace', path: 'externalId', value: 'ext-2' },
    { op: 'Add', path: `${ENTERPRISE_USER}:department`, value: 'Finance' },
    { op: 'Add', path: `${ENTERPRISE_USER}:employeeNumber`, value: '701984' });
  assert.equal(u.displayName, 'Janet Doe');
  assert.deepEqual(u.name, { givenName: 'Janet', familyName: 'Smith', formatted: 'Jane Doe' });
  assert.deepEqual(u.emails, [{ primary: true, value: 'janet@x.com', type: 'work' }]);
  assert.equal(u.externalId, 'ext-2');
  assert.deepEqual(u[ENTERPRISE_USER], { department: 'Finance', employeeNumber: '701984' });
  assert.deepEqual(u.schemas, [CORE_USER, ENTERPRISE_USER], 'extension schema is listed');
});

test('Entra: no-path replace whose keys are dotted and URN-prefixed paths', () => {
  // scim-patch handles this one; kept because Entra sends it on every profile sync.
  const u = patchUser(user(), {
    op: 'replace',
    value: {
      displayName: 'Janet Doe',
      'name.givenName': 'Janet',
      [`${ENTERPRISE_USER}:employeeNumber`]: '42',
      'urn:ietf:params:scim:schemas:core:2.0:User:title': 'CFO',
    },
  });
  assert.equal(u.displayName, 'Janet Doe');
  assert.deepEqual(u.name, { givenName: 'Janet', familyName: 'Doe', formatted: 'Jane Doe' });
  assert.deepEqual(u[ENTERPRISE_USER], { employeeNumber: '42' });
  assert.equal(u.title, 'CFO');
});

test('Entra: no-path value with string booleans and an extension object', () => {
  const u = patchUser(user(), {
    op: 'Replace',
    value: { active: 'False', [ENTERPRISE_USER]: { department: 'Ops', costCenter: '4130' } },
  });
  assert.equal(u.active, false);
  assert.deepEqual(u[ENTERPRISE_USER], { department: 'Ops', costCenter: '4130' });
});

test('Entra: manager Add with [{$ref, value}] is stored as the enterprise manager object', () => {
  // scim-patch stores a top-level `manager` array.
  const u = patchUser(user(), { op: 'Add', path: 'manager', value: [{ $ref: null, value: 'boss-1' }] });
  assert.deepEqual(u[ENTERPRISE_USER], { manager: { value: 'boss-1' } });
  assert.equal('manager' in u, false);
  const withRef = patchUser(user(), {
    op: 'Add', path: `${ENTERPRISE_USER}:manager`, value: [{ $ref: '../Users/boss-2', value: 'boss-2' }],
  });
  assert.deepEqual(withRef[ENTERPRISE_USER], { manager: { value: 'boss-2', $ref: '../Users/boss-2' } });
  const removed = patchUser(withRef, { op: 'Remove', path: 'manager' });
  assert.equal(ENTERPRISE_USER in removed, false, 'empty extension is dropped');
  assert.deepEqual(removed.schemas, [CORE_USER]);
});

test('Entra: Add members with $ref null, no duplicates', () => {
  // scim-patch appends a second copy of an existing member.
  const g = patchGroup(group(['u1']), { op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { $ref: null, value: 'u2' }] });
  assert.deepEqual(memberIds(g), ['u1', 'u2']);
  assert.equal('$ref' in (g.members as Doc[])[1]!, false, 'null sub-attribute is unassigned');
});

test('Entra: Remove members with a value array, and with a filter path', () => {
  const g = patchGroup(group(['u1', 'u2', 'u3']), { op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u3' }] });
  assert.deepEqual(memberIds(g), ['u2']);
  const h = patchGroup(group(['u1', 'u2']), { op: 'Remove', path: 'members[value eq "u2"]' });
  assert.deepEqual(memberIds(h), ['u1']);
  const none = patchGroup(group(['u1']), { op: 'Remove', path: 'members[value eq "nobody"]' });
  assert.deepEqual(memberIds(none), ['u1'], 'removing nothing is fine');
});

test('Entra: group rename by path', () => {
  assert.equal(patchGroup(group(), { op: 'Replace', path: 'displayName', value: 'Ops' }).displayName, 'Ops');
});

// ---- RFC 7644 §3.5.2 ------------------------------------------------------------------------

test('RFC: add to a complex attribute merges sub-attributes', () => {
  const u = patchUser(user(), { op: 'add', value: { name: { middleName: 'Q' }, nickName: 'Babs' } });
  assert.deepEqual(u.name, { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe', middleName: 'Q' });
  assert.equal(u.nickName, 'Babs');
});

test('RFC: add to emails appends, and a new primary demotes the old one', () => {
  const u = patchUser(user(), { op: 'add', path: 'emails', value: [{ value: 'j@home.org', type: 'home', primary: 'true' }] });
  assert.deepEqual(u.emails, [
    { primary: false, value: 'jane@x.com', type: 'work' },
    { value: 'j@home.org', type: 'home', primary: true },
  ]);
});

test('RFC: add with a filter path creates the value when none matches', () => {
  const u = patchUser(user(), { op: 'add', path: 'emails[type eq "home"].value', value: 'j@home.org' });
  assert.deepEqual((u.emails as Doc[])[1], { type: 'home', value: 'j@home.org' });
  const bare = user();
  delete bare.emails;
  assert.deepEqual(patchUser(bare, { op: 'Add', path: 'emails[type eq "work"].value', value: 'a@x.com' }).emails,
    [{ type: 'work', value: 'a@x.com' }]);
});

test('Entra: replace on an unmatched eq filter creates the value; other unmatched filters are noTarget (§3.5.2.3)', () => {
  const patched = patchUser(user(), { op: 'Replace', path: 'emails[type eq "home"].value', value: 'x@y' }) as { emails: Array<{ type: string; value: string }> };
  assert.ok(patched.emails.some((e) => e.type === 'home' && e.value === 'x@y'));
  assertScim(() => patchUser(user(), { op: 'replace', path: 'emails[value co "nobody"].value', value: 'x@y' }), 'noTarget');
});

test('RFC: replace of a whole matched value and of a sub-attribute flag', () => {
  const u = patchUser(user(), { op: 'replace', path: 'emails[type eq "work"]', value: { value: 'n@x.com', type: 'work' } });
  assert.deepEqual(u.emails, [{ value: 'n@x.com', type: 'work' }]);
  const p = patchUser(user(), { op: 'replace', path: 'emails[type eq "work"].primary', value: 'False' });
  assert.equal((p.emails as Doc[])[0]!.primary, false);
});

test('RFC: replace of a multi-valued attribute swaps the list', () => {
  const u = patchUser(user(), { op: 'replace', path: 'emails', value: [{ value: 'a@b.c', type: 'other' }] });
  assert.deepEqual(u.emails, [{ value: 'a@b.c', type: 'other' }]);
  const roles = patchUser(user(), { op: 'replace', value: { roles: [] } });
  assert.deepEqual(roles.roles, []);
});

test('RFC: replace of an absent attribute adds it', () => {
  assert.equal(patchUser(user(), { op: 'replace', path: 'title', value: 'VP' }).title, 'VP');
});

test('RFC: remove of a sub-attribute and of matched sub-attributes', () => {
  const u = patchUser(user(), { op: 'remove', path: 'name.formatted' });
  assert.deepEqual(u.name, { givenName: 'Jane', familyName: 'Doe' });
  const e = patchUser(user(), { op: 'remove', path: 'emails[type eq "work"].primary' });
  assert.deepEqual(e.emails, [{ value: 'jane@x.com', type: 'work' }]);
  const all = patchUser(user(), { op: 'remove', path: 'emails[type eq "work"]' });
  assert.equal('emails' in all, false, 'no values left: the attribute is unassigned');
});

test('RFC: remove without path is noTarget (§3.5.2.2)', () => {
  assertScim(() => patchUser(user(), { op: 'remove' }), 'noTarget');
  assertScim(() => patchGroup(group(['u1']), { op: 'Remove', value: [{ value: 'u1' }] }), 'noTarget');
});

test('attribute names in paths and values are case-insensitive', () => {
  const u = patchUser(user(), { op: 'replace', path: 'NAME.GIVENNAME', value: 'J' }, { op: 'replace', value: { DisplayName: 'JD' } });
  assert.equal((u.name as Doc).givenName, 'J');
  assert.equal(u.displayName, 'JD');
  assert.equal('DisplayName' in u, false);
  const g = patchGroup(group(['u1']), { op: 'remove', path: 'Members[Value eq "u1"]' });
  assert.equal('members' in g, false);
});

test('id is immutable; meta and schemas in values are ignored; password is never stored', () => {
  assertScim(() => patchUser(user(), { op: 'replace', path: 'id', value: 'u-2' }), 'mutability');
  assertScim(() => patchUser(user(), { op: 'remove', path: 'id' }), 'mutability');
  assertScim(() => patchUser(user(), { op: 'replace', path: 'meta.lastModified', value: 'x' }), 'mutability');
  assertScim(() => patchUser(user(), { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:id', value: 'z' }), 'mutability');
  const u = patchUser(user(), {
    op: 'replace',
    value: { id: 'u-1', meta: { resourceType: 'Hacked' }, schemas: ['x'], password: 's3cret!', nickName: 'N' },
  });
  assert.deepEqual(u.meta, user().meta);
  assert.deepEqual(u.schemas, [CORE_USER]);
  assert.equal('password' in u, false);
  assert.equal(u.nickName, 'N');
});

test('toBoolean accepts booleans and case-insensitive "true"/"false" only', () => {
  assert.equal(toBoolean(true), true);
  assert.equal(toBoolean('FALSE'), false);
  assert.equal(toBoolean('True'), true);
  for (const bad of ['yes', '1', 1, 0, '', 'false ', {}, []]) {
    assert.throws(() => toBoolean(bad), (e: unknown) => e instanceof ScimError && e.scimType === 'invalidValue');
  }
  assertScim(() => patchUser(user(), { op: 'Replace', path: 'active', value: 'Nope' }), 'invalidValue');
  assertScim(() => patchUser(user(), { op: 'add', path: 'emails', value: [{ value: 'a@b', primary: 'yes' }] }), 'invalidValue');
});

test('invalid bodies are invalidSyntax', () => {
  const bad: unknown[] = [
    null, 'x', [], {}, { schemas: [PATCH] }, { schemas: [PATCH], Operations: [] },
    { schemas: ['urn:wrong'], Operations: [{ op: 'add', path: 'title', value: 'x' }] },
    { Operations: [{ op: 'add', path: 'title', value: 'x' }] },
    { schemas: [PATCH], Operations: [{ path: 'title', value: 'x' }] },
    { schemas: [PATCH], Operations: [{ op: 'move', path: 'title', value: 'x' }] },
    { schemas: [PATCH], Operations: [{ op: 'replace', value: 'not an object' }] },
    { schemas: [PATCH], Operations: 'nope' },
  ];
  for (const body of bad) assertScim(() => applyPatch(user(), body, { resourceType: 'User' }), 'invalidSyntax');
});

test('invalid paths and filters', () => {
  assertScim(() => patchUser(user(), { op: 'replace', path: 'name..x', value: 1 }), 'invalidPath');
  assertScim(() => patchUser(user(), { op: 'replace', path: 'emails[type eq "work"]value', value: 1 }), 'invalidPath');
  assertScim(() => patchUser(user(), { op: 'replace', path: 'a.b.c', value: 1 }), 'invalidPath');
  assertScim(() => patchUser(user(), { op: 'replace', path: 'emails.value', value: 'x' }), 'invalidPath');
  assertScim(() => patchUser(user(), { op: 'replace', path: `${CORE_GROUP}:displayName`, value: 'x' }), 'invalidPath');
  assertScim(() => patchGroup(group(), { op: 'add', path: `${ENTERPRISE_USER}:department`, value: 'x' }), 'invalidPath');
  assertScim(() => patchUser(user(), { op: 'replace', path: 'emails[type eq]', value: 'x' }), 'invalidFilter');
});

test('required attributes cannot be removed or blanked', () => {
  assertScim(() => patchUser(user(), { op: 'remove', path: 'userName' }), 'invalidValue');
  assertScim(() => patchGroup(group(), { op: 'replace', path: 'displayName', value: '' }), 'invalidValue');
});

test('a failing operation leaves the input untouched (atomic)', () => {
  const before = user();
  const snapshot = structuredClone(before);
  assertScim(() => patchUser(before,
    { op: 'replace', path: 'displayName', value: 'Changed' },
    { op: 'replace', path: 'emails[value co "nope"].value', value: 'x' }), 'noTarget');
  assert.deepEqual(before, snapshot);
});

test('the result never shares objects with the input', () => {
  const before = group(['u1']);
  const after = patchGroup(before, { op: 'add', path: 'members', value: [{ value: 'u2' }] });
  (after.members as Doc[])[0]!.value = 'changed';
  assert.equal((before.members as Doc[])[0]!.value, 'u1');
});

// ---- Big groups (issue 11) ------------------------------------------------------------------

const many = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);

test('long member lists apply in steps with the one operation\'s result', () => {
  const big = group(many(5000));
  assert.deepEqual(patchGroup(big, { op: 'remove', path: 'members', value: many(4500, 250).map((value) => ({ value })) }).members,
    group([...many(250), ...many(250, 4750)]).members);
  // A replace of a list with repeats: the later slices are adds, so the list is deduped as one replace's.
  const replaced = patchGroup(big, { op: 'replace', path: 'members', value: [...many(4000), ...many(3000)].map((value) => ({ value })) });
  assert.deepEqual(memberIds(replaced), many(4000));
  assert.equal((replaced.members as Doc[])[0]!.display, undefined, 'replace drops what the old value held');
  const added = patchGroup(group(many(10)), { op: 'add', path: 'members', value: many(4500).map((value) => ({ value })) });
  assert.deepEqual(memberIds(added), many(4500));
  assert.equal((added.members as Doc[])[3]!.display, 'u3@x.com', 'an existing member is merged, not duplicated');
});

test('applyPatchSliced gives applyPatch\'s result and pauses between operations', async () => {
  let pauses = 0;
  const slice = { pause: async () => { pauses++; } };
  const body = ops(...many(999, 4000).map((value) => ({ op: 'add', path: 'members', value: [{ value }] })), { op: 'remove', path: 'members[value eq "u1"]' });
  const resource = group(many(4000));
  const sliced = await applyPatchSliced(resource, body, { resourceType: 'Group', slice });
  assert.deepEqual(sliced, applyPatch(resource, body, { resourceType: 'Group' }));
  assert.ok(pauses >= 1000, `${pauses} pauses`);
  assert.equal((resource.members as Doc[]).length, 4000, 'input is not mutated');
  await assert.rejects(applyPatchSliced(resource, ops({ op: 'replace', path: 'displayName', value: '' }), { resourceType: 'Group', slice }), ScimError);
});
