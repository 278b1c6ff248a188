/**
 * A gateway for API tests: real Redis (started here), the real app, an in-memory converge queue,
 * and a test connector descriptor. Each call gets its own Redis key prefix.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { buildApp } from '../../api/app.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import type { ConnectorDescriptor } from '../../core/connector.ts';
import { createLogger } from '../../core/logger.ts';
import { MemoryConvergeQueue } from '../../core/queue.ts';
import { createCoreServices, type CoreServices } from '../../core/services.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export const testConnector: ConnectorDescriptor = {
  id: 'testapp',
  name: 'Test App',
  capabilities: {
    invite: true, changeRole: true, remove: true, deactivate: false, listUsers: true, groups: false, bulkInvite: false,
    roles: ['Owner', 'Admin', 'Editor', 'Viewer'], protectedRoles: ['Owner'], tasks: [],
  },
  settings: z.object({}).loose(),
};

export interface TestGateway {
  app: FastifyInstance;
  redis: Redis;
  queue: MemoryConvergeQueue;
  core: CoreServices;
  config: Config;
  close(): Promise<void>;
}

export async function startGateway(redisUrl: string, overrides: Partial<Config> = {}, logStream?: NodeJS.WritableStream): Promise<TestGateway> {
  const config = loadConfig({}, {
    redisPrefix: `t${randomBytes(4).toString('hex')}`, adminToken: ADMIN_TOKEN, logLevel: logStream ? 'info' : 'silent', ...overrides,
  });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const queue = new MemoryConvergeQueue();
  const core = createCoreServices(redis, config, randomBytes(32), queue);
  const logger = createLogger({ level: config.logLevel }, logStream as never);
  const app = await buildApp({
    config, origin: 'http://scim.test', redis, connections: core.connections, directory: core.directory, queue,
    connectors: new Map([[testConnector.id, testConnector]]), adminAuth: core.adminTokens,
    health: { redis: async () => (await redis.ping()) === 'PONG' },
  }, logger);
  await app.ready();
  return { app, redis, queue, core, config, async close() { await app.close(); redis.disconnect(); } };
}

/** Creates a connection through the admin API and returns its id and SCIM token. */
export async function createConnection(gw: TestGateway, id = `c${randomBytes(3).toString('hex')}`, settings: Record<string, unknown> = {}) {
  const res = await gw.app.inject({
    method: 'POST', url: '/admin/v1/connections', headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    payload: { id, connector: 'testapp', baseUrl: 'http://app.test', credentials: { email: 'admin@app.test', password: 'hunter2-admin-password' }, settings },
  });
  if (res.statusCode !== 201) throw new Error(`create connection: ${res.statusCode} ${res.body}`);
  const body = res.json() as { id: string; token: string; scimBaseUrl: string };
  return { ...body, base: `/scim/v2/${body.id}`, auth: { authorization: `Bearer ${body.token}` } };
}
