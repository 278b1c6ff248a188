/**
 * Admin and reviewer tokens (issue 12, item 10): an expiry chosen at creation, the last use listed,
 * an expired token refused by the admin API and the console, and its console sessions ended.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN } from '../support/gateway.ts';
import { gatewayPerFile } from '../support/per-file.ts';

const shared = gatewayPerFile();
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function listed(id: string) {
  const res = await shared.gw.app.inject({ method: 'GET', url: '/admin/v1/tokens', headers: admin });
  return (res.json() as { tokens: Array<{ id: string; expiresAt?: string; lastUsedAt?: string }> }).tokens.find((t) => t.id === id);
}

async function consoleLogin(token: string): Promise<string | undefined> {
  const { app } = shared.gw;
  const form = await app.inject({ method: 'GET', url: '/console/login' });
  const nonce = /name="_login" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const cookies = [form.headers['set-cookie']].flat().map(String);
  const loginCookie = cookies.find((c) => c.startsWith('sw_console_login='))!.split(';')[0]!;
  const res = await app.inject({
    method: 'POST', url: '/console/login', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _login: nonce, token }).toString(),
  });
  return [res.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('sw_console='))?.split(';')[0];
}

test('a token made with expiresInDays lists its expiry, and its last use once presented', async () => {
  const before = Date.now();
  const made = await shared.gw.app.inject({ method: 'POST', url: '/admin/v1/tokens', headers: admin, payload: { role: 'reviewer', name: 'Auditor', expiresInDays: 30 } });
  assert.equal(made.statusCode, 201, made.body);
  const { id, token, expiresAt } = made.json() as { id: string; token: string; expiresAt: string };
  const days = (Date.parse(expiresAt) - before) / 86_400_000;
  assert.ok(days >= 30 && days < 30.01, `about 30 days: ${days}`);
  assert.equal((await listed(id))?.lastUsedAt, undefined, 'never used yet');
  const used = await shared.gw.app.inject({ method: 'GET', url: '/admin/v1/connections', headers: { authorization: `Bearer ${token}` } });
  assert.equal(used.statusCode, 200);
  const after = await listed(id);
  assert.equal(after?.expiresAt, expiresAt);
  assert.ok(after?.lastUsedAt && Date.parse(after.lastUsedAt) >= before, JSON.stringify(after));
  assert.doesNotMatch(JSON.stringify(after), /swr_/, 'the list never holds a token');
});

test('an impossible lifetime is a 400 naming expiresInDays; no expiry means none', async () => {
  for (const expiresInDays of [0, -1, 1.5, 'soon', 100_000]) {
    const res = await shared.gw.app.inject({ method: 'POST', url: '/admin/v1/tokens', headers: admin, payload: { role: 'reviewer', name: 'x', expiresInDays } });
    assert.equal(res.statusCode, 400, String(expiresInDays));
    assert.match(res.json().error.message, /expiresInDays/);
  }
  const forever = await shared.gw.app.inject({ method: 'POST', url: '/admin/v1/tokens', headers: admin, payload: { role: 'admin', name: 'ops' } });
  assert.equal(forever.statusCode, 201);
  assert.equal((forever.json() as { expiresAt?: string }).expiresAt, undefined);
});

test('an expired token is refused by the admin API and the console, and its open console session ends', async () => {
  const { core, redis, config } = shared.gw;
  const { token, record } = await core.adminTokens.add('reviewer', 'Temp', { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  const cookie = await consoleLogin(token);
  assert.ok(cookie, 'signed in while valid');
  assert.equal((await shared.gw.app.inject({ method: 'GET', url: '/console/connections', headers: { cookie } })).statusCode, 200);
  // The clock passes the expiry: rewrite the stored record as it would read an hour later.
  const key = `${config.redisPrefix}:admin-tokens`;
  const [field] = Object.entries(await redis.hgetall(key)).find(([, raw]) => JSON.parse(raw).id === record.id)!;
  await redis.hset(key, field, JSON.stringify({ ...record, expiresAt: new Date(Date.now() - 1000).toISOString() }));

  const api = await shared.gw.app.inject({ method: 'GET', url: '/admin/v1/connections', headers: { authorization: `Bearer ${token}` } });
  assert.equal(api.statusCode, 401);
  const page = await shared.gw.app.inject({ method: 'GET', url: '/console/connections', headers: { cookie } });
  assert.equal(page.statusCode, 302);
  assert.match(String(page.headers.location), /^\/console\/login/);
  assert.equal(await consoleLogin(token), undefined, 'an expired token cannot sign in');
});
