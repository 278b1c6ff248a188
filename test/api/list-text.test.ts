/**
 * Issue 13: an unfiltered, unprojected users page is rendered from the stored texts (see
 * core/directory/render-text.ts). Its answers must be byte-identical to the object path's
 * (list(), projection, JSON.stringify), for every page and shape of stored body, including bodies
 * an older version stored (too deep, odd layouts) and bodies changed behind the shape's back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listResponse, projected } from '../../api/scim/reply.ts';
import { bodyShape } from '../../core/store/body-shape.ts';
import { connectionKeys, type ConnectionKeys } from '../../core/store/keys.ts';
import { createConnection } from '../support/gateway.ts';
import { gatewayPerFile } from '../support/per-file.ts';

const shared = gatewayPerFile();
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PROV = 'urn:scimwright:params:scim:schemas:extension:provisioning:2.0:User';

/** Users of many shapes: plain, enterprise, Unicode and escapes, null-cleared, patched, grouped. */
function userBody(i: number): Record<string, unknown> {
  const base: Record<string, unknown> = { schemas: [CORE], userName: `user${i}@example.com`, active: i % 5 !== 0 };
  if (i % 3 === 0) Object.assign(base, { schemas: [CORE, ENTERPRISE], [ENTERPRISE]: { department: `Dept "${i}"`, manager: { value: 'm1' } } });
  if (i % 4 === 1) Object.assign(base, { name: { givenName: 'Zoë \u2028 "Q"', familyName: 'O\\Brien </script>' }, title: null });
  if (i % 7 === 2) Object.assign(base, { emails: [{ value: `user${i}@example.com`, type: 'work', primary: true }], phoneNumbers: [{ value: '+1 555', type: 'mobile' }] });
  if (i % 11 === 3) Object.assign(base, { groups: [], externalId: `00u${i}`, password: 'Secr3t!pass' });
  return base;
}

