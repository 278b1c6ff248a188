/**
 * Adding and editing a connection in the console (admins only; reviewers get 403 from the guard):
 * GET /connections/new, POST /connections, GET /connections/:id/edit, POST /connections/:id/edit.
 * Both posts go through the admin API's own path (api/admin/connection-writes.ts), then queue the
 * connector's read-only check as the login test; its outcome is shown on the edit page in words.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConnectorDescriptor } from '../../core/connector.ts';
import type { StoredConnection } from '../../core/connections/schema.ts';
import { createConnection, queueCheck, updateConnection, type WriteRefusal } from '../admin/connection-writes.ts';
import { runIdTime } from '../../core/runs/store.ts';
import type { RunRecordView } from '../admin/runs.ts';
import { FormError, connectionForm, createBody, patchBody, valuesFromPost, type FormBody, type FormValues } from './connection-form.ts';
import { errorPage } from './errors.ts';
import { href, html, time, withQuery, type Html } from './html.ts';
import { csrfField, page } from './layout.ts';
import { scimUrlLine } from './scim-url.ts';
import type { ConsoleSession } from './session.ts';

const RUN_ID = /^run-[0-9a-z]{10}-[0-9a-f]{10}$/;
const admin = { config: { admin: true } } as const;

function connectorsOf(app: FastifyInstance, only?: string): ConnectorDescriptor[] {
  return [...app.scimwright.connectors.values()].filter((c) => !only || c.id === only);
}

function storedValues(app: FastifyInstance, c: StoredConnection): FormValues {
  const credentials = app.scimwright.connections.openCredentials(c);
  return {
    id: c.id, connector: c.connector, baseUrl: c.baseUrl, email: credentials.email, settings: c.settings,
    stored: { password: credentials.password !== '', totp: credentials.totpSecret !== undefined },
  };
}

/** The refusal in words; the admin API's message already names the field ("credentials.password: …"). */
function refusalText(r: WriteRefusal | FormError): string {
  return `Not saved: ${r.message}`;
}

/**
 * A queued login test no worker has started after this long: say so and stop refreshing, rather
 * than promise a result for ever (no worker running, or one busy with a long queue).
 */
const NOT_STARTED_MS = 60_000;

/** The login test's outcome, from the check's run record; `pending` refreshes the page by itself. */
function loginTest(runId: string, run: RunRecordView | null, connection: StoredConnection, email: string, connectorName: string, now = Date.now()): { body: Html; pending: boolean } {
  const status = run?.status ?? 'queued';
  const where = html`${connectorName} at <code>${connection.baseUrl}</code> as <code>${email}</code>`;
  if (status === 'succeeded') {
    const seen = typeof run?.why === 'string' ? run.why : '';
    return { pending: false, body: html`<div class="notice notice-ok login-test" role="status" aria-label="Login test"><strong>Login works.</strong> Signed in to ${where} and walked its screens read-only, ${time(typeof run?.endedAt === 'string' ? run.endedAt : undefined)}.${seen ? html`<div class="sub">${seen}</div>` : ''}</div>` };
  }
  if (status === 'failed' || status === 'retrying') {
    const error = typeof run?.error === 'string' ? run.error : 'the check failed without a message; the gateway log has the details';
    return { pending: false, body: html`<div class="notice notice-error login-test" role="alert" aria-label="Login test"><strong>Login test failed:</strong> ${error}
      <div class="sub">Signing in to ${where} did not work. The settings are saved; user jobs of this connection wait until a check passes — fix the base URL or the credentials and save again.</div></div>` };
  }
  const queuedFor = now - (runIdTime(runId) ?? now);
  if (!run && queuedFor > NOT_STARTED_MS) {
    return { pending: false, body: html`<div class="notice notice-warn login-test" role="status" aria-label="Login test"><strong>The login test has not started</strong> after ${Math.round(queuedFor / 60_000)} min: no worker has picked it up.
      <div class="sub">Either no worker is running (<code>npm start</code> runs one beside the gateway; <code>npm run worker</code> adds one), or the workers are busy with a long queue (see <a href="/console/queues">Queue</a>). It runs as soon as a worker is free; reload this page to look again.</div></div>` };
  }
  return { pending: true, body: html`<div class="notice login-test" role="status" aria-label="Login test"><strong>Testing the login…</strong> Signing in to ${where} and walking its screens read-only (${status}). This page refreshes by itself.</div>` };
}

