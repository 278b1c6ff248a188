/**
 * What every app's end-to-end stack shares: a real Redis (the test file's), the app's sandbox, the
 * real converge worker with the real connector registry in real Chromium, and the gateway (SCIM +
 * admin API) on a free port. Every log line (debug level) is captured for the leak search, and
 * every token the sandbox issues is recorded (the sandboxes themselves keep only hashes).
 * The app stacks (spekit-stack.ts, hex-stack.ts, hyperproof-stack.ts) add only what their app needs.
 */
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { RunRecord } from '../../core/runs/store.ts';
import { createRedisVault } from '../../runner/vault.ts';
import type { WorkerTiming } from '../../runner/worker.ts';
import { redisAndBrowserPerFile } from '../support/per-file.ts';
import type { TestRedis } from '../support/redis.ts';
import { STACK_ADMIN_TOKEN as ADMIN_TOKEN, startGatewayStack, stores, type GatewayStack } from '../support/stack.ts';
import { settled as settledFor, waitFor } from '../support/wait.ts';

export { ADMIN_TOKEN, waitFor };
export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface AppStack<Sandbox> extends GatewayStack {
  sandbox: Sandbox;
  /** Every log line written so far (gateway and worker). */
  logs: string[];
  /** Every token the sandbox issued, in order: the needles for the leak search. */
  issued: string[];
  /** BullMQ jobs that failed an attempt (retried or not). */
  failedJobs: Array<{ name: string; data: unknown; error: string }>;
}

type Stoppable = { stop(): Promise<void> };

/** Starts the gateway and worker beside an already started sandbox; closing the stack stops both. */
export async function startAppStack<Sandbox extends Stoppable>(
  server: TestRedis, browser: Browser, sandbox: Sandbox, issued: string[], timing: WorkerTiming,
): Promise<AppStack<Sandbox>> {
  const logs: string[] = [];
  const gateway = await startGatewayStack({
    redisUrl: server.url, browser, logLevel: 'debug', logTo: { write: (line: string) => void logs.push(line) }, timing,
  });
  const failedJobs: AppStack<Sandbox>['failedJobs'] = [];
  gateway.worker.worker.on('failed', (job, error) => void failedJobs.push({ name: job?.name ?? '?', data: job?.data, error: error.message }));
  return {
    ...gateway, sandbox, logs, issued, failedJobs,
    async close() {
      await gateway.close();
      await sandbox.stop();
    },
  };
}

/** Wraps a sandbox's token-making method so the test learns every token's plaintext. */
export function recordTokens<T extends object, K extends keyof T>(owner: T, method: K, tokenOf: (made: any) => string): string[] {
  const issued: string[] = [];
  const original = (owner[method] as (...args: unknown[]) => unknown).bind(owner);
  owner[method] = ((...args: unknown[]) => {
    const made = original(...args);
    issued.push(tokenOf(made));
    return made;
  }) as T[K];
  return issued;
}

/** For a test file: a private Redis and one Chromium, and `stackFor(t, options)` closed when the test ends. */
export function stacksPerFile<Options, Stack extends { close(): Promise<void> }>(
  start: (server: TestRedis, browser: Browser, options: Options) => Promise<Stack>, defaults: Options,
) {
  const shared = redisAndBrowserPerFile();
  return async (t: { after(fn: () => Promise<void>): void }, options: Options = defaults): Promise<Stack> => {
    const stack = await start(shared.redis, shared.browser, options);
    t.after(() => stack.close());
    return stack;
  };
}

export async function admin(stack: GatewayStack, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

export interface ScimClient {
  id: string;
  token: string;
  call(method: string, path: string, body?: unknown, userAgent?: string): Promise<Response>;
  /** As `call`, but fails the test on a non-2xx answer and returns the JSON body (or null). */
  ok(method: string, path: string, body?: unknown, userAgent?: string): Promise<Record<string, any> | null>;
}

/** POST /admin/v1/connections (which enqueues the connector's setup); SCIM calls as an IdP makes them. */
export async function createConnection(stack: GatewayStack, connection: Record<string, unknown> & { id: string }): Promise<ScimClient> {
  const res = await admin(stack, 'POST', '/connections', connection);
  if (res.status !== 201) throw new Error(`create connection: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const { id } = connection;
  const call = (method: string, path: string, body?: unknown, userAgent = 'Okta SCIM Client 1.0.0') => fetch(`${stack.url}/scim/v2/${id}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'user-agent': userAgent, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    id, token, call,
    async ok(method, path, body, userAgent) {
      const answer = await call(method, path, body, userAgent);
      const text = await answer.text();
      if (!answer.ok) throw new Error(`SCIM ${method} ${path}: ${answer.status} ${text}`);
      return text ? (JSON.parse(text) as Record<string, any>) : null;
    },
  };
}

/** Waits for the `nth` run of `task` on the connection to end; returns it. */
export function taskRun(stack: GatewayStack, connectionId: string, task: string, nth = 1, timeoutMs?: number): Promise<RunRecord> {
  return waitFor(async () => {
    const runs = (await stack.runs.list(connectionId, { limit: 500 })).filter((r) => r.task === task).reverse();
    const run = runs[nth - 1];
    return run && (run.status === 'succeeded' || run.status === 'failed') ? run : undefined;
  }, `run ${nth} of task ${task} on ${connectionId}`, timeoutMs);
}

/** Waits until the user's latest change is done with (test/support/wait.ts). */
export function settled(stack: GatewayStack, connectionId: string, userId: string, timeoutMs?: number): Promise<ProvisioningState> {
  return settledFor(stores(stack), connectionId, userId, timeoutMs);
}

/** The connection's vault value as the worker stores it (sealed in Redis). */
export function vaultValue(stack: GatewayStack, connectionId: string, name: string): Promise<string | undefined> {
  return createRedisVault(stack.redis, stack.config.redisPrefix, stack.worker.deps.box, connectionId).get(name);
}

/** Okta's create body (shared/idp.md), with an optional SCIM `roles` value. */
export function oktaUser(email: string, given: string, family: string, role?: string) {
  return {
    schemas: [CORE], userName: email, name: { givenName: given, familyName: family },
    emails: [{ primary: true, value: email, type: 'work' }], displayName: `${given} ${family}`, locale: 'en-US',
    externalId: `00u${randomBytes(4).toString('hex')}`, groups: [], password: 'Okta-Sends-A-Password-1!', active: true,
    ...(role ? { roles: [{ value: role, primary: true }] } : {}),
  };
}

/** Entra's create body (shared/idp.md): core + enterprise schemas, `roles: []`. */
export function entraUser(email: string, given: string, family: string) {
  return {
    schemas: [CORE, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: randomBytes(8).toString('hex'), userName: email, active: true,
    emails: [{ primary: true, type: 'work', value: email }],
    name: { formatted: `${given} ${family}`, givenName: given, familyName: family }, roles: [],
    meta: { resourceType: 'User' },
  };
}
