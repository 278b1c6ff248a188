/**
 * Issue 11's SCIM findings, each reproduced over the real app and Redis: PATCH operation caps,
 * nesting depth (on write, and deprovisioning of a deep document an older version stored), lone
 * surrogates, huge startIndex, userName look-alikes. Timings live in bench/adversarial.ts.
 */
import { connectionKeys } from '../../core/store/keys.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { createConnection, startGateway, type TestGateway } from '../support/gateway.ts';

let redis: TestRedis;
let gw: TestGateway;
before(async () => {
  redis = await startRedis();
  gw = await startGateway(redis.url, { bodyLimit: 8 * 1024 * 1024, rateLimitPerMinute: 100_000 });
});
after(async () => {
  await gw.close();
  await redis.stop();
});

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
type Conn = Awaited<ReturnType<typeof createConnection>>;

async function call(c: Conn, method: string, path: string, payload?: unknown) {
  return gw.app.inject({
    method: method as 'GET', url: `${c.base}${path}`, headers: { ...c.auth, 'content-type': 'application/scim+json' },
    ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
  });
}

async function snapshot(connectionId: string): Promise<string> {
  const keys = (await gw.redis.keys(`${connectionKeys(gw.config.redisPrefix, connectionId).base}:*`)).sort();
  const out: string[] = [];
  for (const key of keys) out.push(key, JSON.stringify(await gw.redis.dump(key)));
  return out.join('\n');
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { n: value };
  return value;
}

function assertScimError(res: { statusCode: number; json(): any; body: string }, status: number, scimType: string, detail?: RegExp) {
  assert.equal(res.statusCode, status, res.body.slice(0, 300));
  const body = res.json();
  assert.equal(body.scimType, scimType, res.body.slice(0, 300));
  if (detail) assert.match(body.detail, detail);
}

