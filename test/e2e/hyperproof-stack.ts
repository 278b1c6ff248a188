/**
 * The whole stack for the Hyperproof end-to-end tests: a real Redis (the test file's), the
 * Hyperproof sandbox (app and SCIM on two origins), the real converge worker with the real
 * connector registry in real Chromium, and the gateway on a free port. Log lines are captured for
 * the leak search. Okta/Entra bodies and the generic waits are the Spekit stack's.
 */
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { RunRecord } from '../../core/runs/store.ts';
import { createRedisVault } from '../../runner/vault.ts';
import { startHyperproofSandbox, type HyperproofSandbox, type HyperproofSandboxOptions } from '../sandboxes/hyperproof/server.ts';
import { redisAndBrowserPerFile } from '../support/per-file.ts';
import { STACK_ADMIN_TOKEN as ADMIN_TOKEN, startGatewayStack, stores, type GatewayStack } from '../support/stack.ts';
import { settled as settledFor, waitFor } from '../support/wait.ts';

export { ADMIN_TOKEN, waitFor };
export { CORE, entraUser, oktaUser, PATCH_OP, GROUP } from './spekit-stack.ts';

export interface HyperproofStack extends GatewayStack {
  sandbox: HyperproofSandbox;
  logs: string[];
  /** Every token the sandbox made, in order: the needles for the leak search. */
  issued: string[];
  failedJobs: Array<{ name: string; error: string }>;
}

export function hyperproofStacksPerFile() {
  const shared = redisAndBrowserPerFile();
  return async (t: { after(fn: () => Promise<void>): void }, sandboxOptions: HyperproofSandboxOptions = {}): Promise<HyperproofStack> => {
    const logs: string[] = [];
    const sandbox = await startHyperproofSandbox(sandboxOptions);
    const issued: string[] = [];
    const make = sandbox.state.makeToken.bind(sandbox.state);
    sandbox.state.makeToken = (live) => {
      const made = make(live);
      issued.push(made.token);
      return made;
    };
    const gateway = await startGatewayStack({
      redisUrl: shared.redis.url, browser: shared.browser, logLevel: 'debug', logTo: { write: (line: string) => void logs.push(line) },
      timing: { attempts: 4, backoff: { baseMs: 100, maxMs: 400 } },
    });
    const failedJobs: HyperproofStack['failedJobs'] = [];
    gateway.worker.worker.on('failed', (job, error) => void failedJobs.push({ name: job?.name ?? '?', error: error.message }));
    const stack: HyperproofStack = {
      ...gateway, sandbox, logs, issued, failedJobs,
      async close() {
        await gateway.close();
        await sandbox.stop();
      },
    };
    t.after(() => stack.close());
    return stack;
  };
}

export async function admin(stack: HyperproofStack, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

export interface ScimClient {
  id: string;
  ok(method: string, path: string, body?: unknown, userAgent?: string): Promise<Record<string, any> | null>;
}

/** POST /admin/v1/connections for Hyperproof (which enqueues its setup); SCIM calls as an IdP makes them. */
export async function createHyperproofConnection(stack: HyperproofStack, id: string, settings: Record<string, unknown> = {}, totpSecret?: string): Promise<ScimClient> {
  const { admin: account } = stack.sandbox.knobs;
  const res = await admin(stack, 'POST', '/connections', {
    id, connector: 'hyperproof', baseUrl: stack.sandbox.url,
    credentials: { email: account.email, password: account.password, ...(totpSecret ? { totpSecret } : {}) }, settings,
  });
  if (res.status !== 201) throw new Error(`create connection: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  return {
    id,
    async ok(method, path, body, userAgent = 'Okta SCIM Client 1.0.0') {
      const answer = await fetch(`${stack.url}/scim/v2/${id}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'user-agent': userAgent, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await answer.text();
      if (!answer.ok) throw new Error(`SCIM ${method} ${path}: ${answer.status} ${text}`);
      return text ? (JSON.parse(text) as Record<string, any>) : null;
    },
  };
}

export function taskRun(stack: HyperproofStack, connectionId: string, task: string, nth = 1): Promise<RunRecord> {
  return waitFor(async () => {
    const runs = (await stack.runs.list(connectionId, { limit: 500 })).filter((r) => r.task === task).reverse();
    const run = runs[nth - 1];
    return run && (run.status === 'succeeded' || run.status === 'failed') ? run : undefined;
  }, `run ${nth} of task ${task} on ${connectionId}`);
}

export function settled(stack: HyperproofStack, connectionId: string, userId: string): Promise<ProvisioningState> {
  return settledFor(stores(stack), connectionId, userId);
}

export function vaultValue(stack: HyperproofStack, connectionId: string, name: string): Promise<string | undefined> {
  return createRedisVault(stack.redis, stack.config.redisPrefix, stack.worker.deps.box, connectionId).get(name);
}

/** Hyperproof's people by email: status and role as the sandbox holds them. */
export function people(stack: HyperproofStack): Map<string, { status: string; role: string }> {
  return new Map(stack.sandbox.snapshot().people.map((p) => [p.email.toLowerCase(), { status: p.status, role: p.role }]));
}
