/**
 * The whole stack in one process for end-to-end tests and the UXPin bench: a real Redis (the
 * caller's), the gateway listening on a free port, the real converge worker in real Chromium and
 * the UXPin sandbox. Wired by bin/compose.ts, as `npm start` is; worker timings, the browser and
 * the sandbox's knobs are the caller's to choose. Talks to the gateway over HTTP, as an IdP would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { compose } from '../../bin/compose.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { RunStore } from '../../core/runs/store.ts';
import type { CoreServices } from '../../core/services.ts';
import type { RunningWorker, WorkerTiming } from '../../runner/worker.ts';
import { startUxpinSandbox, type UxpinSandbox, type UxpinSandboxOptions } from '../sandboxes/uxpin/index.ts';

export const PROVISIONING = 'urn:scimwright:params:scim:schemas:extension:provisioning:2.0:User';
export const STACK_ADMIN_TOKEN = `admin-${randomBytes(16).toString('hex')}`;

export interface StackOptions {
  /** URL of a Redis the caller started (test/support/redis.ts). */
  redisUrl: string;
  /** A browser to share and never close; without one the worker launches its own, as in production. */
  browser?: Browser;
  sandbox?: UxpinSandboxOptions;
  /** Worker timings; the worker's defaults when absent. */
  timing?: WorkerTiming;
  workerConcurrency?: number;
  /** Most users per batch invite; 1 turns batching off (the worker's default when absent). */
  inviteBatchLimit?: number;
  logLevel?: Config['logLevel'];
}

export interface Stack {
  /** Origin of the gateway, e.g. http://127.0.0.1:41234. */
  url: string;
  app: FastifyInstance;
  config: Config;
  redis: Redis;
  core: CoreServices;
  runs: RunStore;
  worker: RunningWorker;
  sandbox: UxpinSandbox;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const recordingsDir = mkdtempSync(join(tmpdir(), 'scimwright-e2e-rec-'));
  const config = loadConfig({}, {
    redisPrefix: `e${randomBytes(4).toString('hex')}`, adminToken: STACK_ADMIN_TOKEN, recordingsDir, dataDir: recordingsDir,
    logLevel: options.logLevel ?? 'silent', port: 0, workerConcurrency: options.workerConcurrency ?? 1,
  });
  const logger = createLogger({ level: config.logLevel });
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  const sandbox = await startUxpinSandbox(options.sandbox);
  const composed = await compose({
    config, redis, logger, processMetrics: false,
    worker: { sweep: false, ...(options.browser ? { sessions: { browser: options.browser } } : {}), ...(options.timing ? { timing: options.timing } : {}),
      ...(options.inviteBatchLimit ? { inviteBatchLimit: options.inviteBatchLimit } : {}) },
  });
  const { app, core, runs, worker } = composed;
  const url = await composed.listen(0, '127.0.0.1');
  let closing: Promise<void> | undefined;
  return {
    url, app, config, redis, core, runs, worker: worker!, sandbox,
    close: () => (closing ??= (async () => {
      await composed.close();
      await sandbox.stop();
      await redis.quit().catch(() => redis.disconnect());
      rmSync(recordingsDir, { recursive: true, force: true });
    })()),
  };
}

export interface ScimConnection {
  id: string;
  /** SCIM base URL, e.g. http://127.0.0.1:41234/scim/v2/acme. */
  base: string;
  token: string;
  stack: Stack;
}

export interface ConnectionInput {
  id?: string;
  /** Connection settings (defaultRole, roleMap, groupRoleMap, app …). */
  settings?: Record<string, unknown>;
}

/** Creates a UXPin connection to the stack's sandbox through the admin API (TOTP when the sandbox asks). */
export async function addUxpinConnection(stack: Stack, input: ConnectionInput = {}): Promise<ScimConnection> {
  const { sandbox } = stack;
  const id = input.id ?? `ux-${randomBytes(3).toString('hex')}`;
  const res = await fetch(`${stack.url}/admin/v1/connections`, {
    method: 'POST', headers: { authorization: `Bearer ${STACK_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id, connector: 'uxpin', baseUrl: sandbox.url,
      credentials: {
        email: sandbox.admin.email, password: sandbox.admin.password,
        ...(sandbox.knobs.totpSecret ? { totpSecret: sandbox.knobs.totpSecret } : {}),
      },
      settings: { defaultRole: 'Collaborator', ...input.settings },
    }),
  });
  if (res.status !== 201) throw new Error(`create connection: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string; scimBaseUrl: string };
  return { id, base: body.scimBaseUrl, token: body.token, stack };
}

export interface ScimAnswer {
  status: number;
  body: Record<string, any>;
  headers: Headers;
}

/** One SCIM request as an IdP sends it; `path` is below the connection's base URL. */
export async function scim(conn: ScimConnection, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimAnswer> {
  const res = await fetch(`${conn.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${conn.token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {}, headers: res.headers };
}

/** The provisioning extension of a SCIM user as GET shows it. */
export type ProvisioningView = { state?: string; appRole?: string; lastError?: string; lastRun?: string };

/**
 * Polls GET /Users/{id} until `done` holds for its provisioning extension. Not a timing assertion:
 * `timeoutMs` only keeps a broken run from hanging the test, and the error says what was seen.
 */
export async function waitForUser(
  conn: ScimConnection, userId: string, done: (p: ProvisioningView) => boolean, timeoutMs = 90_000,
): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await scim(conn, 'GET', `/Users/${userId}`);
    const view = (res.body[PROVISIONING] ?? {}) as ProvisioningView;
    if (res.status === 200 && done(view) && (await settledRun(conn, userId))) return res.body;
    if (Date.now() > deadline) throw new Error(`user ${userId}: gave up waiting; last answer ${res.status} ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/**
 * The user's state once their newest change is done with: applied, or failed for good (a run of
 * the current generation that will not be retried). Undefined while anything is still to come.
 */
export async function settledRun(conn: ScimConnection, userId: string): Promise<ProvisioningState | undefined> {
  const state = await conn.stack.core.directory.provisioning.get(conn.id, userId);
  if (!state) return undefined;
  const [run] = await conn.stack.runs.list(conn.id, { userId, limit: 1 });
  if (!run || run.status === 'running') return undefined;
  if (state.state === 'failed') return run.status === 'failed' && run.generation === state.generation ? state : undefined;
  const applied = (state.state === 'in_sync' || state.state === 'removed') && state.appliedGeneration === state.generation;
  return applied ? state : undefined;
}

/** Waits until no job is waiting, delayed or running, so the evidence trail is quiet for verification. */
export async function queueDrained(stack: Stack, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const queue = stack.worker.queue.queue;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children');
    if (Object.values(counts).every((n) => n === 0)) return;
    if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