export async function connectionEditRoutes(app: FastifyInstance) {
  const newForm = (reply: FastifyReply, session: ConsoleSession, values: FormValues, error?: string) => reply
    .code(error ? 400 : 200).type('text/html; charset=utf-8').send(page({
      title: 'Add a connection', section: 'connections', session, crumbs: [{ label: 'Connections', path: '/console/connections' }],
      ...(error ? { notice: { kind: 'error' as const, text: error } } : {}),
    }, html`<p class="lead">One app instance that your identity provider provisions into. The SCIM base URL and a bearer token for the IdP are shown once it is added.</p>
      ${connectionForm({ action: '/console/connections', csrf: csrfField(session), values, connectors: connectorsOf(app), editing: false })}`));

  app.get('/connections/new', admin, async (request, reply) => newForm(reply, request.consoleSession!, {
    id: '', connector: connectorsOf(app)[0]?.id ?? '', baseUrl: '', email: '', settings: {},
  }));

  app.post<{ Body: FormBody }>('/connections', admin, async (request, reply) => {
    const session = request.consoleSession!;
    const form = request.body ?? {};
    let made;
    try {
      made = await createConnection(app, createBody(form), request.log);
    } catch (error) {
      if (error instanceof FormError) return newForm(reply, session, valuesFromPost(form), refusalText(error));
      throw error;
    }
    if (!made.ok) return newForm(reply, session, valuesFromPost(form), refusalText(made));
    const { connection, token } = made;
    const test = await queueCheck(app, connection.id, request.log);
    request.log.info({ connectionId: connection.id, by: session.tokenId }, 'connection added from the console');
    await app.consoleSessions.stash(request.consoleSessionId!, {
      connectionId: connection.id, token, tokenId: connection.token.id, created: true, ...(test.ok ? { testRunId: test.runId } : {}),
    });
    return reply.redirect(href('connections', connection.id, 'new-token'), 303);
  });

  const editPage = async (request: FastifyRequest, reply: FastifyReply, c: StoredConnection, values: FormValues, error?: string) => {
    const session = request.consoleSession!;
    const connector = app.scimwright.connectors.get(c.connector);
    const { test, saved } = request.query as { test?: string; saved?: string };
    const run = !error && test && RUN_ID.test(test) ? await app.scimwright.runs?.get(test) ?? null : undefined;
    const shown = run !== undefined && (run === null || run.connectionId === c.id) ? loginTest(test!, run, c, values.email, connector?.name ?? c.connector) : undefined;
    const notice = error ? { kind: 'error' as const, text: error } : saved ? { kind: 'ok' as const, text: `Saved ${c.id}; every user is converged again under the new settings.` } : undefined;
    return reply.code(error ? 400 : 200).type('text/html; charset=utf-8').send(page({
      title: `Edit ${c.id}`, section: 'connections', session, crumbs: [{ label: 'Connections', path: '/console/connections' }],
      ...(notice ? { notice } : {}), ...(shown?.pending ? { refreshSeconds: 2 } : {}),
    }, html`${shown?.body ?? ''}
      <dl class="kv conn-meta">
        <dt>App</dt><dd>${connector?.name ?? c.connector}</dd>
        <dt>SCIM base URL</dt><dd>${scimUrlLine(app, c.id)}</dd>
        <dt>SCIM token</dt><dd>issued ${time(c.token.createdAt)} <span class="mono sub">${c.token.id}</span> · rotate it from the connections list</dd>
      </dl>
      ${connectionForm({ action: href('connections', c.id, 'edit'), csrf: csrfField(session), values, connectors: connectorsOf(app, c.connector), editing: true })}`));
  };

  app.get<{ Params: { id: string } }>('/connections/:id/edit', admin, async (request, reply) => {
    const c = await app.scimwright.connections.get(request.params.id);
    if (!c) return errorPage(reply, 404, 'Not found', `No connection "${request.params.id}".`, request.consoleSession);
    return editPage(request, reply, c, storedValues(app, c));
  });

  app.post<{ Params: { id: string }; Body: FormBody }>('/connections/:id/edit', admin, async (request, reply) => {
    const session = request.consoleSession!;
    const current = await app.scimwright.connections.get(request.params.id);
    if (!current) return errorPage(reply, 404, 'Not found', `No connection "${request.params.id}".`, session);
    const form = request.body ?? {};
    const again = (message: string) => editPage(request, reply, current, valuesFromPost(form, storedValues(app, current)), message);
    let updated;
    try {
      updated = await updateConnection(app, current.id, patchBody(form, app.scimwright.connections.openCredentials(current)), { settings: 'replace', testLogin: request.log });
    } catch (error) {
      if (error instanceof FormError) return again(refusalText(error));
      throw error;
    }
    if (!updated.ok) return again(refusalText(updated));
    request.log.info({ connectionId: current.id, by: session.tokenId }, 'connection changed from the console');
    return reply.redirect(withQuery(href('connections', current.id, 'edit'), { saved: '1', test: updated.testRunId }), 303);
  });
}
