/** The sorted users list on a real Redis: kept by the save and record scripts, paged, searched, rebuilt. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisPerFile } from '../../test/support/per-file.ts';
import { connectionKeys } from '../store/keys.ts';
import { ResourceStore } from '../store/resource-store.ts';
import type { ListQuery } from './list-index.ts';
import { ProvisioningStore } from './state.ts';

const redis = redisPerFile();
const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

let n = 0;
function stores() {
  const prefix = `li${++n}`;
  return { prefix, resources: new ResourceStore(redis.client, prefix), provisioning: new ProvisioningStore(redis.client, prefix) };
}

async function createUser(s: ReturnType<typeof stores>, id: string, email: string, name?: { givenName: string; familyName: string }) {
  const resource = { id, schemas: [SCHEMA], userName: email, ...(name ? { name } : {}) };
  await s.resources.create('c1', 'User', resource, { bump: [{ id, key: connectionKeys(s.prefix, 'c1').prov(id), fields: ['userName', email] }] });
}

const outcome = (extra: { ok: boolean } & Record<string, unknown>) => ({ generation: 1, runId: 'run-x', at: new Date().toISOString(), ...extra });
const q = (extra: Partial<ListQuery> = {}): ListQuery => ({ sort: 'email', dir: 'asc', group: '*', offset: 0, limit: 10, ...extra });

test('the list follows changes and runs: sorted by email, name, state and last change, paged, per group', async () => {
  const s = stores();
  await createUser(s, 'u1', 'cy@example.com', { givenName: 'Cy', familyName: 'Young' });
  await createUser(s, 'u2', 'Ann@example.com', { givenName: 'Zoe', familyName: 'Ann' });
  await createUser(s, 'u3', 'bob@example.com');
  await createUser(s, 'u4', 'dee@example.com', { givenName: 'Abe', familyName: 'Dee' });
  const list = await s.provisioning.listIndex('c1');
  assert.deepEqual((await list.page('c1', q())).ids, ['u2', 'u3', 'u1', 'u4']);
  assert.deepEqual((await list.page('c1', q({ dir: 'desc' }))).ids, ['u4', 'u1', 'u3', 'u2']);
  // By name; a user without one comes last.
  assert.deepEqual((await list.page('c1', q({ sort: 'name' }))).ids, ['u4', 'u1', 'u2', 'u3']);
  // Created in this order: last change oldest first.
  assert.deepEqual((await list.page('c1', q({ sort: 'changed' }))).ids, ['u1', 'u2', 'u3', 'u4']);
  assert.deepEqual(await list.page('c1', q({ offset: 1, limit: 2 })), { ids: ['u3', 'u1'], total: 4 });
  assert.deepEqual(await list.page('c1', q({ dir: 'desc', offset: 1, limit: 2 })), { ids: ['u1', 'u3'], total: 4 });
  assert.deepEqual(await list.page('c1', q({ dir: 'desc', offset: 3, limit: 5 })), { ids: ['u2'], total: 4 });
  assert.deepEqual(await list.page('c1', q({ offset: 4 })), { ids: [], total: 4 });

  await s.provisioning.recordRun('c1', 'u1', outcome({ ok: true }));
  await s.provisioning.recordRun('c1', 'u3', outcome({ ok: false, error: 'timeout', reason: 'timeout', final: false }));
  await s.provisioning.recordRun('c1', 'u4', outcome({ ok: false, error: 'no seats', reason: 'seat_limit', final: true }));
  assert.deepEqual((await list.page('c1', q({ group: 'retrying' }))).ids, ['u3']);
  assert.deepEqual((await list.page('c1', q({ group: 'pending' }))).ids, ['u2', 'u3']);
  assert.deepEqual((await list.page('c1', q({ group: 'pending', dir: 'desc', limit: 1 }))).ids, ['u3']);
  assert.deepEqual((await list.page('c1', q({ sort: 'state', dir: 'desc', offset: 1, limit: 2 }))).ids, ['u2', 'u1']);
  assert.equal(await list.count('c1', 'failed'), 1);
  // By state (failed, in_sync, pending, removed), then email.
  assert.deepEqual((await list.page('c1', q({ sort: 'state' }))).ids, ['u4', 'u1', 'u2', 'u3']);
  assert.deepEqual((await list.page('c1', q({ sort: 'changed', dir: 'desc', limit: 3 }))).ids, ['u4', 'u3', 'u1']);

  // A success ends the retrying; a new userName re-sorts the user and leaves no old member behind.
  await s.provisioning.recordRun('c1', 'u3', outcome({ ok: true }));
  assert.equal(await list.count('c1', 'retrying'), 0);
  await s.resources.update('c1', 'User', 'u3', (current) => ({
    resource: { ...current.resource, userName: 'zed@example.com' },
    effects: { bump: [{ id: 'u3', key: connectionKeys(s.prefix, 'c1').prov('u3'), fields: ['userName', 'zed@example.com'] }] },
  }));
  assert.deepEqual((await list.page('c1', q())).ids, ['u2', 'u1', 'u4', 'u3']);
  assert.equal(await redis.client.zcard(`${connectionKeys(s.prefix, 'c1').base}:prov-list:email`), 4 * 2 + 0);

  await s.provisioning.forget('c1', 'u2');
  assert.deepEqual((await list.page('c1', q())).ids, ['u1', 'u4', 'u3']);
});

test('search finds users by the start of their email or name, or by id, then sorts and pages them', async () => {
  const s = stores();
  await createUser(s, 'id-1', 'annika@example.com');
  await createUser(s, 'id-2', 'lee@example.org', { givenName: 'Ann', familyName: 'Lee' });
  await createUser(s, 'id-3', 'bob@example.com', { givenName: 'Bob', familyName: 'Annan' });
  await createUser(s, 'id-4', 'joann@example.com');
  const list = await s.provisioning.listIndex('c1');
  assert.deepEqual(await list.search('c1', 'ANN', q()), { ids: ['id-1', 'id-2'], total: 2 });
  assert.deepEqual((await list.search('c1', 'ann', q({ sort: 'name' }))).ids, ['id-2', 'id-1']);
  assert.deepEqual(await list.search('c1', 'bob', q({ dir: 'desc', limit: 1 })), { ids: ['id-3'], total: 1 });
  assert.deepEqual((await list.search('c1', 'id-4', q())).ids, ['id-4']);
  assert.deepEqual((await list.search('c1', 'nobody', q())).ids, []);
  assert.deepEqual((await list.search('c1', 'ann', q({ group: 'failed' }))).ids, []);
});

test('a Redis written before the list existed gets it built once, with each user\'s last change', async () => {
  const s = stores();
  await createUser(s, 'a', 'a@example.com');
  await createUser(s, 'b', 'b@example.com');
  const base = connectionKeys(s.prefix, 'c1').base;
  await redis.client.del(`${base}:prov-list:email`, `${base}:prov-list:name`, `${base}:prov-list:changed`);
  for (const id of ['a', 'b']) await redis.client.hdel(connectionKeys(s.prefix, 'c1').prov(id), 'listKeys');
  await redis.client.hset(connectionKeys(s.prefix, 'c1').prov('a'), 'changedAt', '2026-01-02T00:00:00.000Z');
  const fresh = new ProvisioningStore(redis.client, s.prefix);
  const list = await fresh.listIndex('c1');
  assert.deepEqual((await list.page('c1', q())).ids, ['a', 'b']);
  const keys = await list.keysOf('c1', ['a']);
  assert.equal(new Date(Number(keys.get('a')!.c)).toISOString(), '2026-01-02T00:00:00.000Z');
});
