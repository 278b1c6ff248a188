import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScimError } from '../errors.ts';
import { ENTERPRISE_USER } from './attribute-path.ts';
import { indexLookup, matches, parseFilter } from './filter.ts';

const jane = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'Ext-42',
  userName: 'Jane@Example.com',
  displayName: 'Jane Doe',
  name: { givenName: 'Jane', familyName: "O'Malley" },
  emails: [
    { value: 'jane@work.example.com', type: 'work', primary: true },
    { value: 'jane@home.example.org', type: 'home' },
  ],
  active: true,
  title: '',
  roles: [],
  userType: 'Employee',
  [ENTERPRISE_USER]: { department: 'Engineering', manager: { value: 'boss-1' } },
  meta: { resourceType: 'User', created: '2011-08-01T18:29:49.793Z', lastModified: '2011-08-01T21:32:44.882Z' },
};

function match(filter: string, resource: Record<string, unknown> = jane): boolean {
  return matches(parseFilter(filter), resource);
}

function assertInvalid(filter: string): void {
  assert.throws(() => parseFilter(filter), (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected ScimError for ${JSON.stringify(filter).slice(0, 60)}, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'invalidFilter');
    assert.ok(error.detail.length > 0);
    return true;
  });
}

test('parses the RFC 7644 §3.4.2.2 example filters', () => {
  const examples = [
    'userName eq "bjensen"',
    'name.familyName co "O\'Malley"',
    'userName sw "J"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    'title pr',
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
  ];
  for (const f of examples) assert.doesNotThrow(() => parseFilter(f), f);
});

test('builds the expected tree: and binds tighter than or', () => {
  const node = parseFilter('a eq 1 or b eq 2 and c eq 3');
  if (node.op !== 'or') return assert.fail(`expected or, got ${node.op}`);
  const [left, right] = node.filters;
  assert.deepEqual(left, { op: 'eq', path: { names: ['a'] }, value: 1 });
  assert.equal(right!.op, 'and');
});

test('operators and logical words are case-insensitive', () => {
  assert.equal(match('userName EQ "jane@example.com"'), true);
  assert.equal(match('userName Eq "x" OR displayName Sw "jane"'), true);
  assert.equal(match('NOT (active eq true)'), false);
});

test('literals: strings with JSON escapes, numbers, booleans, null', () => {
  // scim2-parse-filter keeps "\u00e9" as six characters and rejects "a\\" (escaped backslash).
  assert.deepEqual(parseFilter('displayName eq "Ren\\u00e9"'), {
    op: 'eq', path: { names: ['displayName'] }, value: 'René',
  });
  assert.deepEqual((parseFilter('displayName eq "a\\\\"') as { value: unknown }).value, 'a\\');
  assert.deepEqual((parseFilter('displayName eq "say \\"hi\\""') as { value: unknown }).value, 'say "hi"');
  assert.equal((parseFilter('x eq -1.5e3') as { value: unknown }).value, -1500);
  assert.equal((parseFilter('active eq false') as { value: unknown }).value, false);
  assert.equal((parseFilter('title eq null') as { value: unknown }).value, null);
});

test('$ref is a valid sub-attribute name (scim2-parse-filter rejects it)', () => {
  const group = { members: [{ value: 'u1', $ref: 'https://x/Users/u1' }] };
  assert.equal(match('members[$ref eq "https://x/Users/u1"]', group), true);
});

test('schema-URN-prefixed attributes, core and enterprise', () => {
  assert.equal(match('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "JANE@example.com"'), true);
  assert.equal(match('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName sw "o\'m"'), true);
  assert.equal(match(`${ENTERPRISE_USER}:department eq "engineering"`), true);
  assert.equal(match(`${ENTERPRISE_USER}:manager.value eq "boss-1"`), true);
  assert.equal(match(`${ENTERPRISE_USER}:department eq "Sales"`), false);
  // Unprefixed enterprise names are looked up in the extension as well.
  assert.equal(match('department eq "Engineering"'), true);
});

test('userName, displayName and emails compare case-insensitively (caseExact=false)', () => {
  assert.equal(match('userName eq "jane@example.com"'), true);
  assert.equal(match('displayName eq "JANE DOE"'), true);
  assert.equal(match('emails.value eq "JANE@WORK.example.com"'), true);
  assert.equal(match('userName sw "JANE@"'), true);
  assert.equal(match('userName ew ".COM"'), true);
  assert.equal(match('userName co "EXAMPLE"'), true);
});

test('id and externalId compare exactly (caseExact=true, RFC 7643 §3.1)', () => {
  assert.equal(match('externalId eq "Ext-42"'), true);
  assert.equal(match('externalId eq "ext-42"'), false);
  assert.equal(match('id eq "2819C223-7F76-453A-919D-413861904646"'), false);
  assert.equal(match('meta.resourceType eq "user"'), false);
});

