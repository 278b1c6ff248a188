/**
 * The five Entra failures of issue 13, each in the request shape Entra sends (learn.microsoft.com,
 * "Known issues and resolutions with SCIM 2.0 protocol compliance"; shared/idp.md).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postHuge } from '../support/huge-body.ts';
import { gatewayPerFile } from '../support/per-file.ts';
import { createConnection, testConnector } from '../support/gateway.ts';
import { settingsSchema } from '../../core/connections/schema.ts';
import { computeDesired } from '../../core/provisioning/desired.ts';

const shared = gatewayPerFile();

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const UA = { 'content-type': 'application/scim+json', 'user-agent': 'Azure Active Directory SCIM Client' };

async function connection() {
  const c = await createConnection(shared.gw);
  return { ...c, h: { ...c.auth, ...UA } };
}

function entraUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [CORE, ENT], externalId: userName.split('@')[0], userName, active: true,
    emails: [{ primary: true, type: 'work', value: userName }], meta: { resourceType: 'User' },
    name: { formatted: 'Ann Lee', familyName: 'Lee', givenName: 'Ann' }, roles: [], ...extra,
  };
}

test('Entra create, PUT and PATCH replace with null values treat them as unassigned (RFC 7643 §2.5)', async () => {
  const c = await connection();
  const created = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: c.h, payload: entraUser('ann@contoso.com', {
    title: null, preferredLanguage: null, name: { givenName: 'Ann', familyName: 'Lee', formatted: null }, [ENT]: { department: null, manager: null },
  }) });
  assert.equal(created.statusCode, 201, created.body);
  const user = created.json();
  assert.equal('title' in user, false);
  assert.equal('preferredLanguage' in user, false);

  const put = await shared.gw.app.inject({ method: 'PUT', url: `${c.base}/Users/${user.id}`, headers: c.h, payload: { ...user, title: null, displayName: null, nickName: 'Annie' } });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal(put.json().nickName, 'Annie');
  assert.equal('displayName' in put.json(), false);

  const patch = await shared.gw.app.inject({ method: 'PATCH', url: `${c.base}/Users/${user.id}`, headers: c.h, payload: { schemas: [PATCH], Operations: [
    { op: 'Replace', path: 'nickName', value: null },
    { op: 'Replace', value: { title: null, 'name.givenName': 'Anna' } },
  ] } });
  assert.equal(patch.statusCode, 200, patch.body);
  assert.equal('nickName' in patch.json(), false);
  assert.equal(patch.json().name.givenName, 'Anna');
});

test('Entra matching on email: emails[type eq "work"].value eq "…" filters', async () => {
  const c = await connection();
  await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: c.h, payload: entraUser('bo@contoso.com') });
  await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: c.h, payload: entraUser('cy@contoso.com', { emails: [{ type: 'home', value: 'bo@contoso.com' }] }) });
  const find = async (filter: string) => {
    const res = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?filter=${encodeURIComponent(filter)}`, headers: c.h });
    assert.equal(res.statusCode, 200, `${filter}: ${res.body}`);
    return res.json().Resources.map((r: { userName: string }) => r.userName).sort();
  };
  assert.deepEqual(await find('emails[type eq "work"].value eq "BO@contoso.com"'), ['bo@contoso.com']);
  assert.deepEqual(await find('emails[type eq "work"].value eq "nobody@contoso.com"'), []);
  assert.deepEqual(await find('emails[type eq "home" or type eq "work"].value sw "bo@"'), ['bo@contoso.com', 'cy@contoso.com']);
  assert.deepEqual(await find('emails[type eq "work"].value pr and userName eq "cy@contoso.com"'), []);
});

test("Entra's group body with the ADSCIM Group schema URN is accepted and the URN not echoed", async () => {
  const c = await connection();
  const res = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Groups`, headers: c.h, payload: {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', ADSCIM_GROUP], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    displayName: 'Group1DisplayName', meta: { resourceType: 'Group' },
  } });
  assert.equal(res.statusCode, 201, res.body);
  assert.deepEqual(res.json().schemas, ['urn:ietf:params:scim:schemas:core:2.0:Group']);
  const schemas = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Schemas`, headers: c.h })).json();
  assert.equal(schemas.Resources.some((s: { id: string }) => s.id === ADSCIM_GROUP), false);
  const put = await shared.gw.app.inject({ method: 'PUT', url: `${c.base}/Groups/${res.json().id}`, headers: c.h, payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', ADSCIM_GROUP], displayName: 'Renamed' } });
  assert.equal(put.statusCode, 200, put.body);
  const unknown = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Groups`, headers: c.h, payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'urn:x:custom'], displayName: 'G2', 'urn:x:custom': { a: 1 } } });
  assert.equal(unknown.statusCode, 400, 'an extension that carries attributes is still refused');
});

for (const chunked of [false, true]) {
  test(`a 5 MiB body (${chunked ? 'chunked' : 'Content-Length'}) over a real socket is answered 413 with a SCIM Error, then the connection closes`, async () => {
    const c = await connection();
    const answer = await postHuge(shared.gw.app, `${c.base}/Users`, c.h, chunked);
    assert.equal(answer.error, undefined, 'the client gets an answer, not a dropped connection');
    assert.equal(answer.status, 413);
    assert.equal(answer.headers.connection, 'close');
    const error = JSON.parse(answer.text);
    assert.deepEqual([error.schemas[0], error.status], ['urn:ietf:params:scim:api:messages:2.0:Error', '413']);
  });
}

test("Entra's SingleAppRoleAssignment Replace on roles[primary eq \"True\"].value swaps the role", async () => {
  const c = await connection();
  const created = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: c.h, payload: entraUser('dee@contoso.com', {
    roles: [{ primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: 'Creator' }],
  }) });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().id;
  const res = await shared.gw.app.inject({ method: 'PATCH', url: `${c.base}/Users/${id}`, headers: c.h, payload: { schemas: [PATCH], Operations: [
    { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Manager' },
  ] } });
  assert.equal(res.statusCode, 200, res.body);
  const roles = res.json().roles as Array<{ value: string; primary: boolean }>;
  assert.deepEqual(roles.filter((r) => r.primary === true).map((r) => r.value), ['Manager']);
  assert.equal(roles.some((r) => r.value === 'Creator'), false, 'the matched value is changed, not a second one added');
  // The app role follows: the runner's desired state reads the (single) primary value.
  const settings = settingsSchema.parse({ roleMap: { Creator: 'Editor', Manager: 'Admin' } });
  assert.equal(computeDesired(res.json(), undefined, [], settings, testConnector.capabilities).user.role, 'Admin');
  const again = await shared.gw.app.inject({ method: 'PATCH', url: `${c.base}/Users/${id}`, headers: c.h, payload: { schemas: [PATCH], Operations: [
    { op: 'Add', path: 'roles', value: [{ primary: 'True', value: 'Creator' }] },
  ] } });
  const primaries = (again.json().roles as Array<{ value: string; primary: boolean }>).filter((r) => r.primary === true);
  assert.deepEqual(primaries.map((r) => r.value), ['Creator'], 'at most one primary value (RFC 7643 §2.4)');
  assert.equal(computeDesired(again.json(), undefined, [], settings, testConnector.capabilities).user.role, 'Editor');
});
