/**
 * The Spekit end-to-end stack (app-stack.ts) with the Spekit sandbox, its connection and its view,
 * and the app token scheduler on the test's clock.
 */
import type { Browser } from 'playwright-core';
import { startAppTokenScheduler, type AppTokenScheduler, type AppTokenSchedulerOptions } from '../../runner/app-token-scheduler.ts';
import { startSpekitSandbox, type SpekitSandbox, type SpekitSandboxOptions } from '../sandboxes/spekit/server.ts';
import type { TestRedis } from '../support/redis.ts';
import { createConnection, recordTokens, stacksPerFile, startAppStack, type AppStack, type ScimClient } from './app-stack.ts';

export {
  ADMIN_TOKEN, admin, CORE, entraUser, GROUP, oktaUser, PATCH_OP, settled, taskRun, vaultValue, waitFor, type ScimClient,
} from './app-stack.ts';

export interface SpekitStack extends AppStack<SpekitSandbox> {
  scheduler: AppTokenScheduler;
}

export interface StackOptions {
  sandbox?: SpekitSandboxOptions;
  scheduler?: AppTokenSchedulerOptions;
}

export async function startSpekitStack(server: TestRedis, browser: Browser, options: StackOptions = {}): Promise<SpekitStack> {
  const sandbox = await startSpekitSandbox(options.sandbox);
  const issued = recordTokens(sandbox.state, 'issueToken', (token: string) => token);
  const stack = await startAppStack(server, browser, sandbox, issued, { attempts: 3, backoff: { baseMs: 100, maxMs: 400 } });
  // A second scheduler with the test's clock (the worker runs its own on the real clock).
  const { worker } = stack;
  const scheduler = startAppTokenScheduler({ deps: worker.deps, queue: worker.queue, worker: worker.worker }, options.scheduler);
  return {
    ...stack, scheduler,
    async close() {
      scheduler.stop();
      await stack.close();
    },
  };
}

/**
 * For a test file: a private Redis and one Chromium for the file, and `stackFor(t, options)` that
 * starts a Spekit stack on them, closed when the test ends.
 */
export function spekitStacksPerFile() {
  return stacksPerFile<StackOptions, SpekitStack>(startSpekitStack, {});
}

/** Creates a Spekit connection through the admin API (which enqueues its setup). */
export function createSpekitConnection(stack: SpekitStack, id: string, app: Record<string, unknown> = {}, settings: Record<string, unknown> = {}): Promise<ScimClient> {
  const { admin: account } = stack.sandbox.knobs;
  return createConnection(stack, {
    id, connector: 'spekit', baseUrl: stack.sandbox.url,
    credentials: { email: account.email, password: account.password }, settings: { ...settings, app },
  });
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

