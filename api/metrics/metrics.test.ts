/** GET /metrics: open by default, behind a bearer token when SCIMWRIGHT_METRICS_TOKEN is set. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startGateway, type TestGateway } from '../../test/support/gateway.ts';
import { startRedis, type TestRedis } from '../../test/support/redis.ts';

const TOKEN = 'metrics-token-0123456789abcdef';
let redis: TestRedis;
let open: TestGateway;
let guarded: TestGateway;

before(async () => {
  redis = await startRedis();
  [open, guarded] = await Promise.all([startGateway(redis.url), startGateway(redis.url, { metricsToken: TOKEN })]);
});
after(async () => {
  await open?.close();
  await guarded?.close();
  await redis?.stop();
});

test('without a metrics token /metrics answers anyone', async () => {
  const res = await open.app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /scimwright_scim_requests_total/);
});

test('with a metrics token /metrics wants exactly that bearer token, and says so', async () => {
  for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
    const res = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
    assert.equal(res.statusCode, 401, String(authorization));
    assert.match(res.headers['www-authenticate'] as string, /^Bearer/);
    assert.doesNotMatch(res.body, new RegExp(TOKEN));
  }
  const ok = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.statusCode, 200);
  assert.match(ok.body, /scimwright_scim_requests_total/);
});

test('a metrics token shorter than 24 characters stops start-up, naming the variable', async () => {
  const { loadConfig } = await import('../../core/config.ts');
  assert.throws(() => loadConfig({ SCIMWRIGHT_METRICS_TOKEN: 'short' }), /SCIMWRIGHT_METRICS_TOKEN/);
});

test('run outcomes carry the connection and the reason; build info names the version', async () => {
  const { createPromMetrics } = await import('./prom.ts');
  const { reportRun } = await import('../../core/metrics.ts');
  const prom = createPromMetrics({ processMetrics: false });
  const base = { runId: 'r', jobId: 'j', attempt: 1, worker: 'w', startedAt: '2026-12-01T19:52:00.000Z', endedAt: '2026-12-01T19:52:02.000Z' };
  reportRun(prom.metrics, { ...base, connectionId: 'acme', status: 'failed', reason: 'dns', action: 'invite' } as never, 'uxpin');
  reportRun(prom.metrics, { ...base, connectionId: 'beta', status: 'succeeded', action: 'invite' } as never, 'uxpin');
  const text = await prom.registry.metrics();
  assert.match(text, /scimwright_runs_total\{connection="acme",connector="uxpin",status="failed",reason="dns"\} 1/);
  assert.match(text, /scimwright_runs_total\{connection="beta",connector="uxpin",status="succeeded",reason="none"\} 1/);
  assert.match(text, /scimwright_build_info\{version="\d+\.\d+\.\d+[^"]*",node="v\d+[^"]*"\} 1/);
});
