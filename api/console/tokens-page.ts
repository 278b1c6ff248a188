/**
 * Reviewer and admin tokens in the console (admins only; reviewers get 403 from the guard):
 * the list with last use and expiry, a form that makes one (shown once, post/redirect/get through
 * the session stash) and revoke. Same schema and store as POST/GET/DELETE /admin/v1/tokens.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isExpired, type AdminTokenView } from '../../core/admin-tokens.ts';
import { createToken, tokenStore } from '../admin/tokens.ts';
import { emptyState, csrfField, page } from './layout.ts';
import { errorPage } from './errors.ts';
import { href, html, time, type Html } from './html.ts';
import type { ConsoleSession } from './session.ts';

const admin = { config: { admin: true } } as const;
/** Lifetimes the form offers, in days; "never" is the empty value. */
const LIFETIMES = [7, 30, 90, 365];

interface RevealedToken { kind: 'console-token'; id: string; name: string; role: string; token: string; expiresAt?: string }

function tokenRow(t: AdminTokenView, session: ConsoleSession): Html {
  const expired = isExpired(t);
  return html`<tr>
    <th scope="row">${t.name}<div class="sub mono">${t.id}</div></th>
    <td>${t.role === 'admin' ? 'admin' : 'reviewer (read-only)'}</td>
    <td>${time(t.createdAt)}</td>
    <td>${t.lastUsedAt ? time(t.lastUsedAt) : html`<span class="muted">never used</span>`}</td>
    <td>${t.expiresAt ? html`${expired ? html`<span class="badge badge-bad">expired</span> ` : ''}${time(t.expiresAt)}` : html`<span class="muted">never expires</span>`}</td>
    <td><form method="post" action="${href('tokens', t.id, 'revoke')}" data-confirm="Revoke the token ${t.name}? Whoever uses it is signed out and refused at once.">
      ${csrfField(session)}<button type="submit" class="small" aria-label="Revoke ${t.name}">Revoke</button></form></td>
  </tr>`;
}

function createForm(session: ConsoleSession): Html {
  return html`<form method="post" action="/console/tokens" class="stack narrow">${csrfField(session)}
    <h2>New token</h2>
    <div class="field"><label for="name">Name</label><input id="name" name="name" required maxlength="100" placeholder="Auditor, Q4 review" autocomplete="off"></div>
    <div class="row">
      <div class="field"><label for="role">Role</label><select id="role" name="role">
        <option value="reviewer" selected>Reviewer (reads everything, changes nothing)</option><option value="admin">Admin</option></select></div>
      <div class="field"><label for="expiresInDays">Expires after</label><select id="expiresInDays" name="expiresInDays">
        ${LIFETIMES.map((d) => html`<option value="${String(d)}"${d === 90 ? html` selected` : ''}>${String(d)} days</option>`)}<option value="">Never</option></select></div>
    </div>
    <div class="actions"><button type="submit" class="primary">Create token</button></div>
  </form>`;
}

function revealBody(t: RevealedToken): Html {
  return html`<div class="reveal" role="status">
    <p><strong>This is the only time the token is shown.</strong> Hand it to ${t.name} now; scimwright keeps only its hash.</p>
    <dl class="kv">
      <dt>Token</dt><dd><code id="new-console-token" class="secret">${t.token}</code>
        <button type="button" class="small" data-copy="new-console-token">Copy token</button></dd>
      <dt>Role</dt><dd>${t.role}</dd>
      <dt>Expires</dt><dd>${t.expiresAt ? time(t.expiresAt) : 'never'}</dd>
      <dt>Token id</dt><dd class="mono">${t.id}</dd>
    </dl>
    <p>It signs in to the console and calls the admin API (<code>Authorization: Bearer …</code>).</p>
    <p><a class="button" href="/console/tokens">Done</a></p>
  </div>`;
}

export async function tokenPages(app: FastifyInstance) {
  const tokens = tokenStore(app);
  const listPage = async (reply: FastifyReply, session: ConsoleSession, notice?: { kind: 'ok' | 'error'; text: string }) => {
    if (!tokens) return errorPage(reply, 501, 'Not available', 'This gateway was started without a token store.', session);
    const list = (await tokens.list()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const table = list.length === 0
      ? emptyState('No tokens yet', 'Only the operator token (SCIMWRIGHT_ADMIN_TOKEN, or the one printed at first start) can sign in. Create a reviewer token for an auditor below.')
      : html`<div class="table-wrap"><table>
        <caption class="visually-hidden">Console and admin API tokens with their last use and expiry</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${list.map((t) => tokenRow(t, session))}</tbody></table></div>`;
    return reply.code(notice?.kind === 'error' ? 400 : 200).type('text/html; charset=utf-8').send(page({
      title: 'Tokens', section: 'tokens', session, ...(notice ? { notice } : {}),
    }, html`<p class="lead">Tokens that sign in to this console and call the admin API. The operator token is not listed.</p>${table}${createForm(session)}`));
  };

  app.get<{ Querystring: { revoked?: string } }>('/tokens', admin, async (request, reply) => {
    const revoked = typeof request.query.revoked === 'string' ? request.query.revoked.slice(0, 40) : undefined;
    return listPage(reply, request.consoleSession!, revoked ? { kind: 'ok', text: `Token ${revoked} revoked; its sessions have ended.` } : undefined);
  });

  app.post<{ Body: Record<string, string | undefined> }>('/tokens', admin, async (request, reply) => {
    const session = request.consoleSession!;
    if (!tokens) return errorPage(reply, 501, 'Not available', 'This gateway was started without a token store.', session);
    const form = request.body ?? {};
    const days = (form.expiresInDays ?? '').trim();
    const made = await createToken(tokens, {
      role: form.role, name: form.name ?? '', ...(days ? { expiresInDays: /^\d+$/.test(days) ? Number(days) : days } : {}),
    });
    if (!made.ok) return listPage(reply, session, { kind: 'error', text: `No token made: ${made.message}` });
    const { record, token } = made;
    request.log.info({ tokenId: record.id, role: record.role, by: session.tokenId }, 'admin token created from the console');
    await app.consoleSessions.stash(request.consoleSessionId!, { kind: 'console-token', id: record.id, name: record.name, role: record.role, token, ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}) } satisfies RevealedToken);
    return reply.redirect('/console/tokens/new-token', 303);
  });

  app.get('/tokens/new-token', admin, async (request, reply) => {
    const session = request.consoleSession!;
    const revealed = await app.consoleSessions.takeStash<RevealedToken>(request.consoleSessionId!);
    const body = revealed?.kind === 'console-token' ? revealBody(revealed)
      : emptyState('The new token is no longer shown', 'A token is shown once, right after it is made. If it was not copied, revoke it and make another.');
    return reply.type('text/html; charset=utf-8').send(page({
      title: 'New token', section: 'tokens', session, crumbs: [{ label: 'Tokens', path: '/console/tokens' }],
    }, body));
  });

  app.post<{ Params: { id: string } }>('/tokens/:id/revoke', admin, async (request, reply) => {
    const session = request.consoleSession!;
    if (!tokens) return errorPage(reply, 501, 'Not available', 'This gateway was started without a token store.', session);
    if (!(await tokens.revoke(request.params.id))) return errorPage(reply, 404, 'Not found', `No token "${request.params.id}".`, session);
    request.log.info({ tokenId: request.params.id, by: session.tokenId }, 'admin token revoked from the console');
    if (request.params.id === session.tokenId) return reply.redirect('/console/login', 303);
    return reply.redirect(`/console/tokens?revoked=${encodeURIComponent(request.params.id)}`, 303);
  });
}
