/**
 * A connection's users, paged and sorted on the server (core/provisioning/list-index.ts: one page
 * reads its rows only, however many users there are), with search, a state filter that includes
 * "retrying" (a failed try with another one coming: its next try and last error are shown), and
 * the import's progress, kept current by assets/console.js polling users-progress.json.
 */
import type { FastifyInstance } from 'fastify';
import { scrub } from '../../core/logger.ts';
import { changedIso, type ListKeys, type ListPage, type SortKey } from '../../core/provisioning/list-index.ts';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import type { NextTry } from '../../core/queue.ts';
import { stuckAfterMs } from './data.ts';
import { errorPage } from './errors.ts';
import { badge, href, html, time, utc, type Html } from './html.ts';
import { emptyState, page } from './layout.ts';
import { importProgress, progressRoutes } from './users-progress.ts';
import { queueSection } from './queue-estimate.ts';
import { FILTERS, PAGE_ROWS, defaultDir, parseUsersQuery, usersLink, type RawQuery, type UsersQuery } from './users-query.ts';

interface Row {
  userId: string;
  state: ProvisioningState;
  keys: ListKeys | undefined;
  next: NextTry | undefined;
  stuck: boolean;
}

const COLUMNS: Array<{ label: string; sort?: SortKey }> = [
  { label: 'Email', sort: 'email' }, { label: 'Name', sort: 'name' }, { label: 'State', sort: 'state' },
  { label: 'Role in the app' }, { label: 'Last change', sort: 'changed' }, { label: 'Last error' },
];

/** "in 40 s", "in 3 min": a hint beside an absolute time that is still to come. */
function inWords(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (seconds <= 0) return 'due now';
  return seconds < 60 ? `in ${seconds} s` : seconds < 3600 ? `in ${Math.round(seconds / 60)} min` : `in ${Math.round(seconds / 3600)} h`;
}

function nextTryCell(next: NextTry | undefined): Html | string {
  if (!next) return '';
  const tries = `try ${Math.min(next.attemptsMade + 1, next.attempts)} of ${next.attempts}`;
  if (next.running) return html`<div class="sub next-try">Trying now (${tries})</div>`;
  if (next.at) return html`<div class="sub next-try">Next try <time datetime="${next.at}">${utc(next.at)}</time> (${inWords(next.at)}), ${tries}</div>`;
  return html`<div class="sub next-try">Queued for the next free worker, ${tries}</div>`;
}

function stateCell(row: Row): Html {
  const { state } = row;
  const retrying = state.state === 'pending' && Boolean(state.lastError);
  return html`${badge(retrying ? 'retrying' : state.state)}${row.stuck ? html` ${badge('stuck')}` : ''}${state.state === 'pending' ? nextTryCell(row.next) : ''}${state.deleted ? html`<div class="sub">deleted in the IdP</div>` : ''}`;
}

function userRow(connectionId: string, row: Row): Html {
  const { state } = row;
  // Stored errors are already worded and redacted by the worker; scrub again for records older than that.
  const error = state.lastError ? String(scrub(state.lastError)) : '';
  return html`<tr>
    <th scope="row"><a href="${href('connections', connectionId, 'users', row.userId)}">${state.userName ?? row.userId}</a><div class="sub mono">${row.userId}</div></th>
    <td class="name">${row.keys?.d ?? html`<span class="muted">—</span>`}</td>
    <td>${stateCell(row)}</td>
    <td>${state.appRole ?? html`<span class="muted">—</span>`}</td>
    <td class="when">${time(changedIso(row.keys) ?? state.changedAt)}</td>
    <td>${state.lastErrorReason ? html`<span class="mono">${state.lastErrorReason}</span><div class="sub">${error}</div>` : html`<span class="muted">—</span>`}</td>
  </tr>`;
}

