/**
 * One chaos run (issue 17): the gateway and two standalone workers as real processes on a real
 * Redis, driving the UXPin sandbox (20 % failures, before and after the change, 1-minute sessions,
 * TOTP) while Okta and Entra traffic flows; meanwhile workers are SIGKILLed (with their Chromium)
 * mid-job, Redis is SIGKILLed and restarted on the same AOF, and the sandbox is restarted.
 * Judged only from outside: the sandbox's final team and the SCIM API (verdict.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret } from 'otpauth';
import { freePort } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import type { StartedProcess } from '../platform/start-process.ts';
import { killTree, RedisProcess, spawnGateway, spawnWorker, stopGracefully, type AppEnv, type Fsync } from './processes.ts';
import { SandboxHost } from './sandbox-host.ts';
import { Gate, ScimClient } from './scim-client.ts';
import { DEFAULT_ROLE, ROLE_MAP, Traffic } from './traffic.ts';
import { converged, judge, lostAcrossRedisKill, type ChaosFigures } from './verdict.ts';

export interface ChaosOptions {
  users: number;
  fsync: Fsync;
  /** How long the IdP traffic lasts. */
  durationMs: number;
  workers?: number;
  workerKills?: number;
  /** Longest wait for convergence after the last write. */
  convergeLimitMs?: number;
  log?: (line: string) => void;
}

/** Members the gateway does not manage: they must be there, unchanged, at the end. */
const SEEDED = [
  { email: 'seeded.admin@example.org', name: 'Seeded Admin', role: 'Admin', status: 'active' },
  { email: 'seeded.dev@example.org', name: 'Seeded Dev', role: 'Developer', status: 'pending' },
] as const;

interface Running {
  app: AppEnv;
  origin: string;
  gateway: StartedProcess;
  workers: StartedProcess[];
  redis: RedisProcess;
  sandbox: SandboxHost;
  base: string;
  token: string;
  connectionId: string;
}

async function startAll(options: ChaosOptions, dir: string): Promise<Running> {
  const redis = new RedisProcess(await freePort(), join(dir, 'redis'), options.fsync);
  await import('node:fs').then((fs) => fs.mkdirSync(redis.dir, { recursive: true }));
  await redis.start();
  const sandbox = await SandboxHost.start({
    failureRate: 0.2, failureTiming: 'before', sessionLifetimeMs: 60_000, totpSecret: new Secret({ size: 20 }).base32,
    seed: SEEDED.map((m) => ({ ...m })), rngSeed: 17,
  });
  const app: AppEnv = {
    redisUrl: redis.url, secretKey: randomBytes(32).toString('base64'), adminToken: `chaos-admin-${randomBytes(16).toString('hex')}`,
    dataDir: join(dir, 'data'), recordingsDir: join(dir, 'recordings'),
  };
  const gateway = spawnGateway(app, await freePort());
  const origin = await gateway.ready();
  const connectionId = 'chaos';
  const res = await fetch(`${origin}/admin/v1/connections`, {
    method: 'POST', headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: connectionId, connector: 'uxpin', baseUrl: sandbox.url,
      credentials: { email: sandbox.sandbox.admin.email, password: sandbox.sandbox.admin.password, totpSecret: sandbox.sandbox.knobs.totpSecret },
      settings: { defaultRole: DEFAULT_ROLE, roleMap: ROLE_MAP },
    }),
  });
  if (res.status !== 201) throw new Error(`connection not created: ${res.status} ${await res.text()}`);
  const { token, scimBaseUrl } = (await res.json()) as { token: string; scimBaseUrl: string };
  const workers = await Promise.all(Array.from({ length: options.workers ?? 2 }, () => spawnWorker(app)));
  return { app, origin, gateway, workers, redis, sandbox, base: scimBaseUrl, token, connectionId };
}

async function runningRuns(r: Running): Promise<Array<{ runId: string; worker: string }>> {
  const res = await fetch(`${r.origin}/admin/v1/connections/${r.connectionId}/runs?status=running&limit=500`, {
    headers: { authorization: `Bearer ${r.app.adminToken}` }, signal: AbortSignal.timeout(10_000),
  }).catch(() => undefined);
  if (!res || res.status !== 200) return [];
  return ((await res.json()) as { runs: Array<{ runId: string; worker: string }> }).runs;
}

/** Every run of the connection counted by status and reason (e.g. "failed:screen_mismatch"): where the time went. */
async function runsByOutcome(r: Running): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let before = '';
  for (;;) {
    const res = await fetch(`${r.origin}/admin/v1/connections/${r.connectionId}/runs?limit=500${before ? `&before=${before}` : ''}`, {
      headers: { authorization: `Bearer ${r.app.adminToken}` },
    });
    const runs = ((await res.json()) as { runs: Array<{ runId: string; status: string; reason?: string }> }).runs;
    for (const run of runs) {
      const key = run.reason ? `${run.status}:${run.reason}` : run.status;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    if (runs.length < 500) return counts;
    before = runs.at(-1)!.runId;
  }
}

