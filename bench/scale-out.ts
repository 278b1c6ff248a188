/**
 * Scale-out (issue 17): 4 connections, each to its own UXPin sandbox answering in 150 ms, and
 * SCALE_USERS new users (default 80, spread evenly) sent at once; the time until every sandbox
 * holds all of its users, with 1 worker process and with 2, alternating for SCALE_ROUNDS pairs
 * (default 2). Real processes: one Redis, the gateway (bin/start.ts) and test/chaos/worker-main.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Table } from './lib/report.ts';
import { RedisProcess, spawnGateway, spawnWorker, stopGracefully, type AppEnv } from '../test/chaos/processes.ts';
import { startUxpinSandbox, type UxpinSandbox } from '../test/sandboxes/uxpin/index.ts';
import { freePort } from '../test/support/redis.ts';
import { waitFor } from '../test/support/wait.ts';

const CONNECTIONS = 4;
const LATENCY_MS = 150;

interface Gateway { origin: string; app: AppEnv }

async function addConnection(gw: Gateway, id: string, sandbox: UxpinSandbox): Promise<{ base: string; token: string }> {
  const res = await fetch(`${gw.origin}/admin/v1/connections`, {
    method: 'POST', headers: { authorization: `Bearer ${gw.app.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, connector: 'uxpin', baseUrl: sandbox.url, credentials: { email: sandbox.admin.email, password: sandbox.admin.password } }),
  });
  if (res.status !== 201) throw new Error(`connection ${id}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string; scimBaseUrl: string };
  return { base: body.scimBaseUrl, token: body.token };
}

async function createUser(conn: { base: string; token: string }, email: string): Promise<void> {
  const res = await fetch(`${conn.base}/Users`, {
    method: 'POST', headers: { authorization: `Bearer ${conn.token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, active: true }),
  });
  if (res.status !== 201) throw new Error(`create ${email}: ${res.status} ${await res.text()}`);
}

/** One round: fresh sandboxes and connections, `workers` worker processes, all users sent, seconds until all are in their app. */
async function round(gw: Gateway, workers: number, users: number, label: string): Promise<number> {
  const sandboxes = await Promise.all(Array.from({ length: CONNECTIONS }, () => startUxpinSandbox({ latencyMs: LATENCY_MS })));
  const procs = await Promise.all(Array.from({ length: workers }, () => spawnWorker(gw.app)));
  try {
    const conns = await Promise.all(sandboxes.map((s, i) => addConnection(gw, `so-${label}-${i}`, s)));
    const emails = (i: number) => Array.from({ length: users / CONNECTIONS }, (_, u) => `so-${label}-${i}-${u}@example.org`);
    const started = performance.now();
    await Promise.all(conns.map((c, i) => Promise.all(emails(i).map((e) => createUser(c, e)))));
    await waitFor(async () => sandboxes.every((s, i) => emails(i).every((e) => s.state.find(e))),
      () => `all users of round ${label} in their apps`, 20 * 60_000, 200);
    return (performance.now() - started) / 1000;
  } finally {
    await Promise.all(procs.map((p) => stopGracefully(p)));
    await Promise.all(sandboxes.map((s) => s.stop()));
  }
}

export async function benchScaleOut(): Promise<Record<string, unknown>> {
  const users = Math.max(CONNECTIONS, Math.round(Number(process.env.SCALE_USERS ?? 80) / CONNECTIONS) * CONNECTIONS);
  const pairs = Number(process.env.SCALE_ROUNDS ?? 2);
  const dir = mkdtempSync(join(tmpdir(), 'scimwright-scale-'));
  mkdirSync(join(dir, 'redis'));
  const redis = new RedisProcess(await freePort(), join(dir, 'redis'), 'everysec');
  await redis.start();
  const app: AppEnv = {
    redisUrl: redis.url, secretKey: randomBytes(32).toString('base64'), adminToken: `scale-admin-${randomBytes(16).toString('hex')}`,
    dataDir: join(dir, 'data'), recordingsDir: join(dir, 'recordings'),
  };
  const gateway = spawnGateway(app, await freePort());
  try {
    const gw = { origin: await gateway.ready(), app };
    const seconds: Record<1 | 2, number[]> = { 1: [], 2: [] };
    for (let p = 0; p < pairs; p++) {
      for (const workers of [1, 2] as const) seconds[workers].push(await round(gw, workers, users, `${p}w${workers}`));
    }
    const mean = (xs: number[]) => Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1));
    const one = mean(seconds[1]);
    const two = mean(seconds[2]);
    const table: Table = {
      title: `Scale-out: ${users} new users over ${CONNECTIONS} connections (sandboxes at ${LATENCY_MS} ms a request)`,
      columns: ['worker processes', 'rounds', 'seconds to converge (each round)', 'mean s', 'users/s'],
      rows: [
        [1, seconds[1].length, seconds[1].map((s) => s.toFixed(1)).join(', '), one, users / one],
        [2, seconds[2].length, seconds[2].map((s) => s.toFixed(1)).join(', '), two, users / two],
      ],
      note: `Speed-up 2 workers / 1 worker: ${(one / two).toFixed(2)}×. Rounds alternate 1, 2, 1, 2 … in one run, each with fresh sandboxes ` +
        'and connections; time from the first SCIM POST until every sandbox holds all its users (invites are batched per connection). ' +
        'Each worker runs one browser job at a time (SCIMWRIGHT_WORKER_CONCURRENCY=1).',
    };
    return { users, connections: CONNECTIONS, oneWorkerSeconds: seconds[1], twoWorkerSeconds: seconds[2], speedUp: Number((one / two).toFixed(2)), tables: [table] };
  } finally {
    await stopGracefully(gateway);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
