/** A standalone worker's /metrics: runs and browser sessions counted, queue depth read, token asked for. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createLogger } from '../core/logger.ts';
import { launchChromium } from '../runner/browser/chromium.ts';
import { addConnection, createUser, settled, startApp, startFixture, type Fixture } from '../runner/test-connector/fixture.ts';
import { testConnector } from '../runner/test-connector/index.ts';
import { startWorker } from '../runner/worker.ts';
import { createWorkerMetrics, serveMetrics } from './worker-metrics.ts';

const TOKEN = 'worker-metrics-token-0123456789';
let browser: Browser;
let f: Fixture;
before(async () => {
  [browser, f] = await Promise.all([launchChromium(), startFixture()]);
});
after(async () => {
  await browser?.close();
  await f?.close();
});

test('a standalone worker serves its runs, sessions and queue depth at /metrics, behind the metrics token', async (t) => {
  const app = await startApp();
  await addConnection(f, 'acme', app);
  const metrics = createWorkerMetrics();
  const worker = await startWorker({
    redis: f.client, box: f.box, registry: [testConnector], logger: createLogger({ level: 'silent' }), queuePrefix: f.queuePrefix,
    config: { redisPrefix: f.prefix, recordingsDir: f.recordingsDir, workerConcurrency: 1 },
    sessions: { browser, onSession: metrics.onSession }, onRunEnd: metrics.onRunEnd, sweep: false,
  });
  metrics.attach(worker, (error) => assert.fail(String(error)));
  const server = await serveMetrics(metrics.prom, { host: '127.0.0.1', port: 0, token: TOKEN });
  t.after(async () => {
    await server.close();
    await worker.close();
    await app.close();
  });

  const userId = await createUser(f, 'acme', 'ann@example.test', 'Editor');
  await worker.queue.enqueue([{ connectionId: 'acme', userId }]);
  assert.equal((await settled(f, 'acme', userId)).state, 'in_sync');

  assert.equal((await fetch(server.url)).status, 401);
  assert.equal((await fetch(server.url.replace('/metrics', '/other'), { headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
  const res = await fetch(server.url, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /scimwright_job_duration_seconds_count\{connector="test-app",kind="converge",status="succeeded",action="invite"\} 1\b/);
  assert.match(text, /scimwright_browser_sessions_opened_total 1\b/);
  assert.match(text, /scimwright_queue_jobs\{state="waiting"\} 0\b/);
  assert.match(text, /scimwright_process_cpu_seconds_total/);
});
