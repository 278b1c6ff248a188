/**
 * An existing single-Redis deployment keeps its data across the hash-tag key layout: a gateway's
 * data is written, every key is put back under its layout-1 name (as the release before tags
 * named it), and after the start-up migration the SCIM API, the audit log and the connection's
 * token read as before. Jobs left under the old BullMQ prefix are moved to the new one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Queue } from 'bullmq';
import { upgradeKeyLayout } from '../../bin/key-layout.ts';
import { createLogger } from '../../core/logger.ts';
import { migrateKeyLayout, newKeyName } from '../../core/platform/key-layout.ts';
import { bullPrefix, KEY_LAYOUT_VERSION, layoutKey } from '../../core/store/keys.ts';
import { QUEUE_NAME } from '../../runner/jobs.ts';
import { createConnection, type TestGateway } from '../support/gateway.ts';
import { gatewayPerFile } from '../support/per-file.ts';

const shared = gatewayPerFile();

/** The layout-1 name of a key as the release before hash tags built it (written out, not derived from the migration's rules). */
function layout1(prefix: string, key: string): string {
  const runIndex = new RegExp(`^\\{${prefix}\\}:runs:c:([a-z0-9-]+)(.*)$`).exec(key);
  if (runIndex) return `${prefix}:c:${runIndex[1]}:runs${runIndex[2]}`;
  const session = new RegExp(`^${prefix}:(console-session|console-reveal):\\{(\\w+)\\}$`).exec(key);
  if (session) return `${prefix}:${session[1]}:${session[2]}`;
  return key.replace(/^\{([^}]*)\}/, '$1');
}

async function everything(gw: TestGateway, base: string, auth: Record<string, string>) {
  const { app } = gw;
  const read = async (url: string) => (await app.inject({ method: 'GET', url, headers: auth })).json() as Record<string, unknown>;
  return { users: await read(`${base}/Users?count=50`), groups: await read(`${base}/Groups`), audit: (await app.inject({ method: 'GET', url: '/admin/v1/audit', headers: { authorization: `Bearer ${gw.config.adminToken}` } })).json() };
}

test('layout-1 keys are renamed at start and every read answers as before; a second start moves nothing', async () => {
  const { gw } = shared;
  const prefix = gw.config.redisPrefix;
  const conn = await createConnection(gw, 'acme');
  for (const name of ['ann', 'bob']) {
    const res = await gw.app.inject({ method: 'POST', url: `${conn.base}/Users`, headers: conn.auth, payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${name}@example.com` } });
    assert.equal(res.statusCode, 201, res.body);
  }
  const group = await gw.app.inject({ method: 'POST', url: `${conn.base}/Groups`, headers: conn.auth, payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Designers' } });
  assert.equal(group.statusCode, 201, group.body);
  const before = await everything(gw, conn.base, conn.auth);
  assert.equal((before.users as { totalResults: number }).totalResults, 2);

  const client = gw.redis;
  const current = (await client.keys(`*${prefix}*`)).sort();
  assert.ok(current.some((k) => k.startsWith(`{${prefix}:c:acme}:`)) && current.some((k) => k.startsWith(`{${prefix}}:`)));
  for (const key of current) {
    const old = layout1(prefix, key);
    if (old !== key) await client.rename(key, old);
    assert.equal(old === key ? undefined : newKeyName(prefix, old), old === key ? undefined : key, `the migration maps ${old} back to ${key}`);
  }
  const unmigrated = await gw.app.inject({ method: 'GET', url: `${conn.base}/Users`, headers: conn.auth });
  assert.equal(unmigrated.statusCode, 401, 'in layout 1 the token is not found: the test would fail without the migration');

  const first = await migrateKeyLayout(client, prefix);
  assert.deepEqual({ from: first.from, to: first.to }, { from: 1, to: KEY_LAYOUT_VERSION });
  assert.ok(first.renamed > 0);
  assert.deepEqual((await client.keys(`*${prefix}*`)).sort(), [...current, layoutKey(prefix)].sort(), 'every key has its new name back');
  assert.deepEqual(await everything(gw, conn.base, conn.auth), before);
  assert.deepEqual(await migrateKeyLayout(client, prefix), { from: KEY_LAYOUT_VERSION, to: KEY_LAYOUT_VERSION, renamed: 0 });
});

test('jobs waiting under the old BullMQ prefix are moved to the hash-tagged one at start', async () => {
  const { gw } = shared;
  const prefix = 'oldq';
  const connection = gw.redis.duplicate({ maxRetriesPerRequest: null });
  const old = new Queue(QUEUE_NAME, { connection, prefix: `${prefix}:bull` });
  await old.add('converge', { connectionId: 'acme', userId: 'u1' }, { jobId: 'converge:acme:u1' });
  await old.add('converge', { connectionId: 'acme', userId: 'u2' }, { jobId: 'converge:acme:u2', delay: 3_600_000 });
  await old.close();
  await upgradeKeyLayout(gw.redis, prefix, createLogger({ level: 'silent' }));
  const moved = new Queue(QUEUE_NAME, { connection, prefix: bullPrefix(prefix) });
  try {
    const jobs = await moved.getJobs(['wait', 'prioritized', 'delayed']);
    assert.deepEqual(jobs.map((j) => j.id).sort(), ['converge:acme:u1', 'converge:acme:u2']);
    assert.deepEqual(jobs.find((j) => j.id === 'converge:acme:u2')?.data, { connectionId: 'acme', userId: 'u2' });
    assert.deepEqual(await gw.redis.keys(`${prefix}:bull:*`), [], 'the old queue is gone');
  } finally {
    await moved.close();
    connection.disconnect();
  }
});
