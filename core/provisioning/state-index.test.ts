/** The per-state user sets on a real Redis: kept by the save and record scripts, rebuilt for old data. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisPerFile } from '../../test/support/per-file.ts';
import { connectionKeys } from '../store/keys.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { stateSetPrefix } from './state-index.ts';
import { ProvisioningStore } from './state.ts';

const redis = redisPerFile();

let n = 0;
function stores() {
  const prefix = `si${++n}`;
  return { prefix, resources: new ResourceStore(redis.client, prefix), provisioning: new ProvisioningStore(redis.client, prefix) };
}

async function createUser(resources: ResourceStore, prefix: string, conn: string, id: string): Promise<void> {
  const resource = { id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${id}@example.com` };
  await resources.create(conn, 'User', resource, { bump: [{ id, key: connectionKeys(prefix, conn).prov(id), fields: ['userName', resource.userName] }] });
}

const outcome = (generation: number, extra: Record<string, unknown> = {}) => ({ generation, runId: 'run-x', at: new Date().toISOString(), ...extra });

test('changes and runs move users between the state sets; counts and lists read only those sets', async () => {
  const { prefix, resources, provisioning } = stores();
  for (const id of ['a', 'b', 'c', 'd']) await createUser(resources, prefix, 'c1', id);
  const index = await provisioning.stateIndex('c1');
  assert.deepEqual(await index.counts('c1'), { pending: 4, in_sync: 0, failed: 0, removed: 0 });

  await provisioning.recordRun('c1', 'a', { ...outcome(1), ok: true, appRole: 'Admin', appliedEmail: 'a@example.com' });
  await provisioning.recordRun('c1', 'b', { ...outcome(1), ok: false, error: 'no seats', reason: 'seat_limit', final: true });
  await provisioning.recordRun('c1', 'c', { ...outcome(1), ok: true, removed: true });
  await provisioning.recordRun('c1', 'd', { ...outcome(1), ok: false, error: 'timeout', final: false });
  assert.deepEqual(await index.counts('c1'), { pending: 1, in_sync: 1, failed: 1, removed: 1 });
  assert.deepEqual(await index.ids('c1', 'failed'), ['b']);
  assert.deepEqual(await index.ids('c1', 'pending'), ['d']);

  // A retried pending change keeps the time it arrived: it can still count as stuck.
  const [, arrived] = await redis.client.zrange(`${stateSetPrefix(prefix, 'c1')}pending`, '0', '-1', 'WITHSCORES');
  assert.ok(Number(arrived) > 0);
  assert.equal(await index.countBefore('c1', 'pending', Number(arrived) + 1), 1);
  assert.equal(await index.countBefore('c1', 'pending', Number(arrived)), 0);

  // A new change to a failed user makes them pending again, in one set only.
  await resources.update('c1', 'User', 'b', (current) => ({
    resource: { ...current.resource, title: 'x' }, effects: { bump: [{ id: 'b', key: connectionKeys(prefix, 'c1').prov('b') }] },
  }));
  assert.deepEqual(await index.counts('c1'), { pending: 2, in_sync: 1, failed: 0, removed: 1 });

  await provisioning.forget('c1', 'c');
  assert.deepEqual(await index.counts('c1'), { pending: 2, in_sync: 1, failed: 0, removed: 0 });
});

test('a Redis written before the index existed gets it built once, from the stored states', async () => {
  const { prefix, resources, provisioning } = stores();
  for (const id of ['a', 'b', 'c']) await createUser(resources, prefix, 'old', id);
  await provisioning.recordRun('old', 'a', { ...outcome(1), ok: true, appliedEmail: 'a@example.com' });
  await provisioning.recordRun('old', 'b', { ...outcome(1), ok: false, error: 'refused', reason: 'user_refused', final: true });
  // As an older scimwright left it: states in the hashes, no sets, no "built" marker.
  const sets = await redis.client.keys(`${stateSetPrefix(prefix, 'old')}*`);
  await redis.client.del(...sets);

  const fresh = new ProvisioningStore(redis.client, prefix);
  const index = await fresh.stateIndex('old');
  assert.deepEqual(await index.counts('old'), { pending: 1, in_sync: 1, failed: 1, removed: 0 });
  assert.deepEqual(await index.ids('old', 'failed'), ['b']);
  // Built once: a later change is kept by the scripts, not by another rebuild.
  await redis.client.del(`${stateSetPrefix(prefix, 'old')}failed`);
  assert.deepEqual(await (await new ProvisioningStore(redis.client, prefix).stateIndex('old')).ids('old', 'failed'), []);
});
