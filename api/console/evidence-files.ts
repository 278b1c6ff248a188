/**
 * Evidence files for signed-in users only: GET /console/evidence/:runId/:file. The file must be
 * one the run record lists (or its manifest), its name a plain numbered name, and it is opened by
 * core/platform/evidence-file.ts: no traversal, no symlink anywhere in the run folder.
 * Captured HTML is served as text, never rendered (it is the app's page, not ours).
 */
import type { FastifyInstance } from 'fastify';
import { readEvidenceFile } from '../../core/platform/evidence-file.ts';
import { errorPage } from './errors.ts';

const FILE_NAME = /^(?:\d{3,}-[a-z0-9][a-z0-9.-]{0,120}|manifest\.json)$/;
const RUN_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const RUN_DIR = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}\/\d{4}-\d{2}-\d{2}\/[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

function contentType(name: string): string {
  if (name.endsWith('.png')) return 'image/png';
  if (name.endsWith('.json')) return 'application/json; charset=utf-8';
  return 'text/plain; charset=utf-8';
}

export async function evidenceFileRoutes(app: FastifyInstance) {
  app.get<{ Params: { runId: string; file: string } }>('/evidence/:runId/:file', async (request, reply) => {
    const session = request.consoleSession!;
    const { runId, file } = request.params;
    const notFound = () => errorPage(reply, 404, 'Not found', 'No such evidence file.', session);
    if (!RUN_ID.test(runId) || runId.includes('..') || !FILE_NAME.test(file) || file.includes('..')) return notFound();
    const run = await app.scimwright.runs?.get(runId);
    const dir = run?.evidence?.dir;
    if (!dir || !RUN_DIR.test(dir) || dir.includes('..') || (file !== 'manifest.json' && !run.evidence!.files.includes(file))) return notFound();
    const bytes = await readEvidenceFile(app.scimwright.config.recordingsDir, dir, file);
    if (!Buffer.isBuffer(bytes)) return notFound();
    return reply
      .type(contentType(file))
      .header('content-disposition', `${file.endsWith('.png') ? 'inline' : 'attachment'}; filename="${file}"`)
      .header('content-security-policy', "default-src 'none'; img-src 'self'; sandbox")
      .header('cache-control', 'private, max-age=300')
      .send(bytes);
  });
}
