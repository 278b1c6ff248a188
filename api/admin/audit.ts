/**
 * GET /admin/v1/audit: the audit log across users (reviewers may read and export it).
 * `format=json` answers one page and a `next` cursor; `format=csv` downloads every matching change.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuditChange } from '../../core/audit/schema.ts';
import type { AuditStore } from '../../core/audit/store.ts';
import {
  allMatching, auditQuerySchema, CSV_HEADER, csvLine, DEFAULT_DEPROVISION_TARGET_MINUTES, storeQuery, toRow, type AuditRow,
} from '../../core/audit/view.ts';
import { adminError, requireRole } from './auth.ts';

export function auditStore(app: FastifyInstance): AuditStore {
  return app.scimwright.directory.provisioning.audit.store;
}

/** Rows with each connection's deprovisioning target (read once per connection per call). */
export function rowMaker(app: FastifyInstance, now = Date.now()) {
  const targets = new Map<string, Promise<number>>();
  const target = (id: string) => {
    if (!targets.has(id)) {
      targets.set(id, app.scimwright.connections.get(id).then((c) => c?.settings.deprovisionTargetMinutes ?? DEFAULT_DEPROVISION_TARGET_MINUTES));
    }
    return targets.get(id)!;
  };
  return async (change: AuditChange): Promise<AuditRow> => toRow(change, await target(change.connectionId), now);
}

/** Streams a download: CSV lines or one JSON array, built page by page. */
export async function sendDownload(app: FastifyInstance, reply: FastifyReply, query: ReturnType<typeof storeQuery>, format: 'csv' | 'json') {
  const rows = rowMaker(app);
  const changes = allMatching(auditStore(app), query);
  async function* body() {
    let first = true;
    yield format === 'csv' ? `${CSV_HEADER}\n` : '[';
    for await (const change of changes) {
      const row = await rows(change);
      yield format === 'csv' ? `${csvLine(row)}\n` : `${first ? '' : ','}\n${JSON.stringify(row)}`;
      first = false;
    }
    if (format === 'json') yield '\n]\n';
  }
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return reply
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="scimwright-audit-${stamp}.${format}"`)
    .send((await import('node:stream')).Readable.from(body()));
}

export async function auditRoutes(app: FastifyInstance) {
  app.get('/audit', { onRequest: requireRole('reviewer') }, async (request, reply) => {
    const parsed = auditQuerySchema.safeParse(request.query);
    if (!parsed.success) return adminError(reply, 400, 'invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const query = storeQuery(parsed.data);
    if (parsed.data.format === 'csv') return sendDownload(app, reply, query, 'csv');
    const page = await auditStore(app).query(query);
    const rows = rowMaker(app);
    return { changes: await Promise.all(page.changes.map(rows)), ...(page.next ? { next: page.next } : {}) };
  });
}
