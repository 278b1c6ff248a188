/** Bad input, concurrency, tenant isolation, token rotation and log redaction, on real Redis. */
import { connectionKeys, connectionStoreKeys } from '../../core/store/keys.ts';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { ADMIN_TOKEN, createConnection, startGateway, type TestGateway } from '../support/gateway.ts';

let redis: TestRedis;
let gw: TestGateway;
let logs = '';
before(async () => {
  redis = await startRedis();
  const sink = new Writable({ write(chunk, _enc, done) { logs += chunk.toString(); done(); } });
  gw = await startGateway(redis.url, { bodyLimit: 64 * 1024, rateLimitPerMinute: 100_000 }, sink);
});
after(async () => {
  await gw.close();
  await redis.stop();
});

/** Every key and value of one connection, to prove a rejected request changed nothing. */
async function snapshot(connectionId: string): Promise<string> {
  const keys = (await gw.redis.keys(`${connectionKeys(gw.config.redisPrefix, connectionId).base}:*`)).sort();
  const out: string[] = [];
  for (const key of keys) out.push(key, JSON.stringify(await gw.redis.dump(key)));
  return out.join('\n');
}

test('bad inputs get SCIM errors with the right status and scimType, and change nothing', async () => {
  const c = await createConnection(gw);
  const h = { ...c.auth, 'content-type': 'application/scim+json' };
  const user = (await gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: h, payload: { userName: 'keep@x.com', displayName: 'Keep' } })).json();
  const before = await snapshot(c.id);
  const cases: Array<[string, string, string | object, number, string | undefined]> = [
    ['POST', '/Users', '{"userName": "broken"', 400, 'invalidSyntax'],
    ['POST', '/Users', '[]', 400, 'invalidSyntax'],
    ['POST', '/Users', { userName: 42 }, 400, 'invalidValue'],
    ['POST', '/Users', { displayName: 'no userName' }, 400, 'invalidValue'],
    ['POST', '/Users', { userName: 'x@x.com', active: 'maybe' }, 400, 'invalidValue'],
    ['POST', '/Users', { userName: 'x@x.com', emails: 'not-a-list' }, 400, 'invalidValue'],
    ['POST', '/Users', { userName: 'KEEP@x.com' }, 409, 'uniqueness'],
    ['POST', '/Users', { userName: 'big@x.com', displayName: 'x'.repeat(100_000) }, 413, undefined],
    ['GET', '/Users?filter=userName%20eq', '', 400, 'invalidFilter'],
    ['GET', '/Users?filter=userName%20zz%20%22a%22', '', 400, 'invalidFilter'],
    ['GET', '/Users?filter=(userName%20eq%20%22a%22', '', 400, 'invalidFilter'],
    ['GET', '/Users?startIndex=abc', '', 400, 'invalidValue'],
    ['PATCH', `/Users/${user.id}`, { Operations: [] }, 400, 'invalidSyntax'],
    ['PATCH', `/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove' }] }, 400, 'noTarget'],
    ['PATCH', `/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: 'perhaps' }] }, 400, 'invalidValue'],
    ['PATCH', `/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'userName', value: 7 }] }, 400, 'invalidValue'],
    ['PATCH', `/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'id', value: 'new' }] }, 400, 'mutability'],
    ['PUT', `/Users/${user.id}`, { userName: '' }, 400, 'invalidValue'],
    ['GET', '/Users/does-not-exist', '', 404, undefined],
    ['GET', '/Nope', '', 404, undefined],
    ['POST', '/Groups', { displayName: 'G', members: [{ value: 'ghost' }] }, 400, 'invalidValue'],
  ];
  for (const [method, path, body, status, scimType] of cases) {
    const res = await gw.app.inject({ method: method as 'GET', url: `${c.base}${path}`, headers: h, ...(method === 'GET' ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const label = `${method} ${path} ${typeof body === 'string' ? body.slice(0, 40) : JSON.stringify(body).slice(0, 60)}`;
    assert.equal(res.statusCode, status, `${label}: ${res.body.slice(0, 200)}`);
    const error = res.json();
    assert.deepEqual(error.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error'], label);
    assert.equal(error.status, String(status), label);
    assert.equal(error.scimType, scimType, label);
    assert.ok(typeof error.detail === 'string' && error.detail.length > 5, label);
  }
  assert.equal(await snapshot(c.id), before, 'no stored record changed');
});

test('10 concurrent creates of one userName give one 201 and nine 409s', async () => {
  const c = await createConnection(gw);
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => gw.app.inject({
    method: 'POST', url: `${c.base}/Users`, headers: c.auth, payload: { userName: i % 2 ? 'Race@x.com' : 'race@X.com' },
  })));
  const codes = results.map((r) => r.statusCode).sort();
  assert.deepEqual(codes, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
  assert.equal((await gw.app.inject({ method: 'GET', url: `${c.base}/Users`, headers: c.auth })).json().totalResults, 1);
});

test('concurrent PATCHes lose no update', async () => {
  const c = await createConnection(gw);
  const owner = (await gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: c.auth, payload: { userName: 'owner@x.com' } })).json().id;
  const ids = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: c.auth, payload: { userName: `m${i}@x.com` } })).json().id as string));
  const gid = (await gw.app.inject({ method: 'POST', url: `${c.base}/Groups`, headers: c.auth, payload: { displayName: 'Race' } })).json().id;
  await Promise.all(ids.map((id) => gw.app.inject({ method: 'PATCH', url: `${c.base}/Groups/${gid}`, headers: c.auth, payload: {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
  } })));
  const group = (await gw.app.inject({ method: 'GET', url: `${c.base}/Groups/${gid}`, headers: c.auth })).json();
  assert.equal(group.members.length, 20);
  await Promise.all(['title', 'nickName', 'locale', 'timezone', 'userType'].map((path) => gw.app.inject({ method: 'PATCH', url: `${c.base}/Users/${owner}`, headers: c.auth, payload: {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path, value: `v-${path}` }],
  } })));
  const user = (await gw.app.inject({ method: 'GET', url: `${c.base}/Users/${owner}`, headers: c.auth })).json();
  assert.deepEqual([user.title, user.nickName, user.locale, user.timezone, user.userType], ['v-title', 'v-nickName', 'v-locale', 'v-timezone', 'v-userType']);
  assert.equal(user.meta.version, 'W/"6"');
  const stale = await gw.app.inject({ method: 'PATCH', url: `${c.base}/Users/${owner}`, headers: { ...c.auth, 'if-match': 'W/"2"' }, payload: {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'stale' }],
  } });
  assert.equal(stale.statusCode, 412);
});