/** Waits for a run that one of our workers is running, SIGKILLs that worker and its Chromium, starts another. */
async function killWorkerMidJob(r: Running, log: (line: string) => void): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const run of await runningRuns(r)) {
      const pid = Number(run.worker.split(':').at(-1));
      const index = r.workers.findIndex((w) => w.proc.pid === pid);
      if (index < 0) continue;
      await killTree(r.workers[index]!);
      log(`kill -9 worker ${pid} (and its Chromium) during ${run.runId}`);
      r.workers[index] = await spawnWorker(r.app);
      return true;
    }
    await sleep(200);
  }
  return false;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[chaos] ${line}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'scimwright-chaos-'));
  const r = await startAll(options, dir);
  const gate = new Gate();
  const client = new ScimClient(r.base, r.token, gate);
  const traffic = new Traffic(client, { users: options.users, durationMs: options.durationMs });
  const chaos = { workerKills: 0, redisDownAt: 0, redisUpAt: 0, lostAcrossKill: { within1s: 0, older: 0, details: [] as string[] } };
  const started = Date.now();
  log(`${options.users} users, fsync ${options.fsync}, traffic for ${options.durationMs / 1000} s, sandbox ${r.sandbox.url}`);
  try {
    const flow = traffic.run();
    // Faults before and after the change, in turn.
    const flip = setInterval(() => r.sandbox.sandbox.setKnobs({ failureTiming: r.sandbox.sandbox.knobs.failureTiming === 'before' ? 'after' : 'before' }), 5_000);
    const at = (share: number) => sleep(Math.max(0, started + options.durationMs * share - Date.now()));
    const kills = options.workerKills ?? 4;
    const events: Array<[share: number, act: () => Promise<void>]> = [
      ...Array.from({ length: kills }, (_, k) => [0.9 * (k + 1) / (kills + 1), async () => {
        if (await killWorkerMidJob(r, log)) chaos.workerKills += 1;
      }] as [number, () => Promise<void>]),
      [0.5, async () => { Object.assign(chaos, await killRedis(r, traffic, client, gate, log)); }],
      [0.75, async () => {
        log('restarting the sandbox (sessions end, the team stays)');
        await r.sandbox.restart(2_000);
      }],
    ];
    const schedule = (async () => {
      for (const [share, act] of events.sort((a, b) => a[0] - b[0])) {
        await at(share);
        await act();
      }
    })();
    await Promise.all([flow, schedule]);
    clearInterval(flip);
    log(`traffic done (${client.exchanges.length} requests); waiting for convergence`);
    const convergedAt = await waitFor(async () => (await converged(r.sandbox, traffic, SEEDED) && (await runningRuns(r)).length === 0) ? Date.now() : undefined,
      () => 'the sandbox to match every user\'s desired state', options.convergeLimitMs ?? 600_000, 1_000).catch(() => undefined);
    const result = await judge({
      options, traffic, client, sandbox: r.sandbox, seeded: SEEDED, chaos, convergedAt,
      runningAfter: (await runningRuns(r)).length, startedAt: started,
    });
    return { ...result, figures: { ...result.figures, runsByOutcome: JSON.stringify(await runsByOutcome(r)) } };
  } finally {
    await Promise.all(r.workers.map((w) => stopGracefully(w)));
    await stopGracefully(r.gateway);
    await r.redis.stop();
    await r.sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * SIGKILL Redis with traffic flowing, keep it down ~3 s, start it on the same AOF; then, before
 * any new request, read every user back and compare with what was acknowledged before the kill.
 */
async function killRedis(r: Running, traffic: Traffic, client: ScimClient, gate: Gate, log: (line: string) => void) {
  const redisDownAt = Date.now();
  await r.redis.kill9();
  gate.close();
  log(`kill -9 redis (appendfsync ${r.redis.fsync})`);
  await sleep(3_000);
  await r.redis.start();
  await waitFor(async () => (await fetch(`${r.origin}/healthz`).catch(() => undefined))?.status === 200, 'the gateway healthy again', 60_000, 200);
  const redisUpAt = Date.now();
  log(`redis back and the gateway healthy after ${((redisUpAt - redisDownAt) / 1000).toFixed(1)} s`);
  // Answers still in flight from before the kill land now; let them, then read back.
  await sleep(2_000);
  const lostAcrossKill = await lostAcrossRedisKill(traffic, client.ungated(), redisDownAt);
  gate.open();
  return { redisDownAt, redisUpAt, lostAcrossKill };
}
