import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER } from './attribute-path.ts';
import { project } from './projection.ts';

function user(): Record<string, unknown> {
  return {
    schemas: [CORE_USER, ENTERPRISE_USER],
    id: 'u-1',
    externalId: 'ext-1',
    userName: 'jane@x.com',
    password: 'never-returned',
    name: { givenName: 'Jane', familyName: 'Doe' },
    emails: [
      { value: 'jane@x.com', type: 'work', primary: true },
      { value: 'j@home.org', type: 'home' },
    ],
    active: true,
    [ENTERPRISE_USER]: { department: 'Eng', employeeNumber: '7', manager: { value: 'boss' } },
    meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', location: 'https://x/Users/u-1' },
  };
}

const group = {
  schemas: [CORE_GROUP],
  id: 'g-1',
  displayName: 'Sales',
  members: [{ value: 'u-1', display: 'jane@x.com' }],
  meta: { resourceType: 'Group' },
};

test('no options: everything but password, as a copy', () => {
  const input = user();
  const out = project(input, {});
  const expected = user();
  delete expected.password;
  assert.deepEqual(out, expected);
  (out.name as Record<string, unknown>).givenName = 'changed';
  assert.equal((input.name as Record<string, unknown>).givenName, 'Jane');
  assert.equal(input.password, 'never-returned', 'input untouched');
});

test('Entra: excludedAttributes=members on a group', () => {
  assert.deepEqual(project(group, { excludedAttributes: 'members' }), {
    schemas: [CORE_GROUP], id: 'g-1', displayName: 'Sales', meta: { resourceType: 'Group' },
  });
});

test('attributes returns id and schemas always, plus what was asked (case-insensitive)', () => {
  assert.deepEqual(project(user(), { attributes: 'USERNAME, active' }), {
    schemas: [CORE_USER, ENTERPRISE_USER], id: 'u-1', userName: 'jane@x.com', active: true,
  });
});

test('attributes with sub-attributes of complex and multi-valued attributes', () => {
  assert.deepEqual(project(user(), { attributes: 'name.givenName,emails.value,name.familyName' }), {
    schemas: [CORE_USER, ENTERPRISE_USER],
    id: 'u-1',
    name: { givenName: 'Jane', familyName: 'Doe' },
    emails: [{ value: 'jane@x.com' }, { value: 'j@home.org' }],
  });
});

test('attributes with URN-prefixed names (RFC 7644 §3.10)', () => {
  const out = project(user(), {
    attributes: `urn:ietf:params:scim:schemas:core:2.0:User:userName,${ENTERPRISE_USER}:department,${ENTERPRISE_USER}:manager.value`,
  });
  assert.deepEqual(out, {
    schemas: [CORE_USER, ENTERPRISE_USER],
    id: 'u-1',
    userName: 'jane@x.com',
    [ENTERPRISE_USER]: { department: 'Eng', manager: { value: 'boss' } },
  });
  assert.deepEqual(project(user(), { attributes: ENTERPRISE_USER })[ENTERPRISE_USER], user()[ENTERPRISE_USER]);
});

test('meta is returned=default: dropped unless asked for, and excludable (RFC 7643 §3.1)', () => {
  assert.equal('meta' in project(user(), { attributes: 'userName' }), false);
  assert.deepEqual(project(user(), { attributes: 'meta.resourceType' }).meta, { resourceType: 'User' });
  assert.equal('meta' in project(user(), { excludedAttributes: 'meta' }), false);
});

test('id and schemas cannot be excluded; password cannot be asked for', () => {
  const out = project(user(), { excludedAttributes: 'id,schemas,userName', attributes: undefined });
  assert.equal(out.id, 'u-1');
  assert.deepEqual(out.schemas, [CORE_USER, ENTERPRISE_USER]);
  assert.equal('userName' in out, false);
  assert.equal('password' in project(user(), { attributes: 'password,userName' }), false);
  assert.equal('password' in project({ ...user(), PassWord: 'x' }, {}), false);
});

test('excludedAttributes with sub-attributes and enterprise names', () => {
  const out = project(user(), { excludedAttributes: `emails.primary,name.familyName,${ENTERPRISE_USER}:department,employeeNumber` });
  assert.deepEqual(out.emails, [{ value: 'jane@x.com', type: 'work' }, { value: 'j@home.org', type: 'home' }]);
  assert.deepEqual(out.name, { givenName: 'Jane' });
  assert.deepEqual(out[ENTERPRISE_USER], { manager: { value: 'boss' } });
});

test('unknown or malformed names are ignored', () => {
  assert.deepEqual(project(group, { attributes: 'nope,emails[type eq "x"], ,displayName' }), {
    schemas: [CORE_GROUP], id: 'g-1', displayName: 'Sales',
  });
  assert.deepEqual(project(group, { excludedAttributes: 'nope,,a.b.c' }), group);
});

test('both lists: attributes selects, then excludedAttributes removes', () => {
  assert.deepEqual(project(group, { attributes: 'displayName,members', excludedAttributes: 'members' }), {
    schemas: [CORE_GROUP], id: 'g-1', displayName: 'Sales',
  });
});

test('an extension URN excludes or selects the whole extension, known or not (RFC 7644 §3.9)', () => {
  const PROV = 'urn:scimwright:params:scim:schemas:extension:provisioning:2.0:User';
  const doc: Record<string, unknown> = { ...user(), [PROV]: { state: 'in sync' } };
  for (const urn of [ENTERPRISE_USER, PROV, PROV.toUpperCase()]) {
    const out = project(doc, { excludedAttributes: urn });
    const dropped = urn.toLowerCase() === PROV.toLowerCase() ? PROV : ENTERPRISE_USER;
    assert.equal(dropped in out, false, `${urn} excluded`);
    assert.equal(Object.keys(out).length, Object.keys(doc).length - 2, 'only the extension (and password) dropped');
  }
  assert.deepEqual(project(doc, { attributes: `userName,${PROV}` }), { schemas: doc.schemas, id: 'u-1', userName: 'jane@x.com', [PROV]: { state: 'in sync' } });
  // An attribute of an unknown extension is still read as one (the URN is then its holder).
  assert.deepEqual(project(doc, { attributes: `${PROV}:state` }), { schemas: doc.schemas, id: 'u-1', [PROV]: { state: 'in sync' } });
});
