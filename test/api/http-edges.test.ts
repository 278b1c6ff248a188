/**
 * Issue 11, findings 6 and 7, over real sockets (inject() bypasses Node's HTTP parser): a trickled
 * body is cut off, an early 401 closes the socket, oversize URLs and headers get SCIM Error bodies,
 * X-Forwarded-* count only behind a configured proxy, and a sign-in sets its cookie once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { ADMIN_TOKEN, createConnection, startGateway, type TestGateway } from '../support/gateway.ts';
import { postHuge } from '../support/huge-body.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
let redis: TestRedis;
let gw: TestGateway;
let proxied: TestGateway;
let port: number;

before(async () => {
  redis = await startRedis();
  gw = await startGateway(redis.url, { requestTimeoutMs: 1000 });
  proxied = await startGateway(redis.url, { trustProxy: 'true' });
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  port = (gw.app.server.address() as { port: number }).port;
});
after(async () => {
  await gw?.close();
  await proxied?.close();
  await redis?.stop();
});

interface RawAnswer { status: number; head: string; body: string; closedAfterMs: number }

/** Sends `head`, then `body` one byte every `everyMs`; resolves when the server closes the socket (or after 8 s). */
function raw(head: string, body = '', everyMs = 0): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => { socket.destroy(); reject(new Error(`socket still open after 8 s; got: ${received.slice(0, 200)}`)); }, 8000);
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(giveUp);
      clearInterval(timer);
      const [h = '', b = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(h)?.[1] ?? 0), head: h, body: b, closedAfterMs: Date.now() - started });
    });
    socket.write(head);
    if (everyMs === 0) socket.write(body);
    else {
      let at = 0;
      timer = setInterval(() => (at < body.length && !socket.destroyed ? socket.write(body[at++]!) : clearInterval(timer)), everyMs);
    }
  });
}

const post = (path: string, length: number, auth = '') =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/scim+json\r\nContent-Length: ${length}\r\n${auth}\r\n`;

test('a trickled body without a valid token: 401 at once, then the socket is closed', async () => {
  const body = '{"schemas":[]}'.padEnd(200, ' ');
  const res = await raw(post('/scim/v2/nope/Users', body.length, 'Authorization: Bearer wrong-token-0123456789\r\n'), body, 300);
  assert.equal(res.status, 401);
  assert.match(res.head, /connection: close/i);
  assert.ok(res.closedAfterMs < 5000, `closed after ${res.closedAfterMs} ms`);
});

test('a trickled body with a valid token is cut off after the request timeout (408)', async () => {
  const body = '{"id":"x"}'.padEnd(200, ' ');
  const res = await raw(post('/admin/v1/connections', body.length, `Authorization: Bearer ${ADMIN_TOKEN}\r\n`), body, 300);
  assert.equal(res.status, 408);
  assert.ok(res.closedAfterMs < 5000, `closed after ${res.closedAfterMs} ms`);
  assert.equal(JSON.parse(res.body).schemas[0], SCIM_ERROR);
});

test('a 20,000-character filter is answered by SCIM; a 100 KB URL is a SCIM-shaped 431', async () => {
  const conn = await createConnection(gw);
  const filter = encodeURIComponent(`userName eq "${'a'.repeat(20_000)}@example.test"`);
  const auth = `Authorization: Bearer ${conn.token}\r\n`;
  const long = await raw(`GET ${conn.base}/Users?filter=${filter} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${auth}\r\n`);
  assert.equal(long.status, 200, long.head);
  assert.equal(JSON.parse(long.body).totalResults, 0);
  const huge = await raw(`GET ${conn.base}/Users?filter=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`);
  assert.equal(huge.status, 431);
  assert.match(huge.head, /content-type: application\/scim\+json/i);
  assert.deepEqual(JSON.parse(huge.body).schemas, [SCIM_ERROR]);
  assert.equal(JSON.parse(huge.body).status, '431');
});

test('a 10,000-character id is a SCIM-shaped 414; a 1,500-character one a SCIM 404', async () => {
  const conn = await createConnection(gw);
  const tooLong = await gw.app.inject({ method: 'GET', url: `${conn.base}/Users/${'x'.repeat(10_000)}`, headers: conn.auth });
  assert.equal(tooLong.statusCode, 414);
  assert.deepEqual(tooLong.json().schemas, [SCIM_ERROR]);
  assert.equal(tooLong.json().status, '414');
  const long = await gw.app.inject({ method: 'GET', url: `${conn.base}/Users/${'x'.repeat(1500)}`, headers: conn.auth });
  assert.equal(long.statusCode, 404);
  assert.deepEqual(long.json().schemas, [SCIM_ERROR]);
});

async function signIn(target: TestGateway, headers: Record<string, string> = {}) {
  const form = await target.app.inject({ method: 'GET', url: '/console/login', headers });
  const nonce = /name="_login" value="([^"]+)"/.exec(form.body)![1]!;
  const loginCookie = [form.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('sw_console_login='))!.split(';')[0]!;
  return target.app.inject({
    method: 'POST', url: '/console/login', headers: { ...headers, cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _login: nonce, token: ADMIN_TOKEN }).toString(),
  });
}

const sessionCookies = (res: { headers: Record<string, unknown> }) =>
  [res.headers['set-cookie']].flat().map(String).filter((c) => c.startsWith('sw_console='));

test('sign-in sets the session cookie once', async () => {
  const res = await signIn(gw);
  assert.equal(res.statusCode, 303);
  assert.equal(sessionCookies(res).length, 1, String(res.headers['set-cookie']));
});

test('X-Forwarded-Proto/-Host are ignored without SCIMWRIGHT_TRUST_PROXY, believed with it', async () => {
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' };
  const plain = await signIn(gw, forwarded);
  assert.doesNotMatch(sessionCookies(plain)[0]!, /Secure/);
  const cookie = sessionCookies(plain)[0]!.split(';')[0]!;
  const forged = await gw.app.inject({
    method: 'POST', url: '/console/logout', headers: { ...forwarded, cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: '_csrf=x',
  });
  assert.equal(forged.statusCode, 403);
  assert.match(forged.body, /came from another site/);
  const behindProxy = await signIn(proxied, forwarded);
  assert.match(sessionCookies(behindProxy)[0]!, /Secure/);
});

for (const chunked of [false, true]) {
  test(`a 5 MiB body (${chunked ? 'chunked' : 'Content-Length'}) to the admin API and the console is answered 413, then the connection closes`, async () => {
    const admin = await postHuge(gw.app, '/admin/v1/connections', { authorization: `Bearer ${ADMIN_TOKEN}` }, chunked);
    assert.equal(admin.error, undefined, 'the client gets an answer, not a dropped connection');
    assert.equal(admin.status, 413);
    assert.equal(admin.headers.connection, 'close');
    assert.equal(JSON.parse(admin.text).error.code, 'body_too_large');
    const console = await postHuge(gw.app, '/console/login', {}, chunked);
    assert.equal(console.error, undefined, 'the console answers too');
    assert.equal(console.status, 413);
    assert.equal(console.headers.connection, 'close');
  });
}
