/**
 * The whole stack for console tests: a real Redis, the UXPin sandbox, the real converge worker in
 * real Chromium, and the gateway (SCIM, admin API, console, /metrics) listening on a free port.
 * Wired by bin/compose.ts, as `npm start` is (evidence reader, metrics, Bull Board queue).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import type { PromMetrics } from '../../api/metrics/index.ts';
import { compose } from '../../bin/compose.ts';
import { uxpin } from '../../connectors/uxpin/index.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import type { ConnectorDefinition } from '../../core/connector.ts';
import { createLogger } from '../../core/logger.ts';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { RunStore } from '../../core/runs/store.ts';
import type { CoreServices } from '../../core/services.ts';
import type { RunningWorker } from '../../runner/worker.ts';
import { startUxpinSandbox, type UxpinSandbox } from '../sandboxes/uxpin/index.ts';
import type { TestRedis } from '../support/redis.ts';

export const ADMIN_TOKEN = `admin-${randomBytes(16).toString('hex')}`;

export interface Stack {
  url: string;
  app: FastifyInstance;
  config: Config;
  redis: Redis;
  core: CoreServices;
  runs: RunStore;
  worker: RunningWorker;
  sandbox: UxpinSandbox;
  prom: PromMetrics;
  close(): Promise<void>;
}

export async function startStack(server: TestRedis, browser: Browser, options: { seatLimit?: number } = {}): Promise<Stack> {
  const recordingsDir = mkdtempSync(join(tmpdir(), 'scimwright-console-rec-'));
  const config = loadConfig({}, {
    redisPrefix: `t${randomBytes(4).toString('hex')}`, adminToken: ADMIN_TOKEN, recordingsDir, logLevel: 'silent', port: 0,
  });
  const logger = createLogger({ level: 'silent' });
  const redis = new Redis(server.url, { maxRetriesPerRequest: 3 });
  const sandbox = await startUxpinSandbox({ seatLimit: options.seatLimit ?? Number.POSITIVE_INFINITY });
  const composed = await compose({
    config, redis, logger, processMetrics: false, registry: [uxpin as unknown as ConnectorDefinition],
    worker: { sessions: { browser }, sweep: false, timing: { attempts: 2, backoff: { baseMs: 100, maxMs: 300 } } },
  });
  const { app, core, runs, prom } = composed;
  const worker = composed.worker!;
  const url = await composed.listen(0, '127.0.0.1');
  return {
    url, app, config, redis, core, runs, worker, sandbox, prom,
    async close() {
      await composed.close();
      await sandbox.stop();
      await redis.quit();
      rmSync(recordingsDir, { recursive: true, force: true });
    },
  };
}

/** Creates the UXPin connection through the admin API; returns its SCIM bearer token. */
export async function addUxpinConnection(stack: Stack, id: string): Promise<string> {
  const res = await fetch(`${stack.url}/admin/v1/connections`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id, connector: 'uxpin', baseUrl: stack.sandbox.url,
      credentials: { email: stack.sandbox.admin.email, password: stack.sandbox.admin.password },
      settings: { defaultRole: 'Collaborator', app: { actionTimeoutMs: 5000 } },
    }),
  });
  if (res.status !== 201) throw new Error(`create connection: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function scim(stack: Stack, token: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.url}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

export async function createScimUser(stack: Stack, token: string, connectionId: string, email: string): Promise<string> {
  const res = await scim(stack, token, 'POST', `/scim/v2/${connectionId}/Users`, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, active: true,
    name: { givenName: email.split('@')[0], familyName: 'Tester' },
  });
  if (res.status !== 201) throw new Error(`SCIM create ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Waits (up to a limit, not a timing assertion) until the user's latest change is done or failed. */
export async function settled(stack: Stack, connectionId: string, userId: string, timeoutMs = 60_000): Promise<ProvisioningState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await stack.core.directory.provisioning.get(connectionId, userId);
    const done = state && ((state.state === 'in_sync' || state.state === 'removed') && state.appliedGeneration === state.generation);
    if (state && (done || state.state === 'failed')) {
      const [run] = await stack.runs.list(connectionId, { userId, limit: 1 });
      if (run && run.status !== 'running') return state;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${userId} to settle: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
