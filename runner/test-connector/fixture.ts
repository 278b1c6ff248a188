/**
 * Test fixture: a private Redis, the test app, one connection of the test connector, and helpers
 * to create and change SCIM users the way the gateway does (resource save + provisioning bump).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { settingsSchema } from '../../core/connections/schema.ts';
import { ConnectionStore } from '../../core/connections/store.ts';
import { createSecretBox, type SecretBox } from '../../core/crypto.ts';
import { ProvisioningStore } from '../../core/provisioning/state.ts';
import { RunStore } from '../../core/runs/store.ts';
import { bullPrefix } from '../../core/store/keys.ts';
import { ResourceStore, type ScimResource } from '../../core/store/resource-store.ts';
import { connectionKeys } from '../../core/store/keys.ts';
import { startRedis, type TestRedis } from '../../test/support/redis.ts';
import { startTestApp, type TestApp, type TestAppOptions } from './server.ts';

export const ADMIN = { email: 'admin@example.test', password: `pw-${randomBytes(9).toString('hex')}` };

export interface Fixture {
  redis: TestRedis;
  client: Redis;
  key: Buffer;
  box: SecretBox;
  prefix: string;
  queuePrefix: string;
  recordingsDir: string;
  connections: ConnectionStore;
  resources: ResourceStore;
  provisioning: ProvisioningStore;
  runs: RunStore;
  close(): Promise<void>;
}

export async function startFixture(redis?: TestRedis): Promise<Fixture> {
  const own = redis === undefined;
  const server = redis ?? (await startRedis());
  const client = new Redis(server.url, { lazyConnect: false });
  const key = randomBytes(32);
  const box = createSecretBox(key);
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const recordingsDir = mkdtempSync(join(tmpdir(), 'scimwright-rec-'));
  return {
    redis: server, client, key, box, prefix, queuePrefix: bullPrefix(prefix), recordingsDir,
    connections: new ConnectionStore(client, prefix, box),
    resources: new ResourceStore(client, prefix),
    provisioning: new ProvisioningStore(client, prefix),
    runs: new RunStore(client, prefix),
    async close() {
      await client.quit();
      rmSync(recordingsDir, { recursive: true, force: true });
      if (own) await server.stop();
    },
  };
}

export async function addConnection(f: Fixture, id: string, app: TestApp, password = ADMIN.password): Promise<void> {
  await f.connections.create({
    id, connector: 'test-app', baseUrl: app.url,
    credentials: { email: ADMIN.email, password }, settings: settingsSchema.parse({}),
  });
}

export function startApp(options: Partial<TestAppOptions> = {}): Promise<TestApp> {
  return startTestApp({ ...ADMIN, ...options });
}

let requestCounter = 0;
function bump(f: Fixture, connectionId: string, userId: string, userName: string, deleted = false) {
  const fields = ['userName', userName, 'deleted', deleted ? '1' : '0', 'requestId', `req-${++requestCounter}`, 'tokenId', 'tok_test'];
  return [{ id: userId, key: connectionKeys(f.prefix, connectionId).prov(userId), fields }];
}

export async function createUser(f: Fixture, connectionId: string, email: string, role?: string): Promise<string> {
  const id = `u-${randomBytes(6).toString('hex')}`;
  const resource: ScimResource = {
    id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, active: true,
    ...(role ? { roles: [{ value: role, primary: true }] } : {}),
  };
  await f.resources.create(connectionId, 'User', resource, { bump: bump(f, connectionId, id, email) });
  return id;
}

export async function changeUser(f: Fixture, connectionId: string, userId: string, patch: Record<string, unknown>): Promise<void> {
  await f.resources.update(connectionId, 'User', userId, (current) => ({
    resource: { ...current.resource, ...patch },
    effects: { bump: bump(f, connectionId, userId, String(current.resource.userName)) },
  }));
}

/** A SCIM DELETE: the resource goes, the provisioning state stays (marked deleted) for the removal. */
export async function deleteUser(f: Fixture, connectionId: string, userId: string): Promise<void> {
  await f.resources.delete(connectionId, 'User', userId, (current) => ({
    bump: bump(f, connectionId, userId, String(current.resource.userName), true),
  }));
}

// Fixture has `provisioning` and `runs`, so it is a SettleStores as it is.
export { settled, waitFor } from '../../test/support/wait.ts';
