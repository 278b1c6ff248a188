/**
 * The admin API's connection routes — a contract that scripts and the docs rely on:
 * POST/GET/PATCH/DELETE /admin/v1/connections[/:id], POST …/:id/rotate-token, POST …/:id/check.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { ConnectorDescriptor } from '../../core/connector.ts';
import {
  createConnectionSchema, patchConnectionSchema, publicView, settingsSchema,
  type ConnectionSettings, type StoredConnection,
} from '../../core/connections/schema.ts';
import { ConnectionExistsError } from '../../core/connections/store.ts';
import { readSetupState } from '../../core/connections/setup-state.ts';
import { newRunId } from '../../core/runs/store.ts';
import { adminError, requireRole } from './auth.ts';
import { readHealth } from './health-view.ts';

function invalid(reply: FastifyReply, error: z.ZodError) {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return adminError(reply, 400, 'invalid_request', issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; '), { issues });
}

/** Checks a connection's settings against what its connector can do; returns a message or null. */
export function checkAgainstConnector(connector: ConnectorDescriptor, settings: ConnectionSettings): string | null {
  const { roles, protectedRoles, deactivate } = connector.capabilities;
  const named = (role: string) => roles.find((r) => r.toLowerCase() === role.toLowerCase());
  const wanted = [
    ...(settings.defaultRole ? [['settings.defaultRole', settings.defaultRole]] : []),
    ...Object.entries(settings.roleMap).map(([k, v]) => [`settings.roleMap.${k}`, v]),
    ...Object.entries(settings.groupRoleMap).map(([k, v]) => [`settings.groupRoleMap.${k}`, v]),
  ];
  for (const [where, role] of wanted) {
    const found = named(role!);
    if (!found) return `${where}: "${role}" is not a ${connector.name} role (${roles.join(', ')})`;
    if (protectedRoles.includes(found)) return `${where}: scimwright never assigns the ${found} role`;
  }
  if (settings.deprovision === 'deactivate' && !deactivate) {
    return `settings.deprovision: ${connector.name} cannot deactivate users; use "remove"`;
  }
  const app = connector.settings.safeParse(settings.app);
  if (!app.success) return `settings.app: ${app.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  return null;
}

export async function connectionRoutes(app: FastifyInstance) {
  const { connections, connectors, queue } = app.scimwright;
  // Read at call time: the origin is known only once the server listens (PORT=0).
  const scimBaseUrl = (id: string) => `${app.scimwright.origin}/scim/v2/${id}`;
  const view = (c: StoredConnection) => publicView(c, connections.openCredentials(c), scimBaseUrl(c.id));

  app.post('/connections', { onRequest: requireRole('admin') }, async (request, reply) => {
    const parsed = createConnectionSchema.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    const input = parsed.data;
    const connector = connectors.get(input.connector);
    if (!connector) return adminError(reply, 400, 'unknown_connector', `connector: "${input.connector}" is not one of ${[...connectors.keys()].join(', ')}`);
    const problem = checkAgainstConnector(connector, input.settings);
    if (problem) return adminError(reply, 400, 'invalid_settings', problem);
    try {
      const { connection, token } = await connections.create(input);
      if (connector.capabilities.tasks?.includes('setup')) await queue.enqueueTask?.(connection.id, 'setup');
      request.log.info({ connectionId: connection.id, connector: connection.connector }, 'connection created');
      return reply.code(201).header('location', `/admin/v1/connections/${connection.id}`).send({ id: connection.id, scimBaseUrl: scimBaseUrl(connection.id), token });
    } catch (error) {
      if (error instanceof ConnectionExistsError) return adminError(reply, 409, 'connection_exists', error.message);
      throw error;
    }
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
    const parsed = patchConnectionSchema.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    const current = await connections.get(request.params.id);
    if (!current) return adminError(reply, 404, 'not_found', `No connection "${request.params.id}".`);
    // Only the keys the caller sent: zod's defaults must not reset the rest.
    const sent = Object.keys((request.body as { settings?: object }).settings ?? {});
    const changes = Object.fromEntries(sent.map((key) => [key, (parsed.data.settings as Record<string, unknown>)[key]]));
    const settings = settingsSchema.parse({ ...current.settings, ...changes });
    const problem = checkAgainstConnector(connectors.get(current.connector)!, settings);
    if (problem) return adminError(reply, 400, 'invalid_settings', problem);
    const updated = await connections.update(current.id, (c) => ({
      ...c,
      settings,
      ...(parsed.data.baseUrl ? { baseUrl: parsed.data.baseUrl } : {}),
      ...(parsed.data.credentials ? { sealedCredentials: connections.sealCredentials(c.id, parsed.data.credentials) } : {}),
    }));
    if (!updated) return adminError(reply, 404, 'not_found', `No connection "${request.params.id}".`);
    // A policy change can move every user's desired role: converge them all.
    await app.scimwright.directory.reconverge(updated.id, app.scimwright.queue);
    return view(updated);
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
    const connection = await connections.get(request.params.id);
    if (!connection) return adminError(reply, 404, 'not_found', `No connection "${request.params.id}".`);
    if (!connectors.get(connection.connector)?.capabilities.check || !queue.enqueueCheck) {
      return adminError(reply, 400, 'unsupported', `The ${connection.connector} connector has no read-only check.`);
    }
    const runId = newRunId();
    await queue.enqueueCheck(connection.id, runId);
    request.log.info({ connectionId: connection.id, runId }, 'canary check queued');
    return reply.code(201).header('location', `/admin/v1/runs/${runId}`).send({ runId });
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