test('attribute names are case-insensitive (RFC 7643 §2.1)', () => {
  assert.equal(match('USERNAME eq "jane@example.com"'), true);
  assert.equal(match('Name.FamilyName eq "o\'malley"'), true);
  assert.equal(match('EMAILS[TYPE eq "work"]'), true);
});

test('multi-valued attributes match when any value matches', () => {
  assert.equal(match('emails.value ew "example.org"'), true);
  assert.equal(match('emails.type eq "home"'), true);
  assert.equal(match('emails co "home.example"'), true, 'complex value compares its "value"');
  assert.equal(match('emails.type eq "other"'), false);
});

test('complex attribute filters apply to one value at a time', () => {
  assert.equal(match('emails[type eq "work" and value co "@work."]'), true);
  // "home" and "@work." exist, but not in the same value.
  assert.equal(match('emails[type eq "home" and value co "@work."]'), false);
  assert.equal(match('emails[type eq "work" and primary eq true]'), true);
  assert.equal(match('emails[not (type eq "work")]'), true);
});

test('pr treats empty strings, empty arrays, null and missing as absent', () => {
  assert.equal(match('userName pr'), true);
  assert.equal(match('title pr'), false);
  assert.equal(match('roles pr'), false);
  assert.equal(match('nickName pr'), false);
  assert.equal(match('emails pr'), true);
  assert.equal(match('name pr', { name: {} }), false);
  assert.equal(match('name pr', { name: { givenName: null } }), false);
});

test('booleans: active eq true / false', () => {
  assert.equal(match('active eq true'), true);
  assert.equal(match('active eq false'), false);
  assert.equal(match('active eq false', { ...jane, active: false }), true);
  assert.equal(match('active ne true', { ...jane, active: false }), true);
});

test('dateTimes compare chronologically, not as text', () => {
  assert.equal(match('meta.lastModified gt "2011-05-13T04:42:34Z"'), true);
  assert.equal(match('meta.lastModified lt "2011-05-13T04:42:34Z"'), false);
  // Same instant, different offset and precision: textual comparison would say no.
  assert.equal(match('meta.created eq "2011-08-01T20:29:49.793+02:00"'), true);
  assert.equal(match('meta.created ge "2011-08-01T18:29:49.793Z"'), true);
  assert.equal(match('meta.created gt "2011-08-01T18:29:49.793Z"'), false);
});

test('numbers compare numerically; strings by code point after case folding', () => {
  assert.equal(match('age gt 9', { age: 10 }), true);
  assert.equal(match('age lt 9', { age: 10 }), false);
  assert.equal(match('age eq "10"', { age: 10 }), false);
  assert.equal(match('userName gt "a"'), true);
  assert.equal(match('userName lt "K"'), true);
});

test('ne is the negation of eq, including absent attributes', () => {
  assert.equal(match('userType ne "Intern"'), true);
  assert.equal(match('userType ne "employee"'), false);
  assert.equal(match('nickName ne "x"'), true);
  assert.equal(match('nickName eq null'), true);
  assert.equal(match('userName ne null'), true);
});

test('not, and, or and parentheses evaluate as written', () => {
  assert.equal(match('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")'), true);
  assert.equal(match('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")'), false);
  assert.equal(match('not (userName eq "x") and not (displayName eq "y")'), true);
  assert.equal(match('((((userName pr))))'), true);
});

test('Okta and Entra lookups', () => {
  assert.equal(match('userName eq "jane@example.com"'), true);
  assert.equal(match('externalId eq "Ext-42"'), true);
  assert.equal(match('userName eq "Jane@Example.com" and externalId eq "Ext-42"'), true);
  // Entra "Test Connection" filters on a random GUID and expects no match.
  assert.equal(match('userName eq "e0a6f0a3-49f1-4b0f-9f5c-2d3f0e9b3c51"'), false);
  const group = { id: 'g1', displayName: 'Sales Team', members: [] };
  assert.equal(match('displayName eq "sales team"', group), true);
  assert.equal(match('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "Sales Team"', group), true);
});