async function seed() {
  const c = await createConnection(shared.gw);
  const h = { ...c.auth, 'content-type': 'application/scim+json' };
  const ids: string[] = [];
  for (let i = 0; i < 23; i++) {
    const res = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Users`, headers: h, payload: userBody(i) });
    assert.equal(res.statusCode, 201, res.body);
    ids.push(res.json().id);
  }
  for (const id of ids.slice(0, 4)) {
    const res = await shared.gw.app.inject({ method: 'PATCH', url: `${c.base}/Users/${id}`, headers: h, payload: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: `Patched ${id}` }],
    } });
    assert.equal(res.statusCode, 200, res.body);
  }
  for (const [name, members] of [['Admins "A"', ids.slice(0, 3)], ['Ünits', ids.slice(2, 6)]] as const) {
    const res = await shared.gw.app.inject({ method: 'POST', url: `${c.base}/Groups`, headers: h, payload: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name, members: members.map((value) => ({ value })),
    } });
    assert.equal(res.statusCode, 201, res.body);
  }
  const keys = connectionKeys(shared.gw.config.redisPrefix, c.id);
  await shared.gw.redis.hset(keys.prov(ids[1]!), 'state', 'failed', 'lastError', 'no "seats" / \u00fc\n\u0001 left', 'appRole', 'Editor', 'lastRunAt', '2026-01-01T00:00:00.000Z');
  await shared.gw.redis.hset(keys.prov(ids[2]!), 'state', 'in_sync');
  return { c, h, ids, keys };
}

/** Bodies the save path of today never writes, stored as an older version (or another writer) left them. */
async function storeOddBodies(keys: ConnectionKeys, ids: string[]) {
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let d = 0; d < 12; d++) deep = { d: deep };
  const meta = { resourceType: 'User', created: '2020-01-01T00:00:00.000Z', lastModified: '2020-01-01T00:00:00.000Z' };
  const odd: Array<[string, Record<string, unknown>]> = [
    ['old-deep', { schemas: [CORE], id: 'old-deep', userName: 'deep@example.com', x: deep, meta }],
    ['old-order', { id: 'old-order', schemas: [CORE], userName: 'order@example.com', meta }],
    ['old-meta-first', { schemas: [CORE], id: 'old-meta-first', meta, userName: 'mf@example.com' }],
    ['old-located', { schemas: [CORE], id: 'old-located', userName: 'loc@example.com', meta: { ...meta, location: 'http://old/x', version: 'W/"9"' } }],
    ['old-prov', { schemas: [CORE, PROV], id: 'old-prov', userName: 'prov@example.com', [PROV]: { state: 'stale' }, meta }],
    ['old-no-meta', { schemas: [CORE], id: 'old-no-meta', userName: 'nometa@example.com' }],
    ['old-"quoted"', { schemas: [CORE], id: 'old-"quoted"', userName: 'q@example.com', meta }],
  ];
  let score = 1000;
  for (const [id, body] of odd) {
    await shared.gw.redis.hset(keys.doc('User', id), 'body', JSON.stringify(body), 'v', '3');
    await shared.gw.redis.zadd(keys.list('User'), score++, id);
  }
  // A body changed by a writer that does not know about shapes: the recorded one no longer fits.
  const changed = keys.doc('User', ids[5]!);
  const body = JSON.parse((await shared.gw.redis.hget(changed, 'body'))!) as Record<string, unknown>;
  await shared.gw.redis.hset(changed, 'body', JSON.stringify({ ...body, meta: { nested: { a: 1 } } }));
}

function urls(base: string, total: number): string[] {
  const out: string[] = [];
  for (const count of [undefined, 0, 1, 2, 7, 100, 1000, -3]) {
    for (const start of [undefined, -1, 0, 1, 2, 5, total - 1, total, total + 1, total + 50]) {
      const q = [start === undefined ? '' : `startIndex=${start}`, count === undefined ? '' : `count=${count}`].filter(Boolean).join('&');
      out.push(`${base}/Users${q ? `?${q}` : ''}`);
    }
  }
  for (const p of ['attributes=userName', 'excludedAttributes=groups', `excludedAttributes=${ENTERPRISE}`, 'attributes=emails.value,groups', 'filter=userName%20sw%20%22user1%22', 'attributes=']) {
    out.push(`${base}/Users?${p}`, `${base}/Users?${p}&startIndex=3&count=4`);
  }
  return out;
}

test('every users page answers byte for byte what the object path renders, old bodies included', async () => {
  const { c, h, ids, keys } = await seed();
  await storeOddBodies(keys, ids);
  // Most users got a shape when they were written; the page then slices their texts.
  const shapes = await Promise.all(ids.map((id) => shared.gw.redis.hget(keys.doc('User', id), 'shape')));
  assert.ok(shapes.filter(Boolean).length >= 18, `shapes recorded: ${shapes.filter(Boolean).length}`);
  const connection = (await shared.gw.core.connections.get(c.id))!;
  const ctx = { connectionId: c.id, baseUrl: `http://scim.test${c.base}`, requestId: 'r', tokenId: connection.token.id };
  const total = ids.length + 7;
  let compared = 0;
  for (const url of urls(c.base, total)) {
    const res = await shared.gw.app.inject({ method: 'GET', url, headers: h });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    const query = Object.fromEntries(new URL(url, 'http://x').searchParams);
    const page = await shared.gw.core.directory.users.list(ctx, query);
    const expected = JSON.stringify(listResponse(page.resources.map((r) => projected(r, query)), page.totalResults, page.startIndex));
    assert.equal(res.body, expected, url);
    assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
    compared++;
  }
  assert.equal(compared, 92);
  const all = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?count=100`, headers: h })).json();
  assert.equal(all.totalResults, total);
  assert.equal(JSON.stringify(all).includes('Secr3t'), false, 'no password');
  const deep = all.Resources.find((r: { id: string }) => r.id === 'old-deep');
  assert.ok(deep && !JSON.stringify(deep).includes('leaf'), 'a too-deep old body is pruned as on the object path');
});

test('the page is sliced from the stored text: a shaped body comes back verbatim, which no parse would', async () => {
  const { c, h, ids } = await seed();
  const keys = connectionKeys(shared.gw.config.redisPrefix, c.id);
  const doc = keys.doc('User', ids[0]!);
  const body = (await shared.gw.redis.hget(doc, 'body'))!.replace('"active":', '"probe":1.50,"active":');
  await shared.gw.redis.hset(doc, 'body', body, 'shape', bodyShape(body)!);
  const page = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users?count=1`, headers: h });
  assert.ok(page.body.includes('"probe":1.50,'), page.body);
  const one = await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users/${ids[0]}`, headers: h });
  assert.ok(one.body.includes('"probe":1.5,'), 'a single read still parses');
});

test('excludedAttributes=<extension URN> drops that extension from lists and reads (RFC 7644 §3.9)', async () => {
  const { c, h, ids } = await seed();
  for (const urn of [ENTERPRISE, PROV]) {
    for (const url of [`${c.base}/Users?excludedAttributes=${encodeURIComponent(urn)}`, `${c.base}/Users/${ids[0]}?excludedAttributes=${encodeURIComponent(urn)}`]) {
      const res = await shared.gw.app.inject({ method: 'GET', url, headers: h });
      assert.equal(res.statusCode, 200, res.body);
      const users = url.includes('?excluded') && !url.includes(`/Users/${ids[0]}`) ? res.json().Resources : [res.json()];
      assert.ok(users.length > 0);
      for (const u of users) {
        assert.equal(urn in u, false, `${url}: ${JSON.stringify(u)}`);
        assert.ok(u.userName, 'the rest stays');
      }
    }
  }
  const all = (await shared.gw.app.inject({ method: 'GET', url: `${c.base}/Users`, headers: h })).json();
  assert.ok(all.Resources.some((u: Record<string, unknown>) => ENTERPRISE in u) && all.Resources.every((u: Record<string, unknown>) => PROV in u));
});
