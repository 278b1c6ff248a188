/**
 * The connections overview with a banner per connection that needs attention (its screens stopped
 * matching), the last canary check, each SCIM base URL with a copy button, and the add, edit,
 * rotate-token and check-now actions (admins; adding and editing: connection-edit-page.ts).
 */
import type { FastifyInstance } from 'fastify';
import { readHealth, type HealthView } from '../admin/health-view.ts';
import { queueCheck } from '../admin/connection-writes.ts';
import { summarize, type ConnectionSummary } from './data.ts';
import { errorPage } from './errors.ts';
import { badge, href, html, time, withQuery, type Html } from './html.ts';
import { csrfField, emptyState, page } from './layout.ts';
import { scimUrlLine } from './scim-url.ts';
import type { ConsoleSession } from './session.ts';

export function runField(run: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = run?.[key];
  return typeof value === 'string' ? value : undefined;
}

type Summary = ConnectionSummary & { health2: HealthView };

function shotLink(links: { consoleScreenshot?: string } | undefined, label: string): Html | string {
  return links?.consoleScreenshot ? html` <a href="${links.consoleScreenshot}">${label}</a>` : '';
}

function checkForm(session: ConsoleSession, id: string): Html | string {
  return session.role === 'admin' ? html`<form method="post" action="${href('connections', id, 'check')}" class="inline">
    ${csrfField(session)}<button type="submit" class="small" aria-label="Check ${id} now">Check now</button></form>` : '';
}

/** One alert per marked connection, above the table: the words, the screenshot, what to do. */
function attentionBanners(summaries: Summary[], session: ConsoleSession): Html {
  const marked = summaries.filter((s) => s.health2.attention);
  return html`${marked.map((s) => {
    const a = s.health2.attention!;
    return html`<div class="notice notice-error" role="alert" aria-label="${s.connection.id} needs attention">
      <strong>${s.connection.id} needs attention:</strong> ${a.screen}: ${a.missing}.
      <span class="sub">Since ${time(a.since)}; ${a.cause === 'check' ? 'the canary check failed' : 'several runs in a row failed on this screen'}. User jobs wait until a check passes or a retry resumes them.</span>
      ${shotLink(a.links, 'Screenshot of the screen')} <span class="mono">${a.runId}</span> ${checkForm(session, s.connection.id)}</div>`;
  })}`;
}

function lastCheckCell(s: Summary): Html {
  const c = s.health2.lastCheck;
  if (!c) return html`<span class="muted">not checked yet</span>`;
  // A passed check lists every screen it looked at: folded, so the row stays one row high.
  const seen = c.observations ?? [];
  const detail = c.ok
    ? html`<details class="check-detail sub"><summary>${seen.length} screen check(s) as expected</summary><ul>${seen.map((o) => html`<li>${o}</li>`)}</ul></details>`
    : html`<div class="sub">${c.error ?? ''}</div>`;
  return html`${badge(c.ok ? 'succeeded' : 'failed')} ${time(c.at)}${shotLink(c.links, 'screenshot')}${detail}`;
}

function row(app: FastifyInstance, s: Summary, session: ConsoleSession): Html {
  const c = s.connection;
  const users = href('connections', c.id, 'users');
  const count = (state: string, n: number) => n > 0
    ? html`<a href="${withQuery(users, { state })}" aria-label="${n} ${state.replace('_', ' ')} users">${n}</a>`
    : html`<span class="muted">0</span>`;
  return html`<tr>
    <th scope="row"><a href="${users}">${c.id}</a><div class="sub">${c.baseUrl}</div><div class="sub scim-line">SCIM base URL ${scimUrlLine(app, c.id)}</div></th>
    <td>${s.connectorName}</td>
    <td>${s.health2.attention ? html`${badge('failing')} <span class="badge badge-bad">needs attention</span>` : badge(s.health)}${s.counts.failed > 0 ? html`<div class="sub">${s.counts.failed} user(s) failed</div>` : ''}${s.stuck > 0 ? html`<div class="sub">${s.stuck} waiting too long</div>` : ''}</td>
    <td>issued ${time(c.token.createdAt)}<div class="sub mono">${c.token.id}</div></td>
    <td>${s.lastRun ? html`${badge(s.lastRun.status)} <a href="${href('connections', c.id, 'users', s.lastRun.userId ?? '')}">${time(s.lastRun.startedAt)}</a>` : html`<span class="muted">no run yet</span>`}</td>
    <td>${lastCheckCell(s)}</td>
    <td class="num">${count('in_sync', s.counts.in_sync)}</td>
    <td class="num">${count('pending', s.counts.pending)}</td>
    <td class="num">${count('failed', s.counts.failed)}</td>
    <td class="num">${count('removed', s.counts.removed)}</td>
    ${session.role === 'admin' ? html`<td><div class="row-actions"><form method="post" action="${href('connections', c.id, 'rotate-token')}" data-confirm="Rotate the SCIM token of ${c.id}? The identity provider is refused until you paste the new token into it.">
      ${csrfField(session)}<button type="submit" class="small">Rotate token</button></form>${checkForm(session, c.id)}
      <a class="button small" href="${href('connections', c.id, 'edit')}" aria-label="Edit ${c.id}">Edit</a></div></td>` : ''}
  </tr>`;
}

