/** Okta's request sequences from shared/idp.md, replayed against the gateway with real Redis. */
import { connectionKeys } from '../../core/store/keys.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayPerFile } from '../support/per-file.ts';
import { createConnection } from '../support/gateway.ts';

const shared = gatewayPerFile();

const scim = { 'content-type': 'application/scim+json', 'user-agent': 'Okta SCIM Client 1.0.0' };

test('Okta user lifecycle: lookup miss, create, import, PUT, deactivate, reactivate', async () => {
  const c = await createConnection(shared.gw);
  const h = { ...c.auth, ...scim };
  const miss = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?filter=${encodeURIComponent('userName eq "jane@x.com"')}&startIndex=1&count=100`, headers: h });
  assert.equal(miss.statusCode, 200);
  assert.deepEqual({ total: miss.json().totalResults, resources: miss.json().Resources }, { total: 0, resources: [] });

  const created = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: h, payload: {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jane@x.com',
    name: { givenName: 'Jane', familyName: 'Doe' }, emails: [{ primary: true, value: 'jane@x.com', type: 'work' }],
    displayName: 'Jane Doe', locale: 'en-US', externalId: '00u1', groups: [], password: 'Sup3rSecret!', active: true,
  } });
  assert.equal(created.statusCode, 201);
  const user = created.json();
  assert.match(created.headers['content-type'] as string, /application\/scim\+json/);
  assert.equal(created.headers.location, `http://scim.test${c.base}/Users/${user.id}`);
  assert.equal(user.userName, 'jane@x.com');
  assert.equal(user.password, undefined, 'the password is never stored or returned');
  assert.equal(user.meta.resourceType, 'User');
  assert.equal(user.meta.version, 'W/"1"');
  assert.equal(user['urn:scimwright:params:scim:schemas:extension:provisioning:2.0:User'].state, 'pending');
  assert.deepEqual(shared.gw.queue.requests.at(-1), { connectionId: c.id, userId: user.id });
  const stored = await shared.gw.redis.hget(connectionKeys(shared.gw.config.redisPrefix, c.id).doc('User', user.id), 'body');
  assert.ok(stored && !stored.includes('Sup3rSecret!'));

  const dup = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: h, payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'JANE@x.com' } });
  assert.equal(dup.statusCode, 409);
  assert.deepEqual([dup.json().status, dup.json().scimType], ['409', 'uniqueness']);

  const hit = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?filter=${encodeURIComponent('userName eq "Jane@X.com"')}&startIndex=1&count=100`, headers: h });
  assert.equal(hit.json().totalResults, 1);
  assert.equal(hit.json().Resources[0].id, user.id);

  const put = await shared.gw.app.inject({ method: 'PUT', url: `${c.base}/Users/${user.id}`, headers: h, payload: { ...user, displayName: 'Jane Q. Doe', name: { givenName: 'Jane', familyName: 'Doe' } } });
  assert.equal(put.statusCode, 200);
  assert.equal(put.json().displayName, 'Jane Q. Doe');
  assert.equal(put.json().meta.created, user.meta.created);

  for (const active of [false, true]) {
    const res = await shared.gw.app.inject({ method: 'PATCH', url: `${c.base}/Users/${user.id}`, headers: h, payload: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active } }],
    } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().active, active);
  }
  const inactiveStillListed = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users/${user.id}`, headers: h });
  assert.equal(inactiveStillListed.statusCode, 200);
});

test('Okta import pages with 1-based startIndex', async () => {
  const c = await createConnection(shared.gw);
  const h = { ...c.auth, ...scim };
  for (let i = 0; i < 7; i++) {
    const res = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: h, payload: { userName: `u${i}@x.com` } });
    assert.equal(res.statusCode, 201);
  }
  const seen: string[] = [];
  for (let start = 1; start <= 7; start += 3) {
    const page = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?startIndex=${start}&count=3`, headers: h })).json();
    assert.equal(page.totalResults, 7);
    assert.equal(page.startIndex, start);
    seen.push(...page.Resources.map((r: { userName: string }) => r.userName));
  }
  assert.deepEqual(seen, ['u0@x.com', 'u1@x.com', 'u2@x.com', 'u3@x.com', 'u4@x.com', 'u5@x.com', 'u6@x.com']);
  const zero = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?startIndex=0&count=0`, headers: h })).json();
  assert.deepEqual([zero.totalResults, zero.Resources.length, zero.startIndex], [7, 0, 1]);
});

test('Okta group push: create, rename, add and remove members, replace, delete', async () => {
  const c = await createConnection(shared.gw);
  const h = { ...c.auth, ...scim };
  const ids: string[] = [];
  for (const name of ['a@x.com', 'b@x.com']) {
    ids.push((await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: h, payload: { userName: name } })).json().id);
  }
  const group = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Groups`, headers: h, payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Designers', members: [] } });
  assert.equal(group.statusCode, 201);
  const gid = group.json().id;
  const patch = (Operations: unknown[]) => shared.gw.app.inject({ method: 'PATCH', url: `${c.base}/Groups/${gid}`, headers: h, payload: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations } });

  assert.ok([200, 204].includes((await patch([{ op: 'replace', value: { id: gid, displayName: 'Design' } }])).statusCode));
  await patch([{ op: 'add', path: 'members', value: [{ value: ids[0], display: 'a@x.com' }, { value: ids[1], display: 'b@x.com' }] }]);
  await patch([{ op: 'remove', path: `members[value eq "${ids[0]}"]` }]);
  const after1 = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Groups/${gid}`, headers: h })).json();
  assert.equal(after1.displayName, 'Design');
  assert.deepEqual(after1.members.map((m: { value: string }) => m.value), [ids[1]]);
  const userB = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users/${ids[1]}`, headers: h })).json();
  assert.deepEqual(userB.groups.map((g: { display: string }) => g.display), ['Design']);

  await patch([{ op: 'replace', path: 'members', value: [{ value: ids[0] }] }]);
  const userA = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users/${ids[0]}`, headers: h })).json();
  assert.deepEqual(userA.groups.map((g: { value: string }) => g.value), [gid]);
  const userB2 = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users/${ids[1]}`, headers: h })).json();
  assert.deepEqual(userB2.groups, []);

  const del = await shared.gw.app.inject({ method: 'DELETE', url: `${c.base}/Groups/${gid}`, headers: h });
  assert.equal(del.statusCode, 204);
  assert.equal((await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Groups/${gid}`, headers: h })).statusCode, 404);
  const userA2 = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users/${ids[0]}`, headers: h })).json();
  assert.deepEqual(userA2.groups, []);
});
