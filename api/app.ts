/**
 * The gateway as a Fastify plugin tree: SCIM under /scim/v2/:connectionId, the admin API under
 * /admin/v1, health at /healthz. server.ts (bin/start.ts) only listens and shuts down.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { Config } from '../core/config.ts';
import type { ConnectorDescriptor } from '../core/connector.ts';
import type { ConnectionStore } from '../core/connections/store.ts';
import type { StoredConnection } from '../core/connections/schema.ts';
import type { Directory } from '../core/directory/index.ts';
import type { ConvergeQueue } from '../core/queue.ts';
import { adminRoutes } from './admin/index.ts';
import { tokenRoutes } from './admin/tokens.ts';
import { consoleRoutes } from './console/index.ts';
import { metricsRoutes } from './metrics/index.ts';
import { scimRoutes } from './scim/index.ts';
import type { AdminAuth } from './admin/auth.ts';
import type { RunReader } from './admin/runs.ts';

export interface Services {
  config: Config;
  /** Origin that SCIM base URLs are built on, e.g. http://127.0.0.1:8080. */
  origin: string;
  redis: Redis;
  connections: ConnectionStore;
  directory: Directory;
  queue: ConvergeQueue;
  connectors: Map<string, ConnectorDescriptor>;
  adminAuth: AdminAuth;
  runs?: RunReader;
  /** Named readiness checks; /healthz is 200 only when all pass. */
  health: Record<string, () => Promise<boolean>>;
}

declare module 'fastify' {
  interface FastifyInstance {
    scimwright: Services;
  }
  interface FastifyRequest {
    connection: StoredConnection;
  }
}

export async function buildApp(services: Services, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: services.config.bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.decorate('scimwright', services);
  app.decorateRequest('connection', null as unknown as StoredConnection);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // SCIM clients send application/scim+json (RFC 7644 §3.1); parse it as JSON, rejecting __proto__.
  // Some send the header on a body-less DELETE: an empty body is then no body, not bad JSON.
  const json = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.method === 'DELETE') return done(null, undefined);
    return json(request, body as string, done);
  });

  app.get('/healthz', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(services.health).map(async ([name, check]) => [name, await check().catch(() => false)] as const),
    );
    const ok = results.every(([, passed]) => passed);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
  // Metrics first: its onResponse hook counts the SCIM routes registered after it.
  await app.register(metricsRoutes);
  await app.register(adminRoutes, { prefix: '/admin/v1' });
  await app.register(tokenRoutes, { prefix: '/admin/v1' });
  await app.register(scimRoutes, { prefix: '/scim/v2/:connectionId' });
  await app.register(consoleRoutes, { prefix: '/console' });
  return app as unknown as FastifyInstance;
}
