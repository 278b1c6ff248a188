/** A connection's users, with search (userName or id) and a provisioning-state filter. */
import type { FastifyInstance } from 'fastify';
import type { ProvisioningStateName } from '../../core/provisioning/state.ts';
import { STATES, usersIn, usersOf, type UserRow } from './data.ts';
import { errorPage } from './errors.ts';
import { badge, href, html, time, withQuery, type Html } from './html.ts';
import { emptyState, page } from './layout.ts';

/** Rows shown at once; the search narrows the rest. */
const PAGE_ROWS = 200;

function userRow(connectionId: string, u: UserRow): Html {
  return html`<tr>
    <th scope="row"><a href="${href('connections', connectionId, 'users', u.userId)}">${u.userName ?? u.userId}</a><div class="sub mono">${u.userId}</div></th>
    <td>${badge(u.state)}${u.stuck ? html` ${badge('stuck')}` : ''}${u.deleted ? html`<div class="sub">deleted in the IdP</div>` : ''}</td>
    <td>${u.appRole ?? html`<span class="muted">—</span>`}</td>
    <td>${time(u.lastRunAt)}</td>
    <td>${u.lastErrorReason ? html`<span class="mono">${u.lastErrorReason}</span><div class="sub">${u.lastError ?? ''}</div>` : html`<span class="muted">—</span>`}</td>
  </tr>`;
}

export async function userRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string }; Querystring: { q?: string; state?: string } }>('/connections/:id/users', async (request, reply) => {
    const session = request.consoleSession!;
    const connection = await app.scimwright.connections.get(request.params.id);
    if (!connection) return errorPage(reply, 404, 'Not found', `No connection "${request.params.id}".`, session);
    const q = (request.query.q ?? '').trim().slice(0, 200);
    const state = STATES.includes(request.query.state as never) || request.query.state === 'stuck' ? request.query.state : undefined;
    const total = await app.scimwright.directory.provisioning.count(connection.id);
    // A state filter reads that state's users only (state index); no filter reads every user.
    const inScope = state ? await usersIn(app, connection.id, state as ProvisioningStateName | 'stuck') : await usersOf(app, connection.id);
    const needle = q.toLowerCase();
    const matched = inScope.filter((u) => !needle || (u.userName ?? '').toLowerCase().includes(needle) || u.userId.toLowerCase().includes(needle));
    const shown = matched.slice(0, PAGE_ROWS);
    const filters = html`<form method="get" class="filters" role="search" aria-label="Filter users">
      <div class="field"><label for="q">Search</label><input id="q" name="q" type="search" value="${q}" placeholder="email or user id"></div>
      <div class="field"><label for="state">State</label><select id="state" name="state">
        <option value="">All states</option>
        ${[...STATES, 'stuck'].map((s) => html`<option value="${s}"${s === state ? html` selected` : ''}>${s.replace('_', ' ')}</option>`)}
      </select></div>
      <button type="submit">Apply</button>
      ${q || state ? html`<a class="clear" href="${href('connections', connection.id, 'users')}">Clear</a>` : ''}
    </form>`;
    const countLine = html`<p class="muted" role="status">${matched.length === total ? `${total} user(s)` : `${matched.length} of ${total} user(s) match`}${matched.length > PAGE_ROWS ? `; the first ${PAGE_ROWS} are shown, narrow the search to see others` : ''}.</p>`;
    let table: Html;
    if (total === 0) table = emptyState('No users yet', 'Users appear here once the identity provider sends them over SCIM.');
    else if (shown.length === 0) table = emptyState('No user matches', html`Nothing matches ${q ? `“${q}”` : ''}${state ? ` in state ${state.replace('_', ' ')}` : ''}. <a href="${withQuery(href('connections', connection.id, 'users'), {})}">Show all users</a>.`);
    else {
      table = html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Users of ${connection.id}</caption>
      <thead><tr><th scope="col">User</th><th scope="col">State</th><th scope="col">Role in the app</th><th scope="col">Last run</th><th scope="col">Last error</th></tr></thead>
      <tbody>${shown.map((u) => userRow(connection.id, u))}</tbody></table></div>`;
    }
    return reply.type('text/html; charset=utf-8').send(page({
      title: `Users of ${connection.id}`, section: 'connections', session, crumbs: [{ label: 'Connections', path: '/console/connections' }],
    }, html`${filters}${countLine}${table}`));
  });
}
