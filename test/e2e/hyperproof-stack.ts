/**
 * The Hyperproof end-to-end stack (app-stack.ts) with the Hyperproof sandbox (app and SCIM on two
 * origins), its connection and its people.
 */
import type { Browser } from 'playwright-core';
import { startHyperproofSandbox, type HyperproofSandbox, type HyperproofSandboxOptions } from '../sandboxes/hyperproof/server.ts';
import type { TestRedis } from '../support/redis.ts';
import { createConnection, recordTokens, stacksPerFile, startAppStack, type AppStack, type ScimClient } from './app-stack.ts';

export {
  ADMIN_TOKEN, admin, CORE, entraUser, GROUP, oktaUser, PATCH_OP, settled, taskRun, vaultValue, waitFor, type ScimClient,
} from './app-stack.ts';

export type HyperproofStack = AppStack<HyperproofSandbox>;

async function startHyperproofStack(server: TestRedis, browser: Browser, sandboxOptions: HyperproofSandboxOptions): Promise<HyperproofStack> {
  const sandbox = await startHyperproofSandbox(sandboxOptions);
  const issued = recordTokens(sandbox.state, 'makeToken', (made: { token: string }) => made.token);
  return startAppStack(server, browser, sandbox, issued, { attempts: 4, backoff: { baseMs: 100, maxMs: 400 } });
}

export function hyperproofStacksPerFile() {
  return stacksPerFile<HyperproofSandboxOptions, HyperproofStack>(startHyperproofStack, {});
}

/** POST /admin/v1/connections for Hyperproof (which enqueues its setup). */
export function createHyperproofConnection(stack: HyperproofStack, id: string, settings: Record<string, unknown> = {}, totpSecret?: string): Promise<ScimClient> {
  const { admin: account } = stack.sandbox.knobs;
  return createConnection(stack, {
    id, connector: 'hyperproof', baseUrl: stack.sandbox.url,
    credentials: { email: account.email, password: account.password, ...(totpSecret ? { totpSecret } : {}) }, settings,
  });
}

/** Hyperproof's people by email: status and role as the sandbox holds them. */
export function people(stack: HyperproofStack): Map<string, { status: string; role: string }> {
  return new Map(stack.sandbox.snapshot().people.map((p) => [p.email.toLowerCase(), { status: p.status, role: p.role }]));
}
