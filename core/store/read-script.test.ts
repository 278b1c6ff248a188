/** The page read script on a real Redis: ranges, explicit ids, joins, and values JSON must escape. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisPerFile } from '../../test/support/per-file.ts';
import { connectionKeys } from './keys.ts';
import { ResourceStore, type ReadJoin } from './resource-store.ts';

const redis = redisPerFile();

let n = 0;
async function seeded(count: number) {
  const prefix = `rs${++n}`;
  const store = new ResourceStore(redis.client, prefix);
  const keys = connectionKeys(prefix, 'c1');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `u${i}`;
    await store.create('c1', 'User', { id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `u${i}@example.com`, title: `T "${i}" /\u00e9\u2028` });
    ids.push(id);
  }
  const joins: ReadJoin[] = [
    { kind: 'set', prefix: keys.memberOf('') },
    { kind: 'hash', prefix: keys.prov(''), fields: ['state', 'lastError', 'absent'] },
  ];
  return { store, keys, ids, joins };
}

test('a page comes back in creation order with the list size, bodies and versions as stored', async () => {
  const { store, ids } = await seeded(5);
  await store.update('c1', 'User', 'u1', (current) => ({ resource: { ...current.resource, title: 'changed' } }));
  const { total, rows } = await store.pageJoined('c1', 'User', 1, 3, []);
  assert.equal(total, 5);
  assert.deepEqual(rows.map((r) => r.resource.id), ids.slice(1, 4));
  assert.deepEqual(rows.map((r) => r.version), [2, 1, 1]);
  assert.equal(rows[1]!.resource.title, 'T "2" /\u00e9\u2028');
  assert.deepEqual(rows[0]!.resource, (await store.get('c1', 'User', 'u1'))!.resource);
});

test('joins read each resource’s set and hash fields; absent ones are [] and null', async () => {
  const { store, keys, joins } = await seeded(3);
  await redis.client.sadd(keys.memberOf('u0'), 'g1', 'g2');
  await redis.client.hset(keys.prov('u1'), 'state', 'failed', 'lastError', 'no "seats" / \u00fc\n\u0001 left');
  const { rows } = await store.pageJoined('c1', 'User', 0, 10, joins);
  assert.equal(rows.length, 3);
  assert.deepEqual([...(rows[0]!.joined[0] as string[])].sort(), ['g1', 'g2']);
  assert.deepEqual(rows[1]!.joined, [[], ['failed', 'no "seats" / \u00fc\n\u0001 left', null]]);
  // u2 was created without a provisioning bump: no hash at all.
  assert.deepEqual(rows[2]!.joined, [[], [null, null, null]]);
});

test('ranges past the end, empty counts and ids without a body read nothing, yet count the list', async () => {
  const { store, keys, joins } = await seeded(3);
  assert.deepEqual(await store.pageJoined('c1', 'User', 3, 10, joins), { total: 3, rows: [] });
  assert.deepEqual(await store.pageJoined('c1', 'User', 0, 0, joins), { total: 3, rows: [] });
  assert.deepEqual(await store.pageJoined('c1', 'User', Number.MAX_SAFE_INTEGER - 1, 10, joins), { total: 3, rows: [] });
  await redis.client.zadd(keys.list('User'), 99, 'ghost');
  const page = await store.pageJoined('c1', 'User', 0, 10, joins);
  assert.equal(page.total, 4);
  assert.deepEqual(page.rows.map((r) => r.resource.id), ['u0', 'u1', 'u2']);
});

test('explicit ids keep the order asked for and leave out missing ones', async () => {
  const { store, joins } = await seeded(3);
  const rows = await store.getManyJoined('c1', 'User', ['u2', 'nope', 'u0'], joins);
  assert.deepEqual(rows.map((r) => r.resource.id), ['u2', 'u0']);
  assert.deepEqual(await store.getManyJoined('c1', 'User', [], joins), []);
  assert.deepEqual((await store.getMany('c1', 'User', ['u1'])).map((r) => Object.keys(r)), [['resource', 'version']]);
});

test('a stored body deeper than the write bound is pruned on the way out', async () => {
  const { store, keys } = await seeded(0);
  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 20; i++) deep = { d: deep };
  await redis.client.hset(keys.doc('User', 'deep'), 'body', JSON.stringify({ id: 'deep', userName: 'deep@example.com', x: deep }), 'v', '1');
  await redis.client.zadd(keys.list('User'), 1, 'deep');
  const [row] = (await store.pageJoined('c1', 'User', 0, 1, [])).rows;
  assert.equal(row!.resource.userName, 'deep@example.com');
  assert.ok(!JSON.stringify(row!.resource).includes('"leaf"'));
});
