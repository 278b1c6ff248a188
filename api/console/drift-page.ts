/**
 * Drift (issue 18, item 1; docs/drift.md): per connection, the last scan's findings with first-seen
 * and last-seen, the evidence of the screens it read, and the shadow accounts an admin allowed.
 * Admins may ask for a scan and allow a shadow account with a reason (CSRF-checked like every
 * console form); reviewers read everything and get 403 on both actions from the console's guard.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StoredConnection } from '../../core/connections/schema.ts';
import { KIND_WORDS, type Allowance, type Finding, type ScanSummary } from '../../core/drift/schema.ts';
import { allowShadow, driftStoreOf, queueDriftScan } from '../admin/drift.ts';
import { errorPage } from './errors.ts';
import { badge, href, html, time, withQuery, type Html } from './html.ts';
import { csrfField, emptyState, page } from './layout.ts';
import type { ConsoleSession } from './session.ts';
import { evidenceBlock } from './timeline-page.ts';

const admin = { config: { admin: true } } as const;
type Notice = { kind: 'ok' | 'error'; text: string };

function allowForm(session: ConsoleSession, connectionId: string, email: string): Html {
  const id = `reason-${connectionId}-${email}`.replace(/[^a-zA-Z0-9-]/g, '-');
  return html`<form method="post" action="${href('connections', connectionId, 'drift', 'allow')}" class="inline">${csrfField(session)}
    <input type="hidden" name="email" value="${email}">
    <label for="${id}" class="visually-hidden">Why ${email} may stay</label>
    <input id="${id}" name="reason" required minlength="3" maxlength="500" placeholder="Why it may stay (break-glass admin…)">
    <button type="submit" class="small" aria-label="Allow ${email}">Allow</button></form>`;
}

function findingRow(f: Finding, connectionId: string, session: ConsoleSession): Html {
  const canAllow = session.role === 'admin' && f.kind === 'unknown';
  return html`<tr>
    <td>${f.kind === 'unknown' ? html`${badge('shadow')}<div class="sub">${KIND_WORDS.unknown}</div>` : badge(KIND_WORDS[f.kind])}</td>
    <th scope="row">${f.userId ? html`<a href="${href('connections', connectionId, 'users', f.userId)}">${f.email}</a>` : f.email}</th>
    <td>${f.detail}</td>
    <td>${time(f.firstSeen)}</td>
    <td>${time(f.lastSeen)}<div class="sub mono">${f.runId}</div></td>
    ${session.role === 'admin' ? html`<td>${canAllow ? allowForm(session, connectionId, f.email) : ''}</td>` : ''}
  </tr>`;
}

function findingsTable(findings: Finding[], connectionId: string, session: ConsoleSession): Html {
  if (findings.length === 0) return emptyState('No drift found', 'The app matched the desired state at the last scan.');
  return html`<div class="table-wrap"><table>
    <caption class="visually-hidden">Drift findings of ${connectionId}</caption>
    <thead><tr><th scope="col">Kind</th><th scope="col">Address</th><th scope="col">What differs</th><th scope="col">First seen</th><th scope="col">Last seen</th>
      ${session.role === 'admin' ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
    <tbody>${findings.map((f) => findingRow(f, connectionId, session))}</tbody></table></div>`;
}

function allowedList(allowed: Allowance[]): Html | string {
  if (allowed.length === 0) return '';
  return html`<h3>Allowed accounts <span class="count">${allowed.length}</span></h3><ul class="plain">${allowed.map((a) => html`<li>
    <strong>${a.email}</strong>: ${a.reason} <span class="sub">allowed ${time(a.at)} by ${a.by === 'env'
      ? 'the operator admin token' : html`token <span class="mono">${a.by}</span>`}</span></li>`)}</ul>`;
}

/** `open`: the findings still listed (an account allowed since the scan is no longer one). */
function scanLine(scan: ScanSummary | undefined, open: number): Html {
  if (!scan) return html`<p class="muted">Not scanned yet.</p>`;
  return html`<p>Last scan ${time(scan.at)}: ${scan.members} members listed, ${open} finding(s)${scan.repaired ? `, ${scan.repaired} user(s) sent to converge` : ''}.</p>`;
}

