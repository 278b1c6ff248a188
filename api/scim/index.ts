/**
 * The SCIM service provider at /scim/v2/:connectionId. Each connection's bearer token opens only
 * that connection: a token of another connection gets the same 401 as no token, so nothing tells
 * one tenant that another exists.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ScimError } from '../../core/errors.ts';
import { discoveryRoutes } from './discovery.ts';
import { scimErrorHandler, sendScimError } from './errors.ts';
import { resourceRoutes } from './resources.ts';

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export async function scimRoutes(app: FastifyInstance) {
  const { connections, directory, config } = app.scimwright;
  app.setErrorHandler(scimErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendScimError(reply, ScimError.notFound(`No SCIM endpoint at ${request.method} ${request.url.split('?')[0]}.`)),
  );

  app.addHook('onRequest', async (request) => {
    const token = bearer(request);
    const connection = token ? await connections.authenticate(token) : null;
    const wanted = (request.params as { connectionId?: string }).connectionId;
    if (!connection || connection.id !== wanted) throw ScimError.unauthorized();
    request.connection = connection;
  });

  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    // Counted in Redis so that several gateway processes share one budget per connection.
    redis: app.scimwright.redis,
    nameSpace: `${config.redisPrefix}:ratelimit:`,
    keyGenerator: (request) => request.connection?.id ?? request.ip,
    errorResponseBuilder: (_request, context) => {
      const error = new ScimError(429, undefined, `More than ${context.max} requests a minute for this connection; retry after ${context.after}.`);
      return Object.assign(error, { statusCode: 429 });
    },
  });

  await app.register(discoveryRoutes);
  await app.register(resourceRoutes('/Users', () => directory.users));
  await app.register(resourceRoutes('/Groups', () => directory.groups));
}
