/** The drift-scan schedule on a real Redis with a test clock: due after driftScanHours, claimed once, off at 0. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { settingsSchema } from '../core/connections/schema.ts';
import { ConnectionStore } from '../core/connections/store.ts';
import { createSecretBox } from '../core/crypto.ts';
import { DriftStore } from '../core/drift/store.ts';
import { createLogger } from '../core/logger.ts';
import { redisPerFile } from '../test/support/per-file.ts';
import { startDriftScheduler } from './drift-scheduler.ts';
import { testConnector } from './test-connector/index.ts';

const shared = redisPerFile();
const HOUR = 1_000;

test('scans fall due driftScanHours after the last scan (default 24), once per claim, never at 0', async (t) => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const connections = new ConnectionStore(shared.client, prefix, createSecretBox(randomBytes(32)));
  const add = (id: string, settings: Record<string, unknown> = {}) => connections.create({
    id, connector: 'test-app', baseUrl: 'http://app.test', credentials: { email: 'a@app.test', password: 'password-1' }, settings: settingsSchema.parse(settings),
  });
  let now = 1_000_000;
  const asked: string[] = [];
  const scheduler = startDriftScheduler({
    redis: shared.client, prefix, connections, connectors: new Map([['test-app', testConnector]]), logger: createLogger({ level: 'silent' }),
  }, { enqueueDriftScan: async (id) => void asked.push(id) }, { hourMs: HOUR, now: () => now, intervalMs: 3_600_000 });
  t.after(() => scheduler.stop());
  await add('daily');
  await add('hourly', { driftScanHours: 1 });
  await add('off', { driftScanHours: 0 });
  assert.deepEqual(await scheduler.tick(), [], 'a connection first seen is not scanned at once');
  now += HOUR;
  assert.deepEqual(await scheduler.tick(), ['hourly']);
  assert.deepEqual(await scheduler.tick(), [], 'claimed: not asked twice while the scan waits');
  await new DriftStore(shared.client, prefix).recordScan('hourly', { runId: 'run-x', at: new Date(now).toISOString(), members: 0, repaired: 0, drafts: [] });
  now += 23 * HOUR;
  assert.deepEqual((await scheduler.tick()).sort(), ['daily', 'hourly']);
  assert.ok(!asked.includes('off'));
});
