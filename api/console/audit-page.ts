/**
 * The audit log across users, like an IdP's provisioning logs: every change with time, actor
 * token, target email, action, old → new, outcome and reason; filtered and paged on the server.
 * Reviewers read and export it as admins do (CSV or JSON of every matching change).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../../core/audit/schema.ts';
import { auditQuerySchema, storeQuery, type AuditRow } from '../../core/audit/view.ts';
import { auditStore, rowMaker, sendDownload } from '../admin/audit.ts';
import { errorPage } from './errors.ts';
import { badge, href, html, time, withQuery, type Html } from './html.ts';
import { emptyState, page } from './layout.ts';

type Filters = Record<'from' | 'to' | 'action' | 'outcome' | 'connection' | 'q', string | undefined>;

function diffCell(row: AuditRow): Html {
  if (row.changes.length === 0) return html`<span class="muted">other attributes</span>`;
  return html`<ul class="diffs">${row.changes.map((c) => html`<li><span class="mono">${c.field}</span> ${c.from ?? '∅'} → <strong>${c.to ?? '∅'}</strong></li>`)}</ul>`;
}

function deprovisionCell(row: AuditRow): Html | string {
  if (row.breach === undefined) return '';
  const took = row.deprovisionMs === undefined ? 'not done yet' : seconds(row.deprovisionMs);
  return row.breach
    ? html`<span class="badge badge-bad">over target</span> <span class="sub">${took}; target ${String(row.targetMinutes)} min</span>`
    : html`${took} <span class="sub">target ${String(row.targetMinutes)} min</span>`;
}

export function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function auditRow(row: AuditRow): Html {
  const user = href('connections', row.connectionId, 'users', row.userId);
  return html`<tr${row.breach ? html` class="breach"` : ''}>
    <td>${time(row.at)}</td>
    <td class="mono">${row.tokenId}<div class="sub">${row.request}</div></td>
    <th scope="row"><a href="${user}">${row.email}</a><div class="sub">${row.connectionId}</div></th>
    <td>${row.action}</td>
    <td>${diffCell(row)}</td>
    <td>${badge(row.outcome)}${row.reason ? html`<div class="sub mono">${row.reason}</div>` : ''}${row.error ? html`<div class="sub">${row.error}</div>` : ''}</td>
    <td>${deprovisionCell(row)}</td>
  </tr>`;
}

function filterForm(filters: Filters, connections: string[]): Html {
  const select = (name: 'action' | 'outcome' | 'connection', label: string, values: string[]) => html`<div class="field"><label for="${name}">${label}</label>
    <select id="${name}" name="${name}"><option value="">All</option>${values.map((v) => html`<option value="${v}"${v === filters[name] ? html` selected` : ''}>${v}</option>`)}</select></div>`;
  return html`<form method="get" class="filters" role="search" aria-label="Filter the audit log">
    <div class="field"><label for="from">From (UTC)</label><input id="from" name="from" type="date" value="${filters.from ?? ''}"></div>
    <div class="field"><label for="to">To (UTC)</label><input id="to" name="to" type="date" value="${filters.to ?? ''}"></div>
    ${select('action', 'Action', AUDIT_ACTIONS)}${select('outcome', 'Outcome', AUDIT_OUTCOMES)}${select('connection', 'Connection', connections)}
    <div class="field"><label for="q">Email</label><input id="q" name="q" type="search" value="${filters.q ?? ''}" placeholder="ann@example.com or part of it"></div>
    <button type="submit">Apply</button>
    ${Object.values(filters).some(Boolean) ? html`<a class="clear" href="/console/audit">Clear</a>` : ''}
  </form>`;
}

async function download(app: FastifyInstance, query: unknown, reply: FastifyReply, format: 'csv' | 'json') {
  const parsed = auditQuerySchema.safeParse(query);
  if (!parsed.success) return reply.code(400).type('text/plain; charset=utf-8').send(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const { cursor: _cursor, ...all } = storeQuery(parsed.data);
  return sendDownload(app, reply, all, format);
}

export async function auditRoutes(app: FastifyInstance) {
  app.get('/audit.csv', async (request, reply) => download(app, request.query, reply, 'csv'));
  app.get('/audit.json', async (request, reply) => download(app, request.query, reply, 'json'));
  app.get<{ Querystring: Record<string, string | undefined> }>('/audit', async (request, reply) => {
    const session = request.consoleSession!;
    const parsed = auditQuerySchema.safeParse(request.query);
    if (!parsed.success) return errorPage(reply, 400, 'Request not accepted', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), session);
    const { from, to, action, outcome, connection, q } = parsed.data;
    const filters: Filters = { from, to, action, outcome, connection, q };
    const pageOf = await auditStore(app).query(storeQuery(parsed.data));
    const rows = await Promise.all(pageOf.changes.map(rowMaker(app)));
    const connections = (await app.scimwright.connections.list()).map((c) => c.id).sort();
    const downloads = html`<p class="actions">Download every matching change:
      <a class="button" href="${withQuery('/console/audit.csv', filters)}" download>CSV</a>
      <a class="button" href="${withQuery('/console/audit.json', filters)}" download>JSON</a></p>`;
    const table = rows.length === 0
      ? emptyState('No change matches', 'Nothing in the audit log matches these filters.')
      : html`<div class="table-wrap"><table class="audit">
        <caption class="visually-hidden">Audit log, newest first</caption>
        <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Actor (token)</th><th scope="col">Target</th><th scope="col">Action</th>
          <th scope="col">Old → new</th><th scope="col">Outcome</th><th scope="col">Time to deprovision</th></tr></thead>
        <tbody>${rows.map(auditRow)}</tbody></table></div>`;
    const more = pageOf.next
      ? html`<nav class="pager" aria-label="Pages"><a class="button" rel="next" href="${withQuery('/console/audit', { ...filters, limit: String(parsed.data.limit), cursor: String(pageOf.next) })}">Older changes →</a></nav>`
      : '';
    const first = parsed.data.cursor ? html` <a href="${withQuery('/console/audit', filters)}">Back to the newest</a>` : '';
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Audit log', section: 'audit', session }, html`${filterForm(filters, connections)}
      <p class="muted" role="status">${rows.length} change(s) on this page, newest first; times are UTC.${first}</p>
      ${downloads}${table}${more}`));
  });
}