/** A token to show once: after a rotation, or a new connection's first (`created`, with its login test run). */
interface Revealed { connectionId: string; token: string; tokenId: string; created?: boolean; testRunId?: string }

function revealBody(app: FastifyInstance, revealed: Revealed): Html {
  const next = revealed.created
    ? html`<a class="button primary" href="${withQuery(href('connections', revealed.connectionId, 'edit'), { test: revealed.testRunId })}">${revealed.testRunId ? 'Done: see the login test' : 'Done'}</a>`
    : html`<a class="button" href="/console/connections">Done</a>`;
  return html`<div class="reveal" role="status">
    <p><strong>This is the only time the ${revealed.created ? '' : 'new '}token is shown.</strong> ${revealed.created
      ? `Connection ${revealed.connectionId} is added. Paste the SCIM base URL and this token into your identity provider now.`
      : 'Paste it into your identity provider now; the old token is already refused.'}</p>
    <dl class="kv">
      <dt>SCIM base URL</dt><dd>${scimUrlLine(app, revealed.connectionId)}</dd>
      <dt>Bearer token</dt><dd><code id="new-token" class="secret">${revealed.token}</code>
        <button type="button" class="small" data-copy="new-token">Copy token</button></dd>
      <dt>Token id</dt><dd class="mono">${revealed.tokenId}</dd>
    </dl>
    <p>${next}</p>
  </div>`;
}

export async function connectionPages(app: FastifyInstance) {
  app.get('/connections', async (request, reply) => {
    const session = request.consoleSession!;
    const summaries: Summary[] = await Promise.all((await app.scimwright.connections.list())
      .map(async (c) => ({ ...(await summarize(app, c)), health2: await readHealth(app, c.id) })));
    const body = summaries.length === 0
      ? emptyState('No connections yet', html`Add one with the button${session.role === 'admin' ? '' : ' (admins)'} or <code>npx scimwright connections add …</code>; it shows up here with its users and runs.`)
      : html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Connections with their health, SCIM token age, last run and users by provisioning state</caption>
      <thead><tr><th scope="col">Connection</th><th scope="col">Connector</th><th scope="col">Health</th><th scope="col">SCIM token</th>
        <th scope="col">Last run</th><th scope="col">Last check</th><th scope="col" class="num">In sync</th><th scope="col" class="num">Pending</th>
        <th scope="col" class="num">Failed</th><th scope="col" class="num">Removed</th>${session.role === 'admin' ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
      <tbody>${summaries.map((s) => row(app, s, session))}</tbody></table></div>`;
    const add = session.role === 'admin' ? html`<p class="actions"><a class="button primary" href="/console/connections/new">Add connection</a></p>` : '';
    const done = (request.query as { check?: string }).check;
    return reply.type('text/html; charset=utf-8').send(page({
      title: 'Connections', section: 'connections', session,
      ...(done ? { notice: { kind: 'ok' as const, text: `Check queued as run ${done}; reload to see its result.` } } : {}),
    }, html`${attentionBanners(summaries, session)}${add}${body}`));
  });

  app.post<{ Params: { id: string } }>('/connections/:id/check', { config: { admin: true } }, async (request, reply) => {
    const session = request.consoleSession!;
    const queued = await queueCheck(app, request.params.id, request.log.child({ by: session.tokenId }));
    if (!queued.ok) return errorPage(reply, queued.status, queued.status === 404 ? 'Not found' : 'Not supported', queued.message, session);
    return reply.redirect(withQuery('/console/connections', { check: queued.runId }), 303);
  });

  app.post<{ Params: { id: string } }>('/connections/:id/rotate-token', { config: { admin: true } }, async (request, reply) => {
    const session = request.consoleSession!;
    const rotated = await app.scimwright.connections.rotateToken(request.params.id);
    if (!rotated) return errorPage(reply, 404, 'Not found', `No connection "${request.params.id}".`, session);
    request.log.info({ connectionId: rotated.connection.id, tokenId: rotated.connection.token.id, by: session.tokenId }, 'SCIM token rotated from the console');
    await app.consoleSessions.stash(request.consoleSessionId!, { connectionId: rotated.connection.id, token: rotated.token, tokenId: rotated.connection.token.id });
    return reply.redirect(href('connections', rotated.connection.id, 'new-token'), 303);
  });

  app.get<{ Params: { id: string } }>('/connections/:id/new-token', { config: { admin: true } }, async (request, reply) => {
    const session = request.consoleSession!;
    const revealed = await app.consoleSessions.takeStash<Revealed>(request.consoleSessionId!);
    const body = revealed && revealed.connectionId === request.params.id
      ? revealBody(app, revealed)
      : emptyState('The new token is no longer shown', 'A new SCIM token is shown once, right after rotating. If it was not copied, rotate again.');
    return reply.type('text/html; charset=utf-8').send(page({
      title: revealed?.created ? `${request.params.id} added` : `New SCIM token for ${request.params.id}`, section: 'connections', session,
      crumbs: [{ label: 'Connections', path: '/console/connections' }],
    }, body));
  });
}
