/**
 * Sign in and out. The login form is protected against login CSRF by a double-submit value: a
 * random value in a SameSite=Strict cookie that the form must echo. Failed logins are logged
 * without the token and answered after the same work as a good one.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from './html.ts';
import { page } from './layout.ts';
import { LOGIN_COOKIE, SESSION_COOKIE, readCookie, sameSecret, setCookie } from './session.ts';

/** Only a path inside the console may be a redirect target (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/console\/[A-Za-z0-9/_\-.%?=&+]*$/.test(next) && !next.includes('//') && !next.includes('..')
    ? next : '/console/connections';
}

function loginPage(request: FastifyRequest, reply: FastifyReply, status: number, error?: string) {
  const nonce = randomBytes(18).toString('base64url');
  setCookie(request, reply, LOGIN_COOKIE, nonce, 600);
  const next = safeNext((request.query as { next?: unknown }).next ?? (request.body as { next?: unknown } | undefined)?.next);
  const body = html`<section class="login-card">
  <p class="lead">Sign in with the admin token or a reviewer token. Reviewers can read everything and change nothing.</p>
  <form method="post" action="/console/login" class="stack">
    <input type="hidden" name="_login" value="${nonce}">
    <input type="hidden" name="next" value="${next}">
    <label for="token">Token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus spellcheck="false"
      aria-describedby="token-help${error ? ' token-error' : ''}"${error ? html` aria-invalid="true"` : ''}>
    <p id="token-help" class="hint">Made with <code>npx scimwright tokens add --role reviewer</code>, or printed at first start.</p>
    ${error ? html`<p id="token-error" class="field-error" role="alert">${error}</p>` : ''}
    <button type="submit" class="primary">Sign in</button>
  </form>
</section>`;
  return reply.code(status).type('text/html; charset=utf-8').send(page({ title: 'Sign in to scimwright', bodyClass: 'login-page' }, body));
}

export async function authRoutes(app: FastifyInstance) {
  app.get('/login', { config: { public: true } }, async (request, reply) => {
    const current = await app.consoleSessions.get(readCookie(request, SESSION_COOKIE));
    if (current) return reply.redirect(safeNext((request.query as { next?: unknown }).next));
    return loginPage(request, reply, 200);
  });

  app.post('/login', { config: { public: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (!sameSecret(typeof body._login === 'string' ? body._login : undefined, readCookie(request, LOGIN_COOKIE) ?? randomBytes(8).toString('hex'))) {
      return loginPage(request, reply, 403, 'The sign-in form expired. Please try again.');
    }
    const token = typeof body.token === 'string' ? body.token.trim() : '';
    const record = token && token.length <= 512 ? await app.scimwright.adminAuth.verify(token) : null;
    if (!record) {
      request.log.warn({ ip: request.ip }, 'console sign-in refused');
      return loginPage(request, reply, 401, 'That token is not valid. Check it and try again.');
    }
    await app.consoleSessions.destroy(readCookie(request, SESSION_COOKIE));
    const { id } = await app.consoleSessions.create(record);
    setCookie(request, reply, SESSION_COOKIE, id);
    setCookie(request, reply, LOGIN_COOKIE, '', 0);
    request.log.info({ tokenId: record.id, role: record.role }, 'console sign-in');
    return reply.redirect(safeNext(body.next), 303);
  });

  app.post('/logout', async (request, reply) => {
    await app.consoleSessions.destroy(request.consoleSessionId);
    setCookie(request, reply, SESSION_COOKIE, '', 0);
    return reply.redirect('/console/login', 303);
  });
}
