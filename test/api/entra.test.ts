/** Entra ID's request sequences from shared/idp.md, replayed against the gateway with real Redis. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayPerFile } from '../support/per-file.ts';
import { createConnection } from '../support/gateway.ts';

const shared = gatewayPerFile();

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

test('Entra: Test Connection with a random GUID filter answers an empty list', async () => {
  const c = await createConnection(shared.gw);
  const res = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?filter=${encodeURIComponent('userName eq "4f1c1b7e-7f5b-4c55-9d87-0f1f6b0e8a21"')}`, headers: c.auth });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().totalResults, 0);
  assert.deepEqual(res.json().schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
});

test('Entra user lifecycle: create, lookups, capitalised PATCH with string booleans, dotted no-path, manager, delete', async () => {
  const c = await createConnection(shared.gw);
  const h = { ...c.auth, 'content-type': 'application/scim+json' };
  const created = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: h, payload: {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT], externalId: 'e-123', userName: 'Test_User_1@contoso.com', active: true,
    emails: [{ primary: true, type: 'work', value: 'Test_User_1@contoso.com' }], meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' }, roles: [],
    [ENT]: { department: 'Sales' },
  } });
  assert.equal(created.statusCode, 201);
  const id = created.json().id;
  const boss = (await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: h, payload: { userName: 'boss@contoso.com' } })).json().id;

  for (const filter of ['userName eq "test_user_1@contoso.com"', 'externalId eq "e-123"', 'userName eq "Test_User_1@contoso.com" and externalId eq "e-123"']) {
    const res = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?filter=${encodeURIComponent(filter)}`, headers: h });
    assert.equal(res.json().totalResults, 1, filter);
  }
  const wrongCase = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?filter=${encodeURIComponent('externalId eq "E-123"')}`, headers: h });
  assert.equal(wrongCase.json().totalResults, 0, 'externalId is caseExact');

  const patch = (Operations: unknown[]) => shared.gw.app.inject({ method: 'PATCH', url: `${c.base}/Users/${id}`, headers: h, payload: { schemas: [PATCH], Operations } });
  let res = await patch([
    { op: 'Replace', path: 'displayName', value: 'Entra Name' },
    { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updated@contoso.com' },
    { op: 'Replace', path: 'name.familyName', value: 'Family' },
    { op: 'Add', path: `${ENT}:employeeNumber`, value: '42' },
    { op: 'Add', path: 'manager', value: [{ $ref: null, value: boss }] },
  ]);
  assert.equal(res.statusCode, 200, res.body);
  let user = res.json();
  assert.equal(user.displayName, 'Entra Name');
  assert.equal(user.emails[0].value, 'updated@contoso.com');
  assert.equal(user.name.familyName, 'Family');
  assert.equal(user[ENT].employeeNumber, '42');
  assert.equal(user[ENT].manager.value, boss);

  res = await patch([{ op: 'replace', value: { displayName: 'No Path', 'name.givenName': 'Given', [`${ENT}:employeeNumber`]: '43' } }]);
  user = res.json();
  assert.deepEqual([user.displayName, user.name.givenName, user[ENT].employeeNumber], ['No Path', 'Given', '43']);

  res = await patch([{ op: 'Replace', path: 'active', value: 'False' }]);
  assert.equal(res.json().active, false);
  const inactive = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?filter=${encodeURIComponent('userName eq "test_user_1@contoso.com"')}`, headers: h });
  assert.equal(inactive.json().Resources[0].active, false, 'inactive users are still returned');
  res = await patch([{ op: 'Replace', path: 'active', value: true }]);
  assert.equal(res.json().active, true);

  const del = await shared.gw.app.inject({ method: 'DELETE', url: `${c.base}/Users/${id}`, headers: h });
  assert.equal(del.statusCode, 204);
  assert.equal((await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users/${id}`, headers: h })).statusCode, 404);
  const prov = await shared.gw.core.directory.provisioning.get(c.id, id);
  assert.equal(prov?.deleted, true, 'the removal is still known to the runner');
  assert.equal(prov?.userName, 'Test_User_1@contoso.com');
});

test('Entra groups: excludedAttributes=members, Add/Remove members with value arrays, 204s', async () => {
  const c = await createConnection(shared.gw);
  const h = { ...c.auth, 'content-type': 'application/scim+json' };
  const uid = (await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: h, payload: { userName: 'm@contoso.com' } })).json().id;
  const gid = (await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Groups`, headers: h, payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Group1DisplayName', externalId: 'g-1' } })).json().id;
  const patch = (Operations: unknown[]) => shared.gw.app.inject({ method: 'PATCH', url: `${c.base}/Groups/${gid}`, headers: h, payload: { schemas: [PATCH], Operations } });

  assert.equal((await patch([{ op: 'Add', path: 'members', value: [{ $ref: null, value: uid }] }])).statusCode, 204);
  const lookup = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Group1DisplayName"')}`, headers: h });
  assert.equal(lookup.json().totalResults, 1);
  assert.equal(lookup.json().Resources[0].members, undefined);
  const byId = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Groups/${gid}?excludedAttributes=members`, headers: h });
  assert.equal(byId.json().members, undefined);
  assert.equal(byId.json().displayName, 'Group1DisplayName');

  assert.equal((await patch([{ op: 'Remove', path: 'members', value: [{ value: uid }] }])).statusCode, 204);
  const full = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Groups/${gid}`, headers: h })).json();
  assert.deepEqual(full.members ?? [], []);
  assert.equal((await shared.gw.app.inject({ method: 'DELETE', url: `${c.base}/Groups/${gid}`, headers: h })).statusCode, 204);
});

test('discovery: ServiceProviderConfig, ResourceTypes, Schemas follow the connector', async () => {
  const c = await createConnection(shared.gw);
  const spc = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/ServiceProviderConfig`, headers: c.auth })).json();
  assert.equal(spc.patch.supported, true);
  assert.equal(spc.bulk.supported, false);
  assert.deepEqual(spc['urn:scimwright:params:scim:schemas:extension:connector:2.0:ServiceProviderConfig'].capabilities.roles, ['Owner', 'Admin', 'Editor', 'Viewer']);
  const types = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/ResourceTypes`, headers: c.auth })).json();
  assert.deepEqual(types.Resources.map((r: { id: string }) => r.id), ['User', 'Group']);
  const schemas = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Schemas`, headers: c.auth })).json();
  assert.equal(schemas.totalResults, 4);
  const user = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`, headers: c.auth })).json();
  assert.equal(user.attributes.find((a: { name: string }) => a.name === 'userName').uniqueness, 'server');
});