test('ServiceProviderConfig advertises the PATCH operation cap; beyond it a PATCH is refused before any work', async () => {
  const c = await createConnection(gw);
  const config = (await call(c, 'GET', '/ServiceProviderConfig')).json();
  const max = config.patch.maxOperations;
  assert.ok(Number.isInteger(max) && max >= 100, JSON.stringify(config.patch));
  const user = (await call(c, 'POST', '/Users', { userName: 'ops@x.com' })).json();
  const before = await snapshot(c.id);
  const ops = Array.from({ length: max + 1 }, (_, i) => ({ op: 'add', path: 'emails', value: [{ value: `e${i}@x.com` }] }));
  const res = await call(c, 'PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: ops });
  assertScimError(res, 400, 'tooMany', new RegExp(`${max}`));
  assert.equal(await snapshot(c.id), before);
});

test('the 100-email limit stops a PATCH at the operation that crosses it', async () => {
  const c = await createConnection(gw);
  const user = (await call(c, 'POST', '/Users', { userName: 'mails@x.com' })).json();
  const ops = Array.from({ length: 150 }, (_, i) => ({ op: 'add', path: 'emails', value: [{ value: `e${i}@x.com` }] }));
  const res = await call(c, 'PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: ops });
  assertScimError(res, 400, 'invalidValue', /emails.*100.*operation 101/i);
});

test('documents nested deeper than the bound are refused on POST, PUT and PATCH, and change nothing', async () => {
  const c = await createConnection(gw);
  const ext = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  const user = (await call(c, 'POST', '/Users', { userName: 'deep@x.com', [ext]: { department: 'ok', extra: nested(3) } }));
  assert.equal(user.statusCode, 201, user.body);
  const id = user.json().id;
  const before = await snapshot(c.id);
  for (const depth of [20, 3000, 5000]) {
    // Written as text: JSON.stringify itself overflows the stack at these depths.
    const deep = `${'{"n":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
    const cases: Array<[string, string, string]> = [
      ['POST', '/Users', `{"userName":"d${depth}@x.com","${ext}":{"extra":${deep}}}`],
      ['PUT', `/Users/${id}`, `{"userName":"deep@x.com","${ext}":{"extra":${deep}}}`],
      ['PATCH', `/Users/${id}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"${ext}:extra","value":${deep}}]}`],
      ['POST', '/Groups', `{"displayName":"g${depth}","extra":${deep}}`],
    ];
    for (const [method, path, body] of cases) {
      assertScimError(await call(c, method, path, body), 400, 'invalidValue', /deeper than/);
    }
  }
  assert.equal(await snapshot(c.id), before);
});

test('a user stored deep by an older version can still be deactivated and deleted, and both are converged', async () => {
  const c = await createConnection(gw);
  const ext = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  for (const dialect of ['okta', 'entra']) {
    const user = (await call(c, 'POST', '/Users', { userName: `leaver-${dialect}@x.com`, [ext]: { department: 'x' } })).json();
    // What an older version let through: the enterprise extension nested 3,000 levels deep.
    const key = gw.core.directory.resources.keys(c.id).doc('User', user.id);
    const stored = JSON.parse((await gw.redis.hget(key, 'body'))!);
    stored[ext].extra = nested(3000);
    await gw.redis.hset(key, 'body', JSON.stringify(stored));
    gw.queue.requests.length = 0;
    const deactivate = dialect === 'okta'
      ? { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }
      : { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };
    const patched = await call(c, 'PATCH', `/Users/${user.id}`, deactivate);
    assert.equal(patched.statusCode, 200, patched.body.slice(0, 300));
    assert.equal(patched.json().active, false);
    assert.ok(gw.queue.requests.some((r) => r.userId === user.id), 'deactivation converged');
    gw.queue.requests.length = 0;
    const deleted = await call(c, 'DELETE', `/Users/${user.id}`);
    assert.equal(deleted.statusCode, 204, deleted.body.slice(0, 300));
    assert.ok(gw.queue.requests.some((r) => r.userId === user.id), 'deletion converged');
    assert.equal((await call(c, 'GET', `/Users/${user.id}`)).statusCode, 404);
  }
});

test('a lone UTF-16 surrogate in userName or displayName is a 400 invalidValue and changes nothing', async () => {
  const c = await createConnection(gw);
  const user = (await call(c, 'POST', '/Users', { userName: 'sur@x.com', displayName: 'Sur' })).json();
  const group = (await call(c, 'POST', '/Groups', { displayName: 'Sur group' })).json();
  // JSON escapes, so the lone surrogate survives the request body as it would on the wire.
  const cases: Array<[string, string, string]> = [
    ['POST', '/Users', '{"userName":"a\\ud800@x.com"}'],
    ['POST', '/Users', '{"userName":"b@x.com","displayName":"x\\udc00"}'],
    ['PUT', `/Users/${user.id}`, '{"userName":"sur@x.com","displayName":"\\ud83d"}'],
    ['PATCH', `/Users/${user.id}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"displayName","value":"\\udfff"}]}`],
    ['PATCH', `/Users/${user.id}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","value":{"userName":"\\ud800"}}]}`],
    ['POST', '/Groups', '{"displayName":"g\\ud800"}'],
    ['PATCH', `/Groups/${group.id}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"displayName","value":"\\ud800"}]}`],
  ];
  for (const [method, path, body] of cases) {
    assertScimError(await call(c, method, path, body), 400, 'invalidValue', /surrogate/i);
  }
  // A proper pair (an emoji) is fine.
  assert.equal((await call(c, 'POST', '/Users', '{"userName":"emoji@x.com","displayName":"\\ud83d\\ude00"}')).statusCode, 201);
  await call(c, 'DELETE', `/Users/${(await call(c, 'GET', '/Users?filter=userName%20eq%20%22emoji@x.com%22')).json().Resources[0].id}`);
  assert.equal((await call(c, 'GET', `/Users/${user.id}`)).json().displayName, 'Sur');
  assert.equal((await call(c, 'GET', `/Groups/${group.id}`)).json().displayName, 'Sur group');
});

test('startIndex at or beyond 2^63 on an unfiltered list is an empty page, not a 500', async () => {
  const c = await createConnection(gw);
  await call(c, 'POST', '/Users', { userName: 'one@x.com' });
  for (const start of ['9223372036854775807', '9223372036854775808', '18446744073709551616', '1e300']) {
    for (const filter of ['', '&filter=userName%20co%20%22x%22']) {
      const res = await call(c, 'GET', `/Users?startIndex=${start}${filter}`);
      assert.equal(res.statusCode, 200, `${start}${filter}: ${res.body}`);
      assert.equal(res.json().totalResults, 1);
      assert.deepEqual(res.json().Resources ?? [], []);
    }
  }
});