test("one connection's token never reaches another's data", async () => {
  const a = await createConnection(gw);
  const b = await createConnection(gw);
  const userA = (await gw.app.inject({ method: 'POST', url: `${a.base}/Users`, headers: a.auth, payload: { userName: 'secret@a.com' } })).json().id;
  for (const [method, url] of [['GET', `${a.base}/Users`], ['GET', `${a.base}/Users/${userA}`], ['DELETE', `${a.base}/Users/${userA}`], ['GET', `${a.base}/ServiceProviderConfig`]]) {
    const res = await gw.app.inject({ method: method as 'GET', url: url!, headers: b.auth });
    assert.equal(res.statusCode, 401, `${method} ${url}`);
    assert.equal(res.json().status, '401');
  }
  const viaB = await gw.app.inject({ method: 'GET', url: `${b.base}/Users/${userA}`, headers: b.auth });
  assert.equal(viaB.statusCode, 404);
  assert.equal((await gw.app.inject({ method: 'GET', url: `${a.base}/Users`, headers: {} })).statusCode, 401);
  assert.equal((await gw.app.inject({ method: 'GET', url: `${a.base}/Users`, headers: { authorization: 'Bearer scim_wrong' } })).statusCode, 401);
});

test('token rotation refuses the old token at once', async () => {
  const c = await createConnection(gw);
  const rotated = await gw.app.inject({ method: 'POST', url: `/admin/v1/connections/${c.id}/rotate-token`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(rotated.statusCode, 200);
  const token = rotated.json().token as string;
  assert.match(token, /^scim_[A-Za-z0-9_-]{40,}$/);
  assert.equal((await gw.app.inject({ method: 'GET', url: `${c.base}/Users`, headers: c.auth })).statusCode, 401);
  assert.equal((await gw.app.inject({ method: 'GET', url: `${c.base}/Users`, headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
  const stored = JSON.stringify(await gw.redis.keys('*')) + (await Promise.all([...await gw.redis.keys(connectionStoreKeys(gw.config.redisPrefix).connection('*')), ...await gw.redis.keys(connectionStoreKeys(gw.config.redisPrefix).tokenRecord('*'))].map((k) => gw.redis.get(k)))).join('');
  assert.ok(!stored.includes(token) && !stored.includes(c.token), 'tokens are stored only as hashes');
});

test('admin API: auth, validation, settings checked against the connector, no secrets in answers', async () => {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  assert.equal((await gw.app.inject({ method: 'GET', url: '/admin/v1/connections' })).statusCode, 401);
  const bad = await gw.app.inject({ method: 'POST', url: '/admin/v1/connections', headers: admin, payload: { id: 'has_underscore', connector: 'testapp', baseUrl: 'nope', credentials: {} } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /id:.*Okta/);
  const role = await gw.app.inject({ method: 'POST', url: '/admin/v1/connections', headers: admin, payload: { id: 'badrole', connector: 'testapp', baseUrl: 'http://a.test', credentials: { email: 'a@a', password: 'pw-1234567' }, settings: { defaultRole: 'Owner' } } });
  assert.equal(role.statusCode, 400);
  const c = await createConnection(gw, 'listed', { defaultRole: 'viewer', roleMap: { designer: 'Editor' } });
  const got = await gw.app.inject({ method: 'GET', url: `/admin/v1/connections/${c.id}`, headers: admin });
  assert.equal(got.json().scimBaseUrl, 'http://scim.test/scim/v2/listed');
  assert.ok(!got.body.includes('hunter2-admin-password') && !got.body.includes(c.token));
  const patched = await gw.app.inject({ method: 'PATCH', url: `/admin/v1/connections/${c.id}`, headers: admin, payload: { settings: { deprovision: 'deactivate' } } });
  assert.equal(patched.statusCode, 400, 'the test app cannot deactivate');
  const ok = await gw.app.inject({ method: 'PATCH', url: `/admin/v1/connections/${c.id}`, headers: admin, payload: { settings: { createUsers: false } } });
  assert.equal(ok.json().settings.createUsers, false);
  assert.equal(ok.json().settings.roleMap.designer, 'Editor', 'settings merge key by key');
  assert.equal((await gw.app.inject({ method: 'DELETE', url: `/admin/v1/connections/${c.id}`, headers: admin })).statusCode, 204);
  assert.equal((await gw.app.inject({ method: 'GET', url: `${c.base}/Users`, headers: c.auth })).statusCode, 401);
});

test('no secret reaches the logs', async () => {
  const c = await createConnection(gw);
  await gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: c.auth, payload: { userName: 'log@x.com', password: 'UserPassw0rd!' } });
  await gw.app.inject({ method: 'GET', url: `${c.base}/Users`, headers: { authorization: 'Bearer scim_notavalidtokenbutsecret' } });
  await gw.app.inject({ method: 'POST', url: `/admin/v1/connections/${c.id}/rotate-token`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  gw.app.log.info({ credentials: { password: 'hunter2-admin-password', totpSecret: 'JBSWY3DPEHPK3PXP' }, nested: { deep: { token: c.token } } }, `token ${c.token}`);
  assert.ok(logs.length > 200, 'the logger wrote something');
  for (const secret of [c.token, ADMIN_TOKEN, 'UserPassw0rd!', 'hunter2-admin-password', 'JBSWY3DPEHPK3PXP', 'scim_notavalidtokenbutsecret']) {
    assert.ok(!logs.includes(secret), `log output contains ${secret.slice(0, 8)}…`);
    assert.ok(!logs.includes(Buffer.from(secret).toString('base64')), 'base64 too');
  }
});