test('invalid filters throw ScimError invalidFilter and nothing else', () => {
  const garbage = [
    '', '   ', 'userName eq', 'userName', 'userName eq "x', 'userName eq "x"")', '(userName eq "x"',
    'userName eq "x")', 'emails[type eq "work"', 'emails type eq "work"]', 'userName xx "x"',
    'userName eq "x" and', 'and userName eq "x"', 'userName eq "x" junk', 'userName eq bareword',
    'userName eq "a\\q"', 'emails[type eq "work"].value', 'emails[type eq "work"].value zz "x"',
    'emails[type eq "work"].a.b eq "x"', 'emails[type eq "work"].value eq', 'emails[type[x eq 1] eq 2]',
    'active gt true', 'userName co 5', 'userName sw null', '"userName" eq "x"', '1abc eq 2',
    'urn:ietf:params:scim:schemas:core:2.0:User eq "x"', 'a.b.c eq 1', 'not', '()', '[]',
    'userName eq "x" or or userName eq "y"', 'userName eq "\u0001\n"',
    '('.repeat(10_000), `${'not ('.repeat(5_000)}a pr${')'.repeat(5_000)}`,
    `userName eq "${'x'.repeat(10_000)}`, '"'.repeat(10_001), 'a'.repeat(10_000),
    '[' + 'userName eq "x" and '.repeat(500),
  ];
  for (const f of garbage) assertInvalid(f);
});

test('a value path followed by a sub-attribute (Entra: emails[type eq "work"].value eq "…")', () => {
  const user = { emails: [{ type: 'home', value: 'a@x.com' }, { type: 'work', value: 'b@x.com' }] };
  assert.equal(matches(parseFilter('emails[type eq "work"].value eq "B@X.com"'), user), true);
  assert.equal(matches(parseFilter('emails[type eq "work"].value eq "a@x.com"'), user), false, 'both tests hold for the same value');
  assert.equal(matches(parseFilter('emails[type eq "home"].value pr and not (emails[type eq "work"].value ew "y.com")'), user), true);
});

test('deep nesting is refused with a readable detail, not a stack overflow', () => {
  assert.doesNotThrow(() => parseFilter(`${'('.repeat(30)}userName pr${')'.repeat(30)}`));
  for (const f of ['('.repeat(10_000), `${'not '.repeat(1_000)}userName pr`]) {
    assert.throws(() => parseFilter(f), (e: unknown) => e instanceof ScimError && /nested deeper/.test(e.detail));
  }
});

test('a long but valid filter parses and evaluates', () => {
  const long = Array.from({ length: 600 }, (_, i) => `userName eq "user${i}@x.com"`).join(' or ');
  assert.ok(long.length > 10_000);
  assert.equal(match(long, { userName: 'USER599@x.com' }), true);
  assert.equal(match(long, { userName: 'user600@x.com' }), false);
});

test('random garbage never escapes as another error type', () => {
  const alphabet = ['(', ')', '[', ']', '"', '\\', ' ', 'eq', 'and', 'or', 'not', 'pr', 'a', '1', '.', ':', 'x y'];
  let seed = 42;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  for (let n = 0; n < 500; n++) {
    const text = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    try {
      matches(parseFilter(text), jane);
    } catch (error) {
      assert.ok(error instanceof ScimError && error.scimType === 'invalidFilter', `${text}: ${String(error)}`);
    }
  }
});

test('indexLookup: single eq on an indexed attribute', () => {
  assert.deepEqual(indexLookup(parseFilter('userName eq "jane@x.com"')), { attribute: 'userName', value: 'jane@x.com' });
  assert.deepEqual(indexLookup(parseFilter('USERNAME EQ "Jane@x.com"')), { attribute: 'userName', value: 'Jane@x.com' });
  assert.deepEqual(indexLookup(parseFilter('externalId eq "abc"')), { attribute: 'externalId', value: 'abc' });
  assert.deepEqual(indexLookup(parseFilter('displayName eq "Sales"')), { attribute: 'displayName', value: 'Sales' });
  assert.deepEqual(
    indexLookup(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"')),
    { attribute: 'userName', value: 'a' },
  );
  assert.deepEqual(
    indexLookup(parseFilter('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "G"')),
    { attribute: 'displayName', value: 'G' },
  );
});

test('indexLookup: an and with an indexed eq on either side (Entra)', () => {
  assert.deepEqual(
    indexLookup(parseFilter('userName eq "a" and externalId eq "b"')),
    { attribute: 'userName', value: 'a' },
  );
  assert.deepEqual(
    indexLookup(parseFilter('active eq true and externalId eq "b"')),
    { attribute: 'externalId', value: 'b' },
  );
  assert.deepEqual(
    indexLookup(parseFilter('(active eq true and title pr) and displayName eq "d"')),
    { attribute: 'displayName', value: 'd' },
  );
});

test('indexLookup: null when no index can answer alone', () => {
  for (const f of [
    'userName ne "a"', 'userName sw "a"', 'userName eq "a" or externalId eq "b"', 'not (userName eq "a")',
    'emails[value eq "a"]', 'emails.value eq "a"', 'name.givenName eq "a"', 'userName pr', 'externalId eq 5',
    `${ENTERPRISE_USER}:employeeNumber eq "1"`, 'active eq true',
  ]) {
    assert.equal(indexLookup(parseFilter(f)), null, f);
  }
});
