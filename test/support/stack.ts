/**
 * The whole stack in one process for end-to-end, console and Spekit tests and the UXPin benches: a
 * real Redis (the caller's), the gateway listening on a free port, the real converge worker in real
 * Chromium, and (startStack) the UXPin sandbox. Wired by bin/compose.ts, as `npm start` is; worker timings, the browser and
 * the sandbox's knobs are the caller's to choose. Talks to the gateway over HTTP, as an IdP would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import type { Browser } from 'playwright-core';
import { compose } from '../../bin/compose.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { RunStore } from '../../core/runs/store.ts';
import type { CoreServices } from '../../core/services.ts';
import type { RunningWorker, WorkerTiming } from '../../runner/worker.ts';
import { settledState, waitFor, type SettleStores } from './wait.ts';
import { startUxpinSandbox, type UxpinSandbox, type UxpinSandboxOptions } from '../sandboxes/uxpin/index.ts';

export const PROVISIONING = 'urn:scimwright:params:scim:schemas:extension:provisioning:2.0:User';
export const STACK_ADMIN_TOKEN = `admin-${randomBytes(16).toString('hex')}`;

export interface GatewayStackOptions {
  /** URL of a Redis the caller started (test/support/redis.ts). */
  redisUrl: string;
  /** A browser to share and never close; without one the worker launches its own, as in production. */
  browser?: Browser;
  /** Worker timings; the worker's defaults when absent. */
  timing?: WorkerTiming;
  workerConcurrency?: number;
  /** Most users per batch invite; 1 turns batching off (the worker's default when absent). */
  inviteBatchLimit?: number;
  logLevel?: Config['logLevel'];
  /** Connectors to run (compose's registry); the shipped ones when absent. */
  registry?: Parameters<typeof compose>[0]['registry'];
  /** Where log lines go (e.g. an array a test searches); stdout when absent. */
  logTo?: DestinationStream;
}

/** The gateway and its embedded worker, without an app: each app's stack adds its sandbox. */
export interface GatewayStack {
  /** Origin of the gateway, e.g. http://127.0.0.1:41234. */
  url: string;
  app: FastifyInstance;
  config: Config;
  redis: Redis;
  core: CoreServices;
  runs: RunStore;
  worker: RunningWorker;
  close(): Promise<void>;
}

export async function startGatewayStack(options: GatewayStackOptions): Promise<GatewayStack> {
  const recordingsDir = mkdtempSync(join(tmpdir(), 'scimwright-e2e-rec-'));
  const config = loadConfig({}, {
    redisPrefix: `e${randomBytes(4).toString('hex')}`, adminToken: STACK_ADMIN_TOKEN, recordingsDir, dataDir: recordingsDir,
    logLevel: options.logLevel ?? 'silent', port: 0, workerConcurrency: options.workerConcurrency ?? 1,
  });
  const logger = createLogger({ level: config.logLevel }, options.logTo);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  const composed = await compose({
    config, redis, logger, processMetrics: false, ...(options.registry ? { registry: options.registry } : {}),
    worker: {
      sweep: false, ...(options.browser ? { sessions: { browser: options.browser } } : {}), ...(options.timing ? { timing: options.timing } : {}),
      ...(options.inviteBatchLimit ? { inviteBatchLimit: options.inviteBatchLimit } : {}),
    },
  });
  const { app, core, runs } = composed;
  const url = await composed.listen(0, '127.0.0.1');
  let closing: Promise<void> | undefined;
  return {
    url, app, config, redis, core, runs, worker: composed.worker!,
    close: () => (closing ??= (async () => {
      await composed.close();
      await redis.quit().catch(() => redis.disconnect());
      rmSync(recordingsDir, { recursive: true, force: true });
    })()),
  };
}

export interface StackOptions extends GatewayStackOptions {
  sandbox?: UxpinSandboxOptions;
}

export interface Stack extends GatewayStack {
  sandbox: UxpinSandbox;
}

/** The gateway, its worker and the UXPin sandbox. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const sandbox = await startUxpinSandbox(options.sandbox);
  const gateway = await startGatewayStack(options);
  let closing: Promise<void> | undefined;
  return {
    ...gateway, sandbox,
    close: () => (closing ??= gateway.close().then(() => sandbox.stop())),
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
  let last = '';
  return waitFor(async () => {
    const res = await scim(conn, 'GET', `/Users/${userId}`);
    const view = (res.body[PROVISIONING] ?? {}) as ProvisioningView;
    last = `${res.status} ${JSON.stringify(view)}`;
    return res.status === 200 && done(view) && (await settledRun(conn, userId)) ? res.body : undefined;
  }, () => `user ${userId} (last answer ${last || 'none'})`, timeoutMs, 150);
}

/** The stack's stores for test/support/wait.ts. */
export function stores(stack: GatewayStack): SettleStores {
  return { provisioning: stack.core.directory.provisioning, runs: stack.runs };
}

/** `settledState` for a connection of the stack (undefined while anything is still to come). */
export function settledRun(conn: ScimConnection, userId: string): Promise<ProvisioningState | undefined> {
  return settledState(stores(conn.stack), conn.id, userId);
}

/** Waits until `count` (default: all) of the users have settled (`settledRun`). */
export async function untilSettled(conn: ScimConnection, ids: string[], count = ids.length, timeoutMs = 180_000): Promise<void> {
  let done = 0;
  await waitFor(async () => {
    done = (await Promise.all(ids.map((id) => settledRun(conn, id)))).filter(Boolean).length;
    return done >= count;
  }, () => `${count} of ${ids.length} users to settle (${done} did)`, timeoutMs, 300);
}

/** Waits until no job is waiting, delayed or running, so the evidence trail is quiet for verification. */
export async function queueDrained(stack: GatewayStack, timeoutMs = 90_000): Promise<void> {
  const queue = stack.worker.queue.queue;
  const states = ['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'] as const;
  await waitFor(async () => Object.values(await queue.getJobCounts(...states)).every((n) => n === 0), 'the queue to drain', timeoutMs, 200);
}
