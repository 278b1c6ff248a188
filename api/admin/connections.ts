/**
 * The admin API's connection routes — a contract that scripts and the docs rely on:
 * POST/GET/PATCH/DELETE /admin/v1/connections[/:id], POST …/:id/rotate-token, POST …/:id/check.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { publicView, type StoredConnection } from '../../core/connections/schema.ts';
import { readSetupState } from '../../core/connections/setup-state.ts';
import { adminError, requireRole } from './auth.ts';
import { createConnection, queueCheck, updateConnection, type WriteRefusal } from './connection-writes.ts';
import { readHealth } from './health-view.ts';

const refused = (reply: FastifyReply, r: WriteRefusal) => adminError(reply, r.status, r.code, r.message, r.issues ? { issues: r.issues } : {});

export async function connectionRoutes(app: FastifyInstance) {
  const { connections, connectors, queue } = app.scimwright;
  // Read at call time: the origin is known only once the server listens (PORT=0).
  const scimBaseUrl = (id: string) => `${app.scimwright.origin}/scim/v2/${id}`;
  const view = (c: StoredConnection) => publicView(c, connections.openCredentials(c), scimBaseUrl(c.id));

  app.post('/connections', { onRequest: requireRole('admin') }, async (request, reply) => {
    const made = await createConnection(app, request.body, request.log);
    if (!made.ok) return refused(reply, made);
    const { connection, token } = made;
    return reply.code(201).header('location', `/admin/v1/connections/${connection.id}`).send({ id: connection.id, scimBaseUrl: scimBaseUrl(connection.id), token });
  });

  app.get('/connections', { onRequest: requireRole('reviewer') }, async () => ({
    connections: (await connections.list()).map(view),
  }));

  app.get<{ Params: { id: string } }>('/connections/:id', { onRequest: requireRole('reviewer') }, async (request, reply) => {
    const connection = await connections.get(request.params.id);
    if (!connection) return adminError(reply, 404, 'not_found', `No connection "${request.params.id}".`);
    // Setup and app-token rotation (Spekit), in words; never the token.
    const setup = await readSetupState(app.scimwright, connection, connectors.get(connection.connector)?.capabilities.tasks ?? []);
    // Needs attention (screens that stopped matching) and the last canary check, in words.
    const health = await readHealth(app, connection.id);
    return { ...view(connection), ...(setup ? { setup } : {}), ...health };
  });

  app.patch<{ Params: { id: string } }>('/connections/:id', { onRequest: requireRole('admin') }, async (request, reply) => {
    const updated = await updateConnection(app, request.params.id, request.body);
    return updated.ok ? view(updated.connection) : refused(reply, updated);
  });

  app.delete<{ Params: { id: string } }>('/connections/:id', { onRequest: requireRole('admin') }, async (request, reply) => {
    const deleted = await connections.delete(request.params.id);
    return deleted ? reply.code(204).send() : adminError(reply, 404, 'not_found', `No connection "${request.params.id}".`);
  });

  app.post<{ Params: { id: string } }>('/connections/:id/rotate-token', { onRequest: requireRole('admin') }, async (request, reply) => {
    const rotated = await connections.rotateToken(request.params.id);
    if (!rotated) return adminError(reply, 404, 'not_found', `No connection "${request.params.id}".`);
    request.log.info({ connectionId: rotated.connection.id, tokenId: rotated.connection.token.id }, 'SCIM token rotated');
    return { id: rotated.connection.id, scimBaseUrl: scimBaseUrl(rotated.connection.id), token: rotated.token };
  });

  // A read-only canary walk now; answers with the run id it will be recorded under.
  app.post<{ Params: { id: string } }>('/connections/:id/check', { onRequest: requireRole('admin') }, async (request, reply) => {
    const queued = await queueCheck(app, request.params.id, request.log);
    if (!queued.ok) return refused(reply, queued);
    return reply.code(201).header('location', `/admin/v1/runs/${queued.runId}`).send({ runId: queued.runId });
  });

  for (const task of ['setup', 'rotate-app-token'] as const) {
    app.post<{ Params: { id: string } }>(`/connections/:id/${task}`, { onRequest: requireRole('admin') }, async (request, reply) => {
      const connection = await connections.get(request.params.id);
      if (!connection) return adminError(reply, 404, 'not_found', `No connection "${request.params.id}".`);
      const name = task === 'setup' ? 'setup' : 'rotate';
      if (!connectors.get(connection.connector)?.capabilities.tasks?.includes(name) || !queue.enqueueTask) {
        return adminError(reply, 400, 'unsupported', `The ${connection.connector} connector has no ${task} task.`);
      }
      await queue.enqueueTask(connection.id, name);
      return reply.code(202).send({ id: connection.id, task: name, status: 'queued' });
    });
  }
}
