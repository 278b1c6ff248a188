/**
 * The whole stack for the Spekit end-to-end tests: a real Redis (the test file's), the Spekit
 * sandbox, the real converge worker with the real connector registry in real Chromium, the app
 * token scheduler, and the gateway (SCIM + admin API) listening on a free port. Every log line
 * (gateway and worker, debug level) is captured so a test can search it for secrets.
 */
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { RunRecord } from '../../core/runs/store.ts';
import { startAppTokenScheduler, type AppTokenScheduler, type AppTokenSchedulerOptions } from '../../runner/app-token-scheduler.ts';
import { createRedisVault } from '../../runner/vault.ts';
import { startSpekitSandbox, type SpekitSandbox, type SpekitSandboxOptions } from '../sandboxes/spekit/server.ts';
import { redisAndBrowserPerFile } from '../support/per-file.ts';
import type { TestRedis } from '../support/redis.ts';
import { STACK_ADMIN_TOKEN as ADMIN_TOKEN, startGatewayStack, stores, type GatewayStack } from '../support/stack.ts';
import { settled as settledFor, waitFor } from '../support/wait.ts';

export { ADMIN_TOKEN, waitFor };
export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface SpekitStack extends GatewayStack {
  scheduler: AppTokenScheduler;
  sandbox: SpekitSandbox;
  /** Every log line written so far (gateway and worker). */
  logs: string[];
  /** Every token the sandbox issued, in order: the needles for the leak search. */
  issued: string[];
  /** BullMQ jobs that failed an attempt (retried or not). */
  failedJobs: Array<{ name: string; data: unknown; error: string }>;
}

export interface StackOptions {
  sandbox?: SpekitSandboxOptions;
  scheduler?: AppTokenSchedulerOptions;
}

export async function startSpekitStack(server: TestRedis, browser: Browser, options: StackOptions = {}): Promise<SpekitStack> {
  const logs: string[] = [];
  const sandbox = await startSpekitSandbox(options.sandbox);
  const issued = recordIssuedTokens(sandbox);
  const gateway = await startGatewayStack({
    redisUrl: server.url, browser, logLevel: 'debug', logTo: { write: (line: string) => void logs.push(line) },
    timing: { attempts: 3, backoff: { baseMs: 100, maxMs: 400 } },
  });
  const { worker } = gateway;
  const failedJobs: SpekitStack['failedJobs'] = [];
  worker.worker.on('failed', (job, error) => void failedJobs.push({ name: job?.name ?? '?', data: job?.data, error: error.message }));
  // A second scheduler with the test's clock (the worker runs its own on the real clock).
  const scheduler = startAppTokenScheduler({ deps: worker.deps, queue: worker.queue, worker: worker.worker }, options.scheduler);
  return {
    ...gateway, scheduler, sandbox, logs, issued, failedJobs,
    async close() {
      scheduler.stop();
      await gateway.close();
      await sandbox.stop();
    },
  };
}

/**
 * For a test file: a private Redis and one Chromium for the file, and `stackFor(t, options)` that
 * starts a Spekit stack on them, closed when the test ends.
 */
export function spekitStacksPerFile() {
  const shared = redisAndBrowserPerFile();
  return async (t: { after(fn: () => Promise<void>): void }, options: StackOptions = {}): Promise<SpekitStack> => {
    const stack = await startSpekitStack(shared.redis, shared.browser, options);
    t.after(() => stack.close());
    return stack;
  };
}

/** Wraps the sandbox's token issue so the test knows every token's plaintext (Spekit keeps a hash). */
function recordIssuedTokens(sandbox: SpekitSandbox): string[] {
  const issued: string[] = [];
  const original = sandbox.state.issueToken.bind(sandbox.state);
  sandbox.state.issueToken = () => {
    const token = original();
    issued.push(token);
    return token;
  };
  return issued;
}

export async function admin(stack: SpekitStack, method: string, path: string, body?: unknown): Promise<Response> {
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

/** Creates a Spekit connection through the admin API (which enqueues its setup). */
export async function createSpekitConnection(stack: SpekitStack, id: string, app: Record<string, unknown> = {}, settings: Record<string, unknown> = {}): Promise<ScimClient> {
  const { admin: account } = stack.sandbox.knobs;
  const res = await admin(stack, 'POST', '/connections', {
    id, connector: 'spekit', baseUrl: stack.sandbox.url,
    credentials: { email: account.email, password: account.password }, settings: { ...settings, app },
  });
  if (res.status !== 201) throw new Error(`create connection: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const call = (method: string, path: string, body?: unknown, userAgent = 'Okta SCIM Client 1.0.0') => fetch(`${stack.url}/scim/v2/${id}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'user-agent': userAgent, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    id, token, call,
    async ok(method, path, body, userAgent) {
      const res = await call(method, path, body, userAgent);
      const text = await res.text();
      if (!res.ok) throw new Error(`SCIM ${method} ${path}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as Record<string, any>) : null;
    },
  };
}

/** Waits for the `nth` run of `task` on the connection to end; returns it. */
export function taskRun(stack: SpekitStack, connectionId: string, task: string, nth = 1): Promise<RunRecord> {
  return waitFor(async () => {
    const runs = (await stack.runs.list(connectionId, { limit: 500 })).filter((r) => r.task === task).reverse();
    const run = runs[nth - 1];
    return run && (run.status === 'succeeded' || run.status === 'failed') ? run : undefined;
  }, `run ${nth} of task ${task} on ${connectionId}`);
}

/** Waits until the user's latest change is done with (test/support/wait.ts). */
export function settled(stack: SpekitStack, connectionId: string, userId: string): Promise<ProvisioningState> {
  return settledFor(stores(stack), connectionId, userId);
}

/** The connection's vault value as the worker stores it (sealed in Redis). */
export function vaultValue(stack: SpekitStack, connectionId: string, name: string): Promise<string | undefined> {
  return createRedisVault(stack.redis, stack.config.redisPrefix, stack.worker.deps.box, connectionId).get(name);
}

/** The sandbox's SCIM store: each SCIM user by userName with status and team names (role per team). */
export function spekitView(stack: SpekitStack) {
  const snap = stack.sandbox.snapshot();
  const teams = new Map(snap.teams.map((t) => [t.id, t.displayName]));
  const users = new Map(snap.users.filter((u) => u.source === 'scim').map((u) => [u.userName.toLowerCase(), {
    id: u.id, status: u.status, active: u.active, displayName: u.displayName,
    teams: snap.memberships.filter((m) => m.userId === u.id).map((m) => `${teams.get(m.teamId)}:${m.role}`).sort(),
  }]));
  return { users, teamNames: snap.teams.map((t) => t.displayName).sort(), tokenGenerations: snap.tokenGenerations };
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
