/**
 * The console through app.inject() against a real Redis, without a browser: login rules, escaping
 * of data from the IdP, redirects kept inside the console, and honest pages when parts are missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRunId } from '../../core/runs/store.ts';
import { ADMIN_TOKEN, createConnection } from '../support/gateway.ts';
import { gatewayPerFile } from '../support/per-file.ts';

const shared = gatewayPerFile();

function cookieOf(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return list.map(String).find((c) => c.startsWith(`${name}=`));
}

async function login(token: string, next?: string) {
  const form = await shared.gw.app.inject({ method: 'GET', url: '/console/login' });
  const nonce = /name="_login" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const loginCookie = cookieOf(form, 'sw_console_login')!.split(';')[0]!;
  return shared.gw.app.inject({
    method: 'POST', url: '/console/login', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _login: nonce, token, ...(next ? { next } : {}) }).toString(),
  });
}

async function adminCookie(): Promise<string> {
  const res = await login(ADMIN_TOKEN);
  assert.equal(res.statusCode, 303);
  return cookieOf(res, 'sw_console')!.split(';')[0]!;
}

test('sign-in sets an HttpOnly SameSite=Strict session cookie, not the token; a bad token or a forged form is refused', async () => {
  const ok = await login(ADMIN_TOKEN);
  assert.equal(ok.statusCode, 303);
  const cookie = cookieOf(ok, 'sw_console')!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.doesNotMatch(cookie, new RegExp(ADMIN_TOKEN));
  assert.equal((await login('wrong-token-0123456789abcdef')).statusCode, 401);
  const forged = await shared.gw.app.inject({
    method: 'POST', url: '/console/login', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _login: 'guess', token: ADMIN_TOKEN }).toString(),
  });
  assert.equal(forged.statusCode, 403);
  assert.equal(cookieOf(forged, 'sw_console'), undefined);
});

test('after sign-in the redirect stays inside the console', async () => {
  assert.equal((await login(ADMIN_TOKEN, '/console/attention')).headers.location, '/console/attention');
  for (const evil of ['//evil.example/x', 'https://evil.example/', '/console/../admin/v1/tokens', '/elsewhere']) {
    assert.equal((await login(ADMIN_TOKEN, evil)).headers.location, '/console/connections', evil);
  }
});

test('user names from the IdP are escaped on every page that shows them', async () => {
  const conn = await createConnection(shared.gw);
  const userName = '<img src=x onerror=alert(1)>@evil.test';
  const created = await shared.gw.app.inject({
    method: 'POST', url: `${conn.base}/Users`, headers: { ...conn.auth, 'content-type': 'application/scim+json' },
    payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName },
  });
  assert.equal(created.statusCode, 201);
  const cookie = await adminCookie();
  const id = created.json().id as string;
  for (const url of [`/console/connections/${conn.id}/users`, `/console/connections/${conn.id}/users/${id}`, `/console/connections/${conn.id}/users?q=${encodeURIComponent('"><script>')}`]) {
    const res = await shared.gw.app.inject({ method: 'GET', url, headers: { cookie } });
    assert.equal(res.statusCode, 200, url);
    assert.doesNotMatch(res.body, /<img src=x|<script>/, url);
    assert.match(res.headers['content-security-policy'] as string, /script-src 'self'/);
  }
  const page = await shared.gw.app.inject({ method: 'GET', url: `/console/connections/${conn.id}/users`, headers: { cookie } });
  assert.match(page.body, /&lt;img src=x onerror=alert\(1\)&gt;@evil\.test/);
});

test('without a queue, evidence reader or drift scans, the pages say so', async () => {
  const cookie = await adminCookie();
  const queues = await shared.gw.app.inject({ method: 'GET', url: '/console/queues', headers: { cookie } });
  assert.equal(queues.statusCode, 200);
  assert.match(queues.body, /No queue board here/);
  assert.match((await shared.gw.app.inject({ method: 'GET', url: '/console/export', headers: { cookie } })).body, /Export is not available/);
  assert.match((await shared.gw.app.inject({ method: 'GET', url: '/console/drift', headers: { cookie } })).body, /No drift scan has run yet/);
  const missing = await shared.gw.app.inject({ method: 'GET', url: '/console/connections/nope/users', headers: { cookie } });
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /No connection &quot;nope&quot;/);
});

test('signing out ends the session on the server', async () => {
  const cookie = await adminCookie();
  const page = await shared.gw.app.inject({ method: 'GET', url: '/console/connections', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const out = await shared.gw.app.inject({
    method: 'POST', url: '/console/logout', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(csrf)}`,
  });
  assert.equal(out.statusCode, 303);
  const again = await shared.gw.app.inject({ method: 'GET', url: '/console/connections', headers: { cookie } });
  assert.equal(again.statusCode, 302);
  assert.match(again.headers.location as string, /^\/console\/login/);
});

test('tokens API: admins add, list and revoke; reviewers may not', async () => {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const added = await shared.gw.app.inject({ method: 'POST', url: '/admin/v1/tokens', headers: auth, payload: { role: 'reviewer', name: 'auditor' } });
  assert.equal(added.statusCode, 201);
  const { token, id } = added.json() as { token: string; id: string };
  assert.match(token, /^swr_/);
  const listed = await shared.gw.app.inject({ method: 'GET', url: '/admin/v1/tokens', headers: auth });
  assert.ok((listed.json().tokens as Array<{ id: string; token?: string }>).some((t) => t.id === id && t.token === undefined));
  const asReviewer = await shared.gw.app.inject({ method: 'POST', url: '/admin/v1/tokens', headers: { authorization: `Bearer ${token}` }, payload: { role: 'admin', name: 'escalate' } });
  assert.equal(asReviewer.statusCode, 403);
  assert.equal((await shared.gw.app.inject({ method: 'POST', url: '/admin/v1/tokens', headers: auth, payload: { role: 'root', name: 'x' } })).statusCode, 400);
  assert.equal((await shared.gw.app.inject({ method: 'DELETE', url: `/admin/v1/tokens/${id}`, headers: auth })).statusCode, 204);
  assert.equal((await shared.gw.app.inject({ method: 'GET', url: '/admin/v1/connections', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
});

test('a login test no worker has started: refreshes while young, then says so in words and stops refreshing', async () => {
  const conn = await createConnection(shared.gw);
  const cookie = await adminCookie();
  const view = (runId: string) => shared.gw.app.inject({ method: 'GET', url: `/console/connections/${conn.id}/edit?test=${runId}`, headers: { cookie } });
  const young = await view(newRunId(Date.now() - 5_000));
  assert.equal(young.statusCode, 200);
  assert.match(young.body, /Testing the login…/);
  assert.match(young.body, /http-equiv="refresh"/);
  const stale = await view(newRunId(Date.now() - 3 * 60_000));
  assert.equal(stale.statusCode, 200);
  assert.match(stale.body, /The login test has not started<\/strong> after 3 min: no worker has picked it up/);
  assert.match(stale.body, /npm run worker/);
  assert.doesNotMatch(stale.body, /http-equiv="refresh"/);
});