function header(path: string, query: UsersQuery): Html {
  return html`<thead><tr>${COLUMNS.map(({ label, sort }) => {
    if (!sort || query.state === 'stuck') return html`<th scope="col">${label}</th>`;
    const active = query.sort === sort;
    const dir = active ? (query.dir === 'asc' ? 'desc' : 'asc') : defaultDir(sort);
    const ariaSort = active ? (query.dir === 'asc' ? 'ascending' : 'descending') : 'none';
    const arrow = active ? html`<span aria-hidden="true">${query.dir === 'asc' ? ' ▲' : ' ▼'}</span>` : '';
    return html`<th scope="col" aria-sort="${ariaSort}"><a class="sort" href="${usersLink(path, query, { sort, dir, page: 1 })}" title="Sort by ${label.toLowerCase()}">${label}${arrow}</a></th>`;
  })}</tr></thead>`;
}

function filterForm(path: string, query: UsersQuery): Html {
  return html`<form method="get" class="filters" role="search" aria-label="Filter users">
    <div class="field"><label for="q">Search</label><input id="q" name="q" type="search" value="${query.q}" placeholder="start of email or name, or id"></div>
    <div class="field"><label for="state">State</label><select id="state" name="state">
      <option value="">All states</option>
      ${FILTERS.map((s) => html`<option value="${s}"${s === query.state ? html` selected` : ''}>${s.replace('_', ' ')}</option>`)}
    </select></div>
    ${query.sort !== 'email' ? html`<input type="hidden" name="sort" value="${query.sort}">` : ''}
    ${query.dir !== defaultDir(query.sort) ? html`<input type="hidden" name="dir" value="${query.dir}">` : ''}
    <button type="submit">Apply</button>
    ${query.q || query.state ? html`<a class="clear" href="${usersLink(path, { ...query, q: '', page: 1 }, { state: undefined })}">Clear</a>` : ''}
  </form>`;
}

function pager(path: string, query: UsersQuery, pages: number): Html | string {
  if (pages <= 1) return '';
  const link = (label: string, pageNo: number, rel?: string) => query.page === pageNo || pageNo < 1 || pageNo > pages
    ? html`<span class="button disabled" aria-disabled="true">${label}</span>`
    : html`<a class="button" href="${usersLink(path, query, { page: pageNo })}"${rel ? html` rel="${rel}"` : ''}>${label}</a>`;
  return html`<nav class="pager" aria-label="Pages">
    ${link('« First', 1)} ${link('‹ Previous', query.page - 1, 'prev')}
    <span class="pager-at">Page ${query.page.toLocaleString('en-US')} of ${pages.toLocaleString('en-US')}</span>
    ${link('Next ›', query.page + 1, 'next')} ${link('Last »', pages)}
  </nav>`;
}

/** The page's ids: a search, the stuck list (state index, longest waiting first) or one range of the list index. */
async function idsFor(app: FastifyInstance, connectionId: string, query: UsersQuery, now: number): Promise<ListPage> {
  const { provisioning } = app.scimwright.directory;
  const offset = (query.page - 1) * PAGE_ROWS;
  if (query.state === 'stuck') {
    const index = await provisioning.stateIndex(connectionId);
    let ids = await index.ids(connectionId, 'pending', { before: now - stuckAfterMs(app) });
    if (query.q) {
      // Stuck users are few unless something is badly wrong: their list keys are read to search them.
      const needle = query.q.toLowerCase();
      const keys = await (await provisioning.listIndex(connectionId)).keysOf(connectionId, ids);
      ids = ids.filter((id) => id === query.q || [keys.get(id)?.e, keys.get(id)?.d?.toLowerCase()].some((v) => v?.startsWith(needle)));
    }
    return { ids: ids.slice(offset, offset + PAGE_ROWS), total: ids.length };
  }
  const list = await provisioning.listIndex(connectionId);
  const listQuery = { sort: query.sort, dir: query.dir, group: query.state ?? '*', offset, limit: PAGE_ROWS } as const;
  return query.q ? list.search(connectionId, query.q, listQuery) : list.page(connectionId, listQuery);
}

