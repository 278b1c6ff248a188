/** The canary-check schedule and the attention streak, on a real Redis with a test clock. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { ConnectorDefinition } from '../core/connector.ts';
import { HealthStore } from '../core/connections/health.ts';
import { settingsSchema } from '../core/connections/schema.ts';
import { ConnectionStore } from '../core/connections/store.ts';
import { createSecretBox } from '../core/crypto.ts';
import { createLogger } from '../core/logger.ts';
import { redisPerFile } from '../test/support/per-file.ts';
import { startCheckScheduler } from './check-scheduler.ts';
import { testConnector } from './test-connector/index.ts';

const shared = redisPerFile();
const HOUR = 1_000;

async function setup() {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const connections = new ConnectionStore(shared.client, prefix, createSecretBox(randomBytes(32)));
  const withCheck = { ...testConnector, operations: { ...testConnector.operations, check: async () => ({ observations: [] }) } } as ConnectorDefinition;
  const add = (id: string, settings: Record<string, unknown> = {}) => connections.create({
    id, connector: 'test-app', baseUrl: 'http://app.test', credentials: { email: 'a@app.test', password: 'pw' }, settings: settingsSchema.parse(settings),
  });
  const asked: string[] = [];
  let now = 1_000_000;
  const scheduler = startCheckScheduler({
    redis: shared.client, prefix, connections, connectors: new Map([['test-app', withCheck]]), logger: createLogger({ level: 'silent' }),
  }, { enqueueCheck: async (id) => void asked.push(id) }, { hourMs: HOUR, now: () => now, intervalMs: 3_600_000 });
  return { prefix, add, asked, scheduler, health: new HealthStore(shared.client, prefix), advance: (ms: number) => (now += ms), at: () => now };
}

test('checks fall due checkIntervalHours after the last check (default 24), never when the setting is 0', async (t) => {
  const s = await setup();
  t.after(() => s.scheduler.stop());
  await s.add('daily');
  await s.add('hourly', { checkIntervalHours: 1 });
  await s.add('off', { checkIntervalHours: 0 });
  assert.deepEqual(await s.scheduler.tick(), [], 'a connection first seen is not checked at once');
  s.advance(HOUR);
  assert.deepEqual(await s.scheduler.tick(), ['hourly']);
  assert.deepEqual(await s.scheduler.tick(), [], 'claimed: not asked twice while the check waits');
  await s.health.recordCheck('hourly', { runId: 'run-x', at: new Date(s.at()).toISOString(), ok: true, observations: [] });
  s.advance(23 * HOUR);
  assert.deepEqual((await s.scheduler.tick()).sort(), ['daily', 'hourly']);
  assert.ok(!s.asked.includes('off'));
});

test('the attention streak counts one screen: another screen restarts it, a success ends it, the third in a row marks', async () => {
  const { health } = await setup();
  const miss = (screen: string, runId: string) => health.recordMismatch('c', { screen, missing: 'no row', runId, userId: runId });
  assert.equal(await miss('team page', 'r1'), 1);
  assert.equal(await miss('login', 'r2'), 1);
  assert.equal(await miss('login', 'r3'), 2);
  await health.clear('c');
  assert.equal(await miss('login', 'r4'), 1);
  assert.equal(await miss('login', 'r5'), 2);
  assert.equal(await health.attention('c'), undefined);
  assert.equal(await miss('login', 'r6'), 3);
  const marked = await health.attention('c');
  assert.equal(marked?.runId, 'r6');
  assert.equal(marked?.screen, 'login');
  assert.equal(await miss('login', 'r7'), 4);
  assert.equal((await health.attention('c'))?.runId, 'r6', 'the mark keeps the run that set it');
});
