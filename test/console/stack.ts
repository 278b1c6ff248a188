/**
 * The console tests' view of the shared stack (test/support/stack.ts: gateway, worker in real
 * Chromium, UXPin sandbox, wired by bin/compose.ts as `npm start` is), with token-first helpers.
 */
import type { Browser } from 'playwright-core';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { TestRedis } from '../support/redis.ts';
import { addUxpinConnection as addConnection, startStack as startUxpinStack, stores, type Stack } from '../support/stack.ts';
import { settled as settledFor } from '../support/wait.ts';

export { STACK_ADMIN_TOKEN as ADMIN_TOKEN, type Stack } from '../support/stack.ts';

export function startStack(server: TestRedis, browser: Browser, options: { seatLimit?: number } = {}): Promise<Stack> {
  return startUxpinStack({
    redisUrl: server.url, browser, sandbox: { seatLimit: options.seatLimit ?? Number.POSITIVE_INFINITY },
    timing: { attempts: 2, backoff: { baseMs: 100, maxMs: 300 } },
  });
}

/** Creates the UXPin connection through the admin API; returns its SCIM bearer token. */
export async function addUxpinConnection(stack: Stack, id: string): Promise<string> {
  return (await addConnection(stack, { id, settings: { app: { actionTimeoutMs: 5000 } } })).token;
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

/** Waits until the user's latest change is done with (test/support/wait.ts). */
export function settled(stack: Stack, connectionId: string, userId: string): Promise<ProvisioningState> {
  return settledFor(stores(stack), connectionId, userId, 60_000);
}