async function rowsFor(app: FastifyInstance, connectionId: string, ids: string[], now: number): Promise<Row[]> {
  const { provisioning } = app.scimwright.directory;
  const [states, keys] = await Promise.all([provisioning.getMany(connectionId, ids), (await provisioning.listIndex(connectionId)).keysOf(connectionId, ids)]);
  const pending = ids.filter((id) => states.get(id)?.state === 'pending');
  const tries = pending.length > 0 && app.scimwright.queue.nextTries ? await app.scimwright.queue.nextTries(connectionId, pending) : new Map<string, NextTry>();
  const limit = stuckAfterMs(app);
  return ids.flatMap((userId) => {
    const state = states.get(userId);
    if (!state) return [];
    const waiting = state.state === 'pending' && state.generation > state.appliedGeneration;
    const stuck = waiting && now - Date.parse(state.changedAt ?? state.lastRunAt ?? new Date(now).toISOString()) > limit;
    return [{ userId, state, keys: keys.get(userId), next: tries.get(userId), stuck }];
  });
}

function countLine(query: UsersQuery, found: ListPage, total: number, shown: number): Html {
  const narrowed = Boolean(query.q || query.state);
  const first = (query.page - 1) * PAGE_ROWS + 1;
  const range = found.total > PAGE_ROWS && shown > 0 ? `; ${first.toLocaleString('en-US')}–${(first + shown - 1).toLocaleString('en-US')} shown` : '';
  const order = query.state === 'stuck' ? ', longest waiting first' : '';
  const more = found.truncated ? ' (the search reads at most 1,000 matches: type more of the name to see the others)' : '';
  const head = narrowed ? `${found.total.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} user(s) match` : `${total.toLocaleString('en-US')} user(s)`;
  return html`<p class="muted" role="status" aria-label="Users shown">${head}${more}${range}${order}.</p>`;
}

export async function userRoutes(app: FastifyInstance) {
  await app.register(progressRoutes);
  app.get<{ Params: { id: string }; Querystring: RawQuery }>('/connections/:id/users', async (request, reply) => {
    const session = request.consoleSession!;
    const connection = await app.scimwright.connections.get(request.params.id);
    if (!connection) return errorPage(reply, 404, 'Not found', `No connection "${request.params.id}".`, session);
    const path = href('connections', connection.id, 'users');
    const now = Date.now();
    const query = parseUsersQuery(request.query);
    const [total, progress, queue] = await Promise.all([
      app.scimwright.directory.provisioning.count(connection.id), importProgress(app, connection.id, now), queueSection(app, connection.id),
    ]);
    let found = await idsFor(app, connection.id, query, now);
    const pages = Math.max(1, Math.ceil(found.total / PAGE_ROWS));
    if (query.page > pages) {
      query.page = pages;
      found = await idsFor(app, connection.id, query, now);
    }
    const rows = await rowsFor(app, connection.id, found.ids, now);
    const progressLine = html`<div class="progress" data-progress-url="${href('connections', connection.id, 'users-progress.json')}">
      <progress max="${Math.max(progress.total, 1)}" value="${progress.inSync}" aria-hidden="true"></progress>
      <p role="status" aria-live="polite" aria-label="Import progress">${progress.text}</p></div>`;
    let table: Html;
    if (total === 0) table = emptyState('No users yet', 'Users appear here once the identity provider sends them over SCIM.');
    else if (rows.length === 0) table = emptyState('No user matches', html`Nothing matches ${query.q ? `“${query.q}”` : ''}${query.state ? ` in state ${query.state.replace('_', ' ')}` : ''}. <a href="${path}">Show all users</a>.`);
    else {
      table = html`<div class="table-wrap"><table class="users">
      <caption class="visually-hidden">Users of ${connection.id}</caption>
      ${header(path, query)}
      <tbody>${rows.map((row) => userRow(connection.id, row))}</tbody></table></div>`;
    }
    return reply.type('text/html; charset=utf-8').send(page({
      title: `Users of ${connection.id}`, section: 'connections', session, crumbs: [{ label: 'Connections', path: '/console/connections' }],
    }, html`${progressLine}${queue}${filterForm(path, query)}${countLine(query, found, total, rows.length)}${table}${pager(path, query, pages)}`));
  });
}