async function section(app: FastifyInstance, c: StoredConnection, session: ConsoleSession): Promise<Html> {
  const store = driftStoreOf(app);
  const [scan, findings, allowed] = await Promise.all([store.lastScan(c.id), store.findings(c.id), store.allowances(c.id)]);
  const run = scan ? await app.scimwright.runs?.get(scan.runId) : undefined;
  const reader = app.scimwright.evidence;
  const evidence = run?.evidence && reader ? await reader.inspectRun(run.evidence.dir).catch(() => null) : undefined;
  const mode = c.settings.drift ?? 'report';
  return html`<section aria-labelledby="drift-${c.id}"><h2 id="drift-${c.id}">${c.id} <span class="count">${findings.length}</span></h2>
    ${scanLine(scan, findings.length)}<p class="sub">Differences for IdP users are ${mode === 'repair' ? 'repaired at once' : 'reported only'} (drift: ${mode}); shadow accounts are never removed by a scan.</p>
    ${session.role === 'admin' ? html`<form method="post" action="${href('connections', c.id, 'drift-scan')}">${csrfField(session)}
      <button type="submit" class="small">Scan ${c.id} now</button></form>` : ''}
    ${scan ? findingsTable(findings, c.id, session) : ''}
    ${allowedList(allowed)}
    ${run ? html`<h3>Screens the last scan read</h3>${evidenceBlock(run, evidence, false)}` : ''}
  </section>`;
}

export async function driftRoutes(app: FastifyInstance) {
  const show = async (reply: FastifyReply, session: ConsoleSession, notice?: Notice) => {
    const connections = await app.scimwright.connections.list();
    const store = driftStoreOf(app);
    const scanned = (await Promise.all(connections.map((c) => store.lastScan(c.id)))).some((s) => s !== undefined);
    const body = html`${scanned ? '' : emptyState('No drift scan has run yet',
      'A drift scan lists every member an app shows and compares it with what the IdP asked for. Scans run every driftScanHours (24 by default) or when asked for; their findings are listed here.')}
      ${await Promise.all(connections.map((c) => section(app, c, session)))}`;
    return reply.code(notice?.kind === 'error' ? 400 : 200).type('text/html; charset=utf-8')
      .send(page({ title: 'Drift', section: 'drift', session, ...(notice ? { notice } : {}) }, body));
  };

  app.get<{ Querystring: { allowed?: string; scan?: string } }>('/drift', async (request, reply) => {
    const { allowed, scan } = request.query;
    const notice = typeof allowed === 'string' ? { kind: 'ok' as const, text: `${allowed.slice(0, 320)} is allowed; scans stay quiet about it.` }
      : typeof scan === 'string' ? { kind: 'ok' as const, text: `Drift scan queued as run ${scan.slice(0, 40)}; reload this page when it has run.` } : undefined;
    return show(reply, request.consoleSession!, notice);
  });

  app.post<{ Params: { id: string }; Body: Record<string, string | undefined> }>('/connections/:id/drift/allow', admin, async (request, reply) => {
    const session = request.consoleSession!;
    const allowed = await allowShadow(app, request.params.id, { email: request.body?.email, reason: request.body?.reason }, session.tokenId);
    if (!allowed.ok && allowed.status === 404) return errorPage(reply, 404, 'Not found', allowed.message, session);
    if (!allowed.ok) return show(reply, session, { kind: 'error', text: `Not allowed: ${allowed.message}` });
    request.log.info({ connectionId: request.params.id, by: session.tokenId }, 'shadow account allowed from the console');
    return reply.redirect(withQuery('/console/drift', { allowed: allowed.allowance.email }), 303);
  });

  app.post<{ Params: { id: string } }>('/connections/:id/drift-scan', admin, async (request, reply) => {
    const session = request.consoleSession!;
    const queued = await queueDriftScan(app, request.params.id, request.log);
    if (!queued.ok) return queued.status === 404 ? errorPage(reply, 404, 'Not found', queued.message, session) : show(reply, session, { kind: 'error', text: queued.message });
    return reply.redirect(withQuery('/console/drift', { scan: queued.runId }), 303);
  });
}
