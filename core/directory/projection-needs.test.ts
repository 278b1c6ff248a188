/** projectionMayKeep may say "keep" too often, never "drop" for what project() keeps. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { project } from '../scim/projection.ts';
import { PROVISIONING_EXTENSION } from './input.ts';
import { projectionMayKeep } from './projection-needs.ts';

const user = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', PROVISIONING_EXTENSION],
  id: 'u1',
  userName: 'ann@example.com',
  emails: [{ value: 'ann@example.com', primary: true }],
  groups: [{ value: 'g1', display: 'Admins', type: 'direct' }],
  [PROVISIONING_EXTENSION]: { state: 'in sync', appRole: 'Admin' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Tax' },
};

const cases: Array<{ attributes?: string; excludedAttributes?: string }> = [
  {}, { attributes: 'userName' }, { attributes: 'userName,groups' }, { attributes: 'GROUPS.display' },
  { attributes: 'groups.value,emails' }, { attributes: '!!!' }, { attributes: ' , ' }, { attributes: 'userName,!!!' },
  { attributes: PROVISIONING_EXTENSION }, { attributes: `${PROVISIONING_EXTENSION}:state` },
  { attributes: `${PROVISIONING_EXTENSION.toUpperCase()}:appRole,userName` }, { attributes: 'department' },
  { excludedAttributes: 'groups' }, { excludedAttributes: ' Groups ' }, { excludedAttributes: 'groups.display' },
  { excludedAttributes: PROVISIONING_EXTENSION }, { excludedAttributes: `${PROVISIONING_EXTENSION}:state` },
  { attributes: 'groups', excludedAttributes: 'groups' }, { attributes: 'userName', excludedAttributes: 'emails' },
];

test('whenever project() keeps groups or the provisioning extension, projectionMayKeep says so', () => {
  for (const options of cases) {
    const out = project(structuredClone(user), options);
    for (const key of ['groups', PROVISIONING_EXTENSION]) {
      const kept = Object.keys(out).some((k) => k.toLowerCase() === key.toLowerCase());
      if (kept) assert.equal(projectionMayKeep(options, key), true, `${JSON.stringify(options)} keeps ${key}`);
    }
  }
});

test('it says "drop" for the lists Okta and Entra send that leave those attributes out', () => {
  assert.equal(projectionMayKeep({ attributes: 'userName' }, 'groups'), false);
  assert.equal(projectionMayKeep({ attributes: 'userName,emails' }, PROVISIONING_EXTENSION), false);
  assert.equal(projectionMayKeep({ excludedAttributes: 'groups' }, 'groups'), false);
  assert.equal(projectionMayKeep({ excludedAttributes: PROVISIONING_EXTENSION }, PROVISIONING_EXTENSION), false);
  assert.equal(projectionMayKeep({ excludedAttributes: `userName,${PROVISIONING_EXTENSION.toLowerCase()}` }, PROVISIONING_EXTENSION), false);
  // Nothing parses: project() returns everything, so both are read.
  assert.equal(projectionMayKeep({ attributes: '!!!' }, 'groups'), true);
  assert.equal(projectionMayKeep({}, PROVISIONING_EXTENSION), true);
});
