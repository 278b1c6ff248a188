/** The pending-change sweep and the drift scan on a real Redis, reading candidates from the state index. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settingsSchema } from '../core/connections/schema.ts';
import { ConnectionStore } from '../core/connections/store.ts';
import { createSecretBox } from '../core/crypto.ts';
import { ProvisioningStore } from '../core/provisioning/state.ts';
import { MemoryConvergeQueue } from '../core/queue.ts';
import { connectionKeys } from '../core/store/keys.ts';
import { ResourceStore } from '../core/store/resource-store.ts';
import { redisPerFile } from '../test/support/per-file.ts';
import { sweepOnce } from './sweep.ts';

const redis = redisPerFile();

/** The stores under `prefix`, with one connection c1. */
async function stores(prefix: string) {
  const connections = new ConnectionStore(redis.client, prefix, createSecretBox(Buffer.alloc(32, 7)));
  await connections.create({ id: 'c1', connector: 'test-app', baseUrl: 'http://127.0.0.1:9', credentials: { email: 'a@b.c', password: 'pw' }, settings: settingsSchema.parse({}) });
  return { resources: new ResourceStore(redis.client, prefix), provisioning: new ProvisioningStore(redis.client, prefix), connections };
}

test('the sweep re-enqueues changes left pending past staleMs; a drift scan adds users in sync', async () => {
  const prefix = 'sw';
  const { resources, provisioning, connections } = await stores(prefix);
  for (const id of ['waiting', 'done', 'failed']) {
    await resources.create('c1', 'User', { id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${id}@example.com` }, {
      bump: [{ id, key: connectionKeys(prefix, 'c1').prov(id) }],
    });
  }
  const at = new Date().toISOString();
  await provisioning.recordRun('c1', 'done', { generation: 1, ok: true, runId: 'r1', at, appliedEmail: 'done@example.com' });
  await provisioning.recordRun('c1', 'failed', { generation: 1, ok: false, runId: 'r2', at, error: 'refused', final: true });
  const deps = { connections, provisioning, queue: new MemoryConvergeQueue() };
  const ids = () => deps.queue.requests.splice(0).map((r) => r.userId).sort();

  assert.equal(await sweepOnce(deps, { staleMs: 60_000 }), 0, 'nothing has waited a minute yet');
  assert.deepEqual(ids(), []);
  assert.equal(await sweepOnce(deps, { staleMs: 60_000, now: Date.now() + 61_000 }), 1);
  assert.deepEqual(ids(), ['waiting']);
  assert.equal(await sweepOnce(deps, { staleMs: 60_000, now: Date.now() + 61_000, drift: true }), 2);
  assert.deepEqual(ids(), ['done', 'waiting']);
});

test('a sweep round that enqueues ten or more users of a connection asks their jobs to read the member list once', async () => {
  const prefix = 'sw2';
  const { resources, provisioning, connections } = await stores(prefix);
  const at = new Date().toISOString();
  for (let i = 0; i < 10; i++) {
    const id = `u${i}`;
    await resources.create('c1', 'User', { id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${id}@example.com` }, {
      bump: [{ id, key: connectionKeys(prefix, 'c1').prov(id) }],
    });
    await provisioning.recordRun('c1', id, { generation: 1, ok: true, runId: `r${i}`, at, appliedEmail: `${id}@example.com` });
  }
  const asked: string[] = [];
  const deps = { connections, provisioning, queue: new MemoryConvergeQueue(), snapshots: { request: async (id: string) => void asked.push(id) } };
  assert.equal(await sweepOnce(deps, { staleMs: 60_000 }), 0);
  assert.deepEqual(asked, [], 'nothing enqueued, nothing asked');
  assert.equal(await sweepOnce(deps, { staleMs: 60_000, drift: true }), 10);
  assert.deepEqual(asked, ['c1']);
});
