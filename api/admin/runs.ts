/** Runs of the converge worker, for operators and reviewers: GET …/connections/:id/runs, GET /runs/:runId. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readEvidenceFile } from '../../core/platform/evidence-file.ts';
import { adminError, requireRole } from './auth.ts';

export interface RunRecordView {
  runId: string;
  connectionId: string;
  userId?: string;
  status: string;
  startedAt?: string;
  evidence?: { dir: string; files: string[] };
  [key: string]: unknown;
}

/** Implemented by the runner's run store; the API only reads. */
export interface RunReader {
  list(connectionId: string, filter: { userId?: string; status?: string; limit?: number; before?: string }): Promise<RunRecordView[]>;
  get(runId: string): Promise<RunRecordView | null>;
}

const listQuery = z.object({
  user: z.string().optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'retrying']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.string().optional(),
});

export async function runRoutes(app: FastifyInstance) {
  const reader = () => app.scimwright.runs;

  app.get<{ Params: { id: string } }>('/connections/:id/runs', { onRequest: requireRole('reviewer') }, async (request, reply) => {
    const parsed = listQuery.safeParse(request.query);
    if (!parsed.success) return adminError(reply, 400, 'invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (!(await app.scimwright.connections.get(request.params.id))) return adminError(reply, 404, 'not_found', `No connection "${request.params.id}".`);
    const { user, status, limit, before } = parsed.data;
    const runs = (await reader()?.list(request.params.id, { ...(user ? { userId: user } : {}), ...(status ? { status } : {}), limit, ...(before ? { before } : {}) })) ?? [];
    return { runs: runs.map((run) => withLinks(run)) };
  });

  app.get<{ Params: { runId: string } }>('/runs/:runId', { onRequest: requireRole('reviewer') }, async (request, reply) => {
    const run = await reader()?.get(request.params.runId);
    return run ? withLinks(run) : adminError(reply, 404, 'not_found', `No run "${request.params.runId}".`);
  });

  app.get<{ Params: { runId: string; file: string } }>('/runs/:runId/files/:file', { onRequest: requireRole('reviewer') }, async (request, reply) => {
    const run = await reader()?.get(request.params.runId);
    const file = request.params.file;
    if (!run?.evidence || !run.evidence.files.includes(file)) return adminError(reply, 404, 'not_found', 'No such evidence file.');
    const read = await readEvidenceFile(app.scimwright.config.recordingsDir, run.evidence.dir, file);
    // Listed but gone (or planted as a symlink): the file is not there to serve, which is a 404.
    if (!Buffer.isBuffer(read)) return adminError(reply, 404, 'not_found', read.reason === 'missing' ? 'The evidence file is listed but missing.' : 'No such evidence file.');
    const type = file.endsWith('.png') ? 'image/png' : file.endsWith('.json') ? 'application/json' : file.endsWith('.html') ? 'text/plain; charset=utf-8' : 'application/octet-stream';
    return reply.type(type).send(read);
  });
}

function withLinks(run: RunRecordView) {
  const files = run.evidence?.files ?? [];
  return { ...run, links: { self: `/admin/v1/runs/${run.runId}`, files: files.map((f) => `/admin/v1/runs/${run.runId}/files/${encodeURIComponent(f)}`) } };
}
