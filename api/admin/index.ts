/** The admin API under /admin/v1. Errors are `{ error: { code, message } }` with stable codes. */
import type { FastifyInstance } from 'fastify';
import { auditRoutes } from './audit.ts';
import { connectionRoutes } from './connections.ts';
import { driftRoutes } from './drift.ts';
import { runRoutes } from './runs.ts';

export async function adminRoutes(app: FastifyInstance) {
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'admin request failed');
    const code = status === 413 ? 'body_too_large' : status === 415 ? 'unsupported_media_type' : status >= 500 ? 'internal' : 'invalid_request';
    const message = status >= 500 ? `Internal error; request id ${request.id}.` : (error as Error).message;
    return reply.code(status).send({ error: { code, message } });
  });
  await app.register(connectionRoutes);
  await app.register(runRoutes);
  await app.register(auditRoutes);
  await app.register(driftRoutes);
}
