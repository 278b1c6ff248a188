/**
 * Drift scans in the admin API (issue 18, item 1; docs/drift.md) — a contract scripts and the CLI rely on:
 *   POST   /admin/v1/connections/:id/drift-scan              a scan now; 201 with the run id it is recorded under
 *   GET    /admin/v1/connections/:id/drift                   the last scan, its findings and the allowed accounts
 *   POST   /admin/v1/connections/:id/drift/allowed           { email, reason }: a shadow account may stay
 *   DELETE /admin/v1/connections/:id/drift/allowed/:email    takes an allowance back
 * Reviewers may read; only admins may ask for a scan or allow an account.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { allowInputSchema, type Allowance } from '../../core/drift/schema.ts';
import { DriftStore } from '../../core/drift/store.ts';
import { newRunId } from '../../core/runs/store.ts';
import { adminError, requireRole } from './auth.ts';

export type DriftRefusal = { ok: false; status: 400 | 404; code: string; message: string };
type Result<T> = ({ ok: true } & T) | DriftRefusal;
const refuse = (status: 400 | 404, code: string, message: string): DriftRefusal => ({ ok: false, status, code, message });

export const driftStoreOf = (app: FastifyInstance) => new DriftStore(app.scimwright.redis, app.scimwright.config.redisPrefix);

/** Queues a drift scan of the connection, recorded as the run id it answers with. */
export async function queueDriftScan(app: FastifyInstance, id: string, log: FastifyBaseLogger): Promise<Result<{ runId: string }>> {
  const { connections, connectors, queue } = app.scimwright;
  const connection = await connections.get(id);
  if (!connection) return refuse(404, 'not_found', `No connection "${id}".`);
  if (!connectors.get(connection.connector)?.capabilities.listUsers || !queue.enqueueDriftScan) {
    return refuse(400, 'unsupported', `The ${connection.connector} connector cannot list its members, so it cannot be scanned for drift.`);
  }
  const runId = newRunId();
  await queue.enqueueDriftScan(connection.id, runId);
  log.info({ connectionId: connection.id, runId }, 'drift scan queued');
  return { ok: true, runId };
}

/** Allows a shadow account with a reason; `by` is the admin token id that decided. */
export async function allowShadow(app: FastifyInstance, id: string, body: unknown, by: string): Promise<Result<{ allowance: Allowance }>> {
  if (!(await app.scimwright.connections.get(id))) return refuse(404, 'not_found', `No connection "${id}".`);
  const input = allowInputSchema.safeParse(body ?? {});
  if (!input.success) return refuse(400, 'invalid_request', input.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const allowance: Allowance = { ...input.data, by, at: new Date().toISOString() };
  await driftStoreOf(app).allow(id, allowance);
  return { ok: true, allowance };
}

export async function driftRoutes(app: FastifyInstance) {
  const store = driftStoreOf(app);
  type WithId = { Params: { id: string } };

  app.post<WithId>('/connections/:id/drift-scan', { onRequest: requireRole('admin') }, async (request, reply) => {
    const queued = await queueDriftScan(app, request.params.id, request.log);
    if (!queued.ok) return adminError(reply, queued.status, queued.code, queued.message);
    return reply.code(201).header('location', `/admin/v1/runs/${queued.runId}`).send({ runId: queued.runId });
  });

  app.get<WithId>('/connections/:id/drift', { onRequest: requireRole('reviewer') }, async (request, reply) => {
    const { id } = request.params;
    if (!(await app.scimwright.connections.get(id))) return adminError(reply, 404, 'not_found', `No connection "${id}".`);
    const [lastScan, findings, allowed] = await Promise.all([store.lastScan(id), store.findings(id), store.allowances(id)]);
    return { id, ...(lastScan ? { lastScan } : {}), findings, allowed };
  });

  app.post<WithId>('/connections/:id/drift/allowed', { onRequest: requireRole('admin') }, async (request, reply) => {
    const allowed = await allowShadow(app, request.params.id, request.body, request.adminToken!.id);
    if (!allowed.ok) return adminError(reply, allowed.status, allowed.code, allowed.message);
    request.log.info({ connectionId: request.params.id, by: allowed.allowance.by }, 'shadow account allowed');
    return reply.code(201).send(allowed.allowance);
  });

  app.delete<{ Params: { id: string; email: string } }>('/connections/:id/drift/allowed/:email', { onRequest: requireRole('admin') }, async (request, reply) => {
    const removed = await store.disallow(request.params.id, request.params.email);
    return removed ? reply.code(204).send() : adminError(reply, 404, 'not_found', `No allowance for "${request.params.email}".`);
  });
}
