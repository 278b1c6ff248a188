/** Secrets too short to hide from logs and evidence are refused when a connection is made or changed. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { ADMIN_TOKEN, createConnection, startGateway, type TestGateway } from '../support/gateway.ts';

let redis: TestRedis;
let gw: TestGateway;
before(async () => {
  redis = await startRedis();
  gw = await startGateway(redis.url, { rateLimitPerMinute: 100_000 });
});
after(async () => {
  await gw.close();
  await redis.stop();
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

test('POST /admin/v1/connections refuses a one-letter password and a short TOTP secret with words', async () => {
  const body = (credentials: object) => ({ id: 'short', connector: 'testapp', baseUrl: 'http://app.test', credentials });
  const short = await gw.app.inject({ method: 'POST', url: '/admin/v1/connections', headers: admin, payload: body({ email: 'a@app.test', password: 'x' }) });
  assert.equal(short.statusCode, 400);
  assert.match(short.json().error.message, /credentials\.password: the app admin password is too short: use at least 8 characters/);
  const totp = await gw.app.inject({
    method: 'POST', url: '/admin/v1/connections', headers: admin,
    payload: body({ email: 'a@app.test', password: 'long-enough-pw', totpSecret: 'JBSW' }),
  });
  assert.equal(totp.statusCode, 400);
  assert.match(totp.json().error.message, /credentials\.totpSecret: the TOTP secret is too short/);
  assert.equal((await gw.app.inject({ method: 'GET', url: '/admin/v1/connections/short', headers: admin })).statusCode, 404, 'nothing was stored');
});

test('PATCH /admin/v1/connections/:id refuses short new credentials and keeps the old ones', async () => {
  const c = await createConnection(gw, 'patched');
  const res = await gw.app.inject({
    method: 'PATCH', url: `/admin/v1/connections/${c.id}`, headers: admin,
    payload: { credentials: { email: 'a@app.test', password: '       x' } },
  });
  assert.equal(res.statusCode, 400);
  assert.match(res.json().error.message, /password is too short/);
  const stored = await gw.core.connections.get(c.id);
  assert.equal(gw.core.connections.openCredentials(stored!).password, 'hunter2-admin-password');
});