test('userName look-alikes: full-width and case variants collide, control, bidi and zero-width characters are refused', async () => {
  const c = await createConnection(gw);
  assert.equal((await call(c, 'POST', '/Users', { userName: 'fuzz@x.com' })).statusCode, 201);
  const before = await snapshot(c.id);
  for (const lookAlike of ['ｆuzz@x.com', 'ＦＵＺＺ@x.com', 'FUZZ@X.COM']) {
    assertScimError(await call(c, 'POST', '/Users', { userName: lookAlike }), 409, 'uniqueness');
    const found = (await call(c, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${lookAlike}"`)}`)).json();
    assert.equal(found.totalResults, 1, lookAlike);
  }
  const refused: Array<[string, string]> = [
    ['a\u0000b@x.com', 'U+0000'], ['a\rb@x.com', 'U+000D'], ['a\nb@x.com', 'U+000A'], ['a\u0085b@x.com', 'U+0085'],
    ['a\u202eb@x.com', 'U+202E'], ['a\u2066b@x.com', 'U+2066'], ['a\u200bb@x.com', 'U+200B'], ['a\u200db@x.com', 'U+200D'],
    ['\ufeffa@x.com', 'U+FEFF'], ['a\u007fb@x.com', 'U+007F'],
  ];
  for (const [userName, code] of refused) {
    assertScimError(await call(c, 'POST', '/Users', { userName }), 400, 'invalidValue', new RegExp(code.replace('+', '\\+')));
  }
  assert.equal(await snapshot(c.id), before);
});

test('a user indexed by an older version (lower case only) is still found, deactivated and deleted', async () => {
  const c = await createConnection(gw);
  const user = (await call(c, 'POST', '/Users', { userName: 'ascii@x.com' })).json();
  // The older index keyed userName by toLowerCase() only: re-key this user the old way.
  const keys = gw.core.directory.resources.keys(c.id);
  const key = keys.doc('User', user.id);
  const stored = JSON.parse((await gw.redis.hget(key, 'body'))!);
  stored.userName = 'Ｏld@x.com';
  await gw.redis.hset(key, 'body', JSON.stringify(stored));
  await gw.redis.hdel(keys.userNameIdx, 'ascii@x.com');
  await gw.redis.hset(keys.userNameIdx, 'Ｏld@x.com'.toLowerCase(), user.id);
  const found = (await call(c, 'GET', `/Users?filter=${encodeURIComponent('userName eq "ｏld@x.com"')}`)).json();
  assert.equal(found.totalResults, 1);
  assert.equal((await call(c, 'PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] })).statusCode, 200);
  assert.equal((await call(c, 'DELETE', `/Users/${user.id}`)).statusCode, 204);
  assert.equal(await gw.redis.hlen(keys.userNameIdx), 0, 'no index entry left behind');
});

test('a filter of more than 100 comparisons is a 400 invalidFilter; 100 are answered', async () => {
  const c = await createConnection(gw);
  const terms = (n: number) => Array.from({ length: n }, (_, i) => `title eq "t${i}"`).join(' or ');
  assertScimError(await call(c, 'GET', `/Users?filter=${encodeURIComponent(terms(101))}`), 400, 'invalidFilter', /100 comparisons/);
  assert.equal((await call(c, 'GET', `/Users?filter=${encodeURIComponent(terms(100))}`)).statusCode, 200);
});

test('a big group PATCH applied in slices is all or nothing, and reads meanwhile see before or after', async () => {
  const c = await createConnection(gw);
  const ctx = { connectionId: c.id, baseUrl: `http://scim.test${c.base}`, tokenId: 'tok', requestId: 'seed' };
  const ids: string[] = [];
  // More members than one step of a PATCH (2,000 values), so the long lists are applied in steps.
  for (let i = 0; i < 2600; i++) ids.push(String((await gw.core.directory.users.create(ctx, { userName: `big${i}@x.com` })).resource.id));
  const created = await call(c, 'POST', '/Groups', { displayName: 'All', members: ids.slice(0, 300).map((value) => ({ value })) });
  assert.equal(created.statusCode, 201, created.body.slice(0, 300));
  const group = created.json().id as string;
  const before = await snapshot(c.id);
  const adds = { op: 'add', path: 'members', value: ids.slice(300).map((value) => ({ value })) };
  // The last operation fails (a member that is no user): nothing of the adds before it is kept.
  const refused = await call(c, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [adds, { op: 'add', path: 'members', value: [{ value: 'nobody' }] }] });
  assertScimError(refused, 400, 'invalidValue', /nobody/);
  assert.equal(await snapshot(c.id), before);
  const invalid = await call(c, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [adds, { op: 'replace', path: 'displayName', value: '' }] });
  assertScimError(invalid, 400, 'invalidValue');
  assert.equal(await snapshot(c.id), before);

  const patch = call(c, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [adds, { op: 'remove', path: `members[value eq "${ids[0]}"]` }] });
  const seen = await Promise.all(Array.from({ length: 20 }, async () => (await call(c, 'GET', `/Groups/${group}`)).json().members.length as number));
  assert.equal((await patch).statusCode, 204);
  for (const n of seen) assert.ok(n === 300 || n === 2599, `a read saw ${n} members`);
  assert.equal((await call(c, 'GET', `/Groups/${group}`)).json().members.length, 2599);
});
