/**
 * Failed and stuck work across connections, with the reason, and a retry for admins. Retry asks
 * the queue to converge the user again (converge, don't replay: the worker reads the desired state
 * afresh, so a retry is always safe).
 */
import type { FastifyInstance } from 'fastify';
import { resume } from '../admin/health-view.ts';
import { safeNext } from './auth-routes.ts';
import { runField } from './connections-page.ts';
import { stuckAfterMs, stuckRuns, usersIn, type UserRow } from './data.ts';
import { errorPage } from './errors.ts';
import { badge, href, html, time, type Html } from './html.ts';
import { csrfField, emptyState, page } from './layout.ts';
import type { ConsoleSession } from './session.ts';

interface Row { connectionId: string; user: UserRow }

function retryForm(session: ConsoleSession, connectionId: string, userId: string, label: string): Html {
  return html`<form method="post" action="${href('connections', connectionId, 'users', userId, 'retry')}">
    ${csrfField(session)}<input type="hidden" name="next" value="/console/attention">
    <button type="submit" class="small" aria-label="${label}">Retry</button></form>`;
}

function userTable(rows: Row[], session: ConsoleSession, caption: string): Html {
  const admin = session.role === 'admin';
  return html`<div class="table-wrap"><table><caption class="visually-hidden">${caption}</caption>
    <thead><tr><th scope="col">User</th><th scope="col">Connection</th><th scope="col">State</th><th scope="col">Reason</th>
      <th scope="col">Since</th>${admin ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
    <tbody>${rows.map(({ connectionId, user }) => html`<tr>
      <th scope="row"><a href="${href('connections', connectionId, 'users', user.userId)}">${user.userName ?? user.userId}</a></th>
      <td>${connectionId}</td>
      <td>${badge(user.state)}${user.stuck ? html` ${badge('stuck')}` : ''}</td>
      <td>${user.state === 'failed'
        ? html`<span class="mono">${user.lastErrorReason ?? 'error'}</span><div class="sub">${user.lastError ?? ''}</div>`
        : html`Waiting for a run since the last change`}</td>
      <td>${time(user.state === 'failed' ? user.lastRunAt : user.changedAt)}</td>
      ${admin ? html`<td>${retryForm(session, connectionId, user.userId, `Retry ${user.userName ?? user.userId}`)}</td>` : ''}
    </tr>`)}</tbody></table></div>`;
}

export async function attentionRoutes(app: FastifyInstance) {
  app.get('/attention', async (request, reply) => {
    const session = request.consoleSession!;
    const failed: Row[] = [];
    const stuck: Row[] = [];
    const running: Array<{ connectionId: string; run: Record<string, unknown> & { runId: string; userId?: string; startedAt?: string } }> = [];
    for (const connection of await app.scimwright.connections.list()) {
      for (const user of await usersIn(app, connection.id, 'failed')) failed.push({ connectionId: connection.id, user });
      for (const user of await usersIn(app, connection.id, 'stuck')) stuck.push({ connectionId: connection.id, user });
      for (const run of await stuckRuns(app, connection.id)) running.push({ connectionId: connection.id, run });
    }
    const minutes = Math.round(stuckAfterMs(app) / 60_000);
    const body = html`
      <section aria-labelledby="failed-h"><h2 id="failed-h">Failed <span class="count">${failed.length}</span></h2>
        ${failed.length === 0 ? emptyState('Nothing failed', 'Every user’s last run succeeded or is still to come.') : userTable(failed, session, 'Users whose last run failed')}</section>
      <section aria-labelledby="stuck-h"><h2 id="stuck-h">Stuck <span class="count">${stuck.length + running.length}</span></h2>
        <p class="muted">A change counts as stuck when no run has carried it out ${minutes} minutes after it arrived.</p>
        ${stuck.length === 0 ? emptyState('Nothing stuck', 'No change has waited too long.') : userTable(stuck, session, 'Users with a change waiting too long')}
        ${running.length > 0 ? html`<h3>Runs still marked running after ${minutes} minutes</h3><ul class="plain">${running.map(({ connectionId, run }) => html`<li>
          <a href="${href('connections', connectionId, 'users', run.userId ?? '')}">${run.userId ?? runField(run, 'task') ?? run.runId}</a> on ${connectionId}:
          run <span class="mono">${run.runId}</span> started ${time(run.startedAt)} by ${runField(run, 'worker') ?? 'a worker'}</li>`)}</ul>` : ''}
      </section>`;
    const done = (request.query as { done?: string }).done === 'retry';
    return reply.type('text/html; charset=utf-8').send(page({
      title: 'Failed & stuck', section: 'attention', session,
      ...(done ? { notice: { kind: 'ok' as const, text: 'Retry queued: the worker will converge that user again.' } } : {}),
    }, body));
  });

  app.post<{ Params: { id: string; userId: string }; Body: { next?: string } }>('/connections/:id/users/:userId/retry', { config: { admin: true } }, async (request, reply) => {
    const session = request.consoleSession!;
    const { id, userId } = request.params;
    const state = await app.scimwright.directory.provisioning.get(id, userId);
    if (!state) return errorPage(reply, 404, 'Not found', `No user "${userId}" in connection "${id}".`, session);
    // A person looked: a connection marked as needing attention resumes (its user jobs go again).
    if (await resume(app, id)) request.log.info({ connectionId: id, by: session.tokenId }, 'connection resumed from the console');
    await app.scimwright.queue.enqueue([{ connectionId: id, userId }]);
    request.log.info({ connectionId: id, userId, by: session.tokenId }, 'converge retried from the console');
    const next = request.body?.next === '/console/attention' ? '/console/attention' : href('connections', id, 'users', userId);
    return reply.redirect(`${safeNext(next)}?done=retry`, 303);
  });
}
