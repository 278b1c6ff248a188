/**
 * Evidence export: a form (user, connection or date range) and the zip itself. Exporting only
 * reads, so reviewers may do it too; it is a GET and changes nothing. The user is given as people
 * know them, by email (or a SCIM user id); an unknown user or an impossible day is an error on the
 * form, never an empty bundle (runner/evidence/export-select.ts, shared with the CLI).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { html } from './html.ts';
import { emptyState, page } from './layout.ts';
import type { ConsoleSession } from './session.ts';

type ExportQuery = { connectionId?: string; userId?: string; from?: string; to?: string };

export async function exportRoutes(app: FastifyInstance) {
  async function exportForm(reply: FastifyReply, session: ConsoleSession, error?: string, sent: ExportQuery = {}) {
    const connections = await app.scimwright.connections.list();
    const body = !app.scimwright.evidence
      ? emptyState('Export is not available', 'This gateway was started without access to the recordings folder. Use `npx scimwright evidence export` on the machine that holds them.')
      : html`<p class="lead">A zip with the manifests and screenshots of the chosen runs, a verification report and a summary for people.
        Anyone can check it with <code>npx scimwright evidence verify --zip FILE</code>.</p>
      <form method="get" action="/console/export.zip" class="stack narrow">
        <div class="field"><label for="connectionId">Connection</label>
          <select id="connectionId" name="connectionId"><option value="">All connections</option>
          ${connections.map((c) => html`<option value="${c.id}"${c.id === sent.connectionId ? html` selected` : ''}>${c.id}</option>`)}</select></div>
        <div class="field"><label for="userId">User <span class="hint">(email or SCIM user id; optional; needs a connection)</span></label>
          <input id="userId" name="userId" spellcheck="false" autocomplete="off" placeholder="ann@example.com" value="${sent.userId ?? ''}"></div>
        <div class="row">
          <div class="field"><label for="from">From day (UTC)</label><input id="from" name="from" type="date" value="${sent.from ?? ''}"></div>
          <div class="field"><label for="to">To day (UTC)</label><input id="to" name="to" type="date" value="${sent.to ?? ''}"></div>
        </div>
        <button type="submit" class="primary">Download bundle</button>
      </form>`;
    return reply.code(error ? 400 : 200).type('text/html; charset=utf-8').send(page({
      title: 'Evidence export', section: 'export', session,
      ...(error ? { notice: { kind: 'error' as const, text: error } } : {}),
    }, body));
  }

  app.get('/export', async (request, reply) => exportForm(reply, request.consoleSession!));

  app.get<{ Querystring: ExportQuery }>('/export.zip', async (request, reply) => {
    const session = request.consoleSession!;
    const reader = app.scimwright.evidence;
    if (!reader) return reply.redirect('/console/export');
    const selection: ExportQuery = Object.fromEntries(Object.entries(request.query)
      .filter(([k, v]) => ['connectionId', 'userId', 'from', 'to'].includes(k) && typeof v === 'string' && v.trim() !== '')
      .map(([k, v]) => [k, (v as string).trim()]));
    let made;
    try {
      made = await reader.exportZip(selection);
    } catch (error) {
      const issues = (error as { issues?: Array<{ message: string }> }).issues;
      const message = issues ? issues.map((i) => i.message).join('; ') : 'The export failed; the gateway log has the details.';
      if (!issues) request.log.error({ err: error }, 'evidence export failed');
      return exportForm(reply, session, `No bundle made: ${message}`, selection);
    }
    request.log.info({ selection, by: session.tokenId }, 'evidence exported from the console');
    return reply.type('application/zip').header('content-disposition', `attachment; filename="${made.fileName}"`).send(made.stream);
  });
}
