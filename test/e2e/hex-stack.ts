/** The Hex end-to-end stack (app-stack.ts) with the Hex sandbox, its connection and its view. */
import type { Browser } from 'playwright-core';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { RunRecord } from '../../core/runs/store.ts';
import { startHexSandbox, type HexSandbox, type HexSandboxOptions } from '../sandboxes/hex/server.ts';
import type { TestRedis } from '../support/redis.ts';
import type { GatewayStack } from '../support/stack.ts';
import {
  createConnection, recordTokens, settled as settledIn, stacksPerFile, startAppStack, taskRun as taskRunIn,
  type AppStack, type ScimClient,
} from './app-stack.ts';

export { ADMIN_TOKEN, admin, CORE, entraUser, GROUP, oktaUser, PATCH_OP, vaultValue, waitFor, type ScimClient } from './app-stack.ts';

export type HexStack = AppStack<HexSandbox>;

export async function startHexStack(server: TestRedis, browser: Browser, sandboxOptions: HexSandboxOptions = {}): Promise<HexStack> {
  const sandbox = await startHexSandbox(sandboxOptions);
  const issued = recordTokens(sandbox.state, 'issueToken', (token: string) => token);
  return startAppStack(server, browser, sandbox, issued, { attempts: 6, backoff: { baseMs: 100, maxMs: 800 } });
}

/** For a test file: a private Redis and one Chromium, and `stackFor(t, options)` closed when the test ends. */
export function hexStacksPerFile() {
  return stacksPerFile<HexSandboxOptions, HexStack>(startHexStack, {});
}

/** Creates a Hex connection through the admin API (which enqueues its setup), as the contract. */
export function createHexConnection(stack: HexStack, id: string, settings: Record<string, unknown> = {}): Promise<ScimClient> {
  const { admin: account, totpSecret } = stack.sandbox.knobs;
  return createConnection(stack, {
    id, connector: 'hex', baseUrl: stack.sandbox.url,
    credentials: { email: account.email, password: account.password, ...(totpSecret ? { totpSecret } : {}) },
    settings: { defaultRole: 'Viewer', deprovision: 'deactivate', ...settings },
  });
}

// Hex's setup and browser steps are slower than the other apps': longer waits than the defaults.
export function taskRun(stack: GatewayStack, connectionId: string, task: string, nth = 1): Promise<RunRecord> {
  return taskRunIn(stack, connectionId, task, nth, 120_000);
}

export function settled(stack: GatewayStack, connectionId: string, userId: string): Promise<ProvisioningState> {
  return settledIn(stack, connectionId, userId, 240_000);
}

/** The sandbox's workspace: each user by email with role, status, groups; group names. */
export function hexView(stack: HexStack) {
  const snap = stack.sandbox.snapshot();
  const users = new Map(snap.users.map((u) => [u.userName.toLowerCase(), u]));
  return { users, groups: snap.groups, roleChanges: snap.roleChanges, stats: snap.stats, tokenGenerations: snap.tokenGenerations };
}
