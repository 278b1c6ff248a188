/**
 * The whole stack for the Hex end-to-end tests: a real Redis (the test file's), the Hex sandbox,
 * the real converge worker with the real connector registry in real Chromium, and the gateway
 * (SCIM + admin API) on a free port. Every log line (debug level) is captured for the leak search,
 * and every token the sandbox issues is recorded (the sandbox itself keeps only a hash).
 */
import type { Browser } from 'playwright-core';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { RunRecord } from '../../core/runs/store.ts';
import { createRedisVault } from '../../runner/vault.ts';
import { startHexSandbox, type HexSandbox, type HexSandboxOptions } from '../sandboxes/hex/server.ts';
import { redisAndBrowserPerFile } from '../support/per-file.ts';
import type { TestRedis } from '../support/redis.ts';
import { STACK_ADMIN_TOKEN as ADMIN_TOKEN, startGatewayStack, stores, type GatewayStack } from '../support/stack.ts';
import { settled as settledFor, waitFor } from '../support/wait.ts';

export { ADMIN_TOKEN, waitFor };
export { CORE, entraUser, GROUP, oktaUser, PATCH_OP } from './spekit-stack.ts';

export interface HexStack extends GatewayStack {
  sandbox: HexSandbox;
  logs: string[];
  /** Every token the sandbox issued, in order. */
  issued: string[];
  failedJobs: Array<{ name: string; data: unknown; error: string }>;
}

export async function startHexStack(server: TestRedis, browser: Browser, sandboxOptions: HexSandboxOptions = {}): Promise<HexStack> {
  const logs: string[] = [];
  const sandbox = await startHexSandbox(sandboxOptions);
  const issued: string[] = [];
  const issue = sandbox.state.issueToken.bind(sandbox.state);
  sandbox.state.issueToken = (by: string) => {
    const token = issue(by);
    issued.push(token);
    return token;
  };
  const gateway = await startGatewayStack({
    redisUrl: server.url, browser, logLevel: 'debug', logTo: { write: (line: string) => void logs.push(line) },
    timing: { attempts: 6, backoff: { baseMs: 100, maxMs: 800 } },
  });
  const failedJobs: HexStack['failedJobs'] = [];
  gateway.worker.worker.on('failed', (job, error) => void failedJobs.push({ name: job?.name ?? '?', data: job?.data, error: error.message }));
  return {
    ...gateway, sandbox, logs, issued, failedJobs,
    async close() {
      await gateway.close();
      await sandbox.stop();
    },
  };
}

/** For a test file: a private Redis and one Chromium, and `stackFor(t, options)` closed when the test ends. */
export function hexStacksPerFile() {
  const shared = redisAndBrowserPerFile();
  return async (t: { after(fn: () => Promise<void>): void }, options: HexSandboxOptions = {}): Promise<HexStack> => {
    const stack = await startHexStack(shared.redis, shared.browser, options);
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
  call(method: string, path: string, body?: unknown, userAgent?: string): Promise<Response>;
  /** As `call`, but fails on a non-2xx answer and returns the JSON body (or null). */
  ok(method: string, path: string, body?: unknown, userAgent?: string): Promise<Record<string, any> | null>;
}

/** Creates a Hex connection through the admin API (which enqueues its setup), as the issue's contract. */
export async function createHexConnection(stack: HexStack, id: string, settings: Record<string, unknown> = {}): Promise<ScimClient> {
  const { admin: account, totpSecret } = stack.sandbox.knobs;
  const res = await admin(stack, 'POST', '/connections', {
    id, connector: 'hex', baseUrl: stack.sandbox.url,
    credentials: { email: account.email, password: account.password, ...(totpSecret ? { totpSecret } : {}) },
    settings: { defaultRole: 'Viewer', deprovision: 'deactivate', ...settings },
  });
  if (res.status !== 201) throw new Error(`create connection: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const call = (method: string, path: string, body?: unknown, userAgent = 'Okta SCIM Client 1.0.0') => fetch(`${stack.url}/scim/v2/${id}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'user-agent': userAgent, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    id, call,
    async ok(method, path, body, userAgent) {
      const answer = await call(method, path, body, userAgent);
      const text = await answer.text();
      if (!answer.ok) throw new Error(`SCIM ${method} ${path}: ${answer.status} ${text}`);
      return text ? (JSON.parse(text) as Record<string, any>) : null;
    },
  };
}

export function taskRun(stack: GatewayStack, connectionId: string, task: string, nth = 1): Promise<RunRecord> {
  return waitFor(async () => {
    const runs = (await stack.runs.list(connectionId, { limit: 500 })).filter((r) => r.task === task).reverse();
    const run = runs[nth - 1];
    return run && (run.status === 'succeeded' || run.status === 'failed') ? run : undefined;
  }, `run ${nth} of task ${task} on ${connectionId}`, 120_000);
}

export function settled(stack: GatewayStack, connectionId: string, userId: string): Promise<ProvisioningState> {
  return settledFor(stores(stack), connectionId, userId, 240_000);
}

export function vaultValue(stack: GatewayStack, connectionId: string, name: string): Promise<string | undefined> {
  return createRedisVault(stack.redis, stack.config.redisPrefix, stack.worker.deps.box, connectionId).get(name);
}

/** The sandbox's workspace: each user by email with role, status, groups; group names. */
export function hexView(stack: HexStack) {
  const snap = stack.sandbox.snapshot();
  const users = new Map(snap.users.map((u) => [u.userName.toLowerCase(), u]));
  return { users, groups: snap.groups, roleChanges: snap.roleChanges, stats: snap.stats, tokenGenerations: snap.tokenGenerations };
}
