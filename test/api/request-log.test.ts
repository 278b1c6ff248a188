/** Each request leaves one log line with method, route pattern, status and time — never a token or query string. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { createConnection, startGateway, type TestGateway } from '../support/gateway.ts';

let redis: TestRedis;
let gw: TestGateway;
const lines: Array<Record<string, any>> = [];
before(async () => {
  redis = await startRedis();
  const stream = new PassThrough();
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const part of parts) if (part) lines.push(JSON.parse(part));
  });
  gw = await startGateway(redis.url, { rateLimitPerMinute: 100_000 }, stream);
});
after(async () => {
  await gw.close();
  await redis.stop();
});

const completed = () => lines.filter((line) => line.msg === 'request completed');

test('a SCIM request logs method, route pattern, status and response time, without ids, query or token', async () => {
  const c = await createConnection(gw);
  lines.length = 0;
  const res = await gw.app.inject({
    method: 'GET', url: `${c.base}/Users/no-such-user-0042?attributes=userName&secret=hunter2-query`, headers: c.auth,
  });
  assert.equal(res.statusCode, 404);
  const [line, ...more] = completed();
  assert.ok(line, 'a request completed line');
  assert.equal(more.length, 0, 'one line per request');
  assert.equal(line.method, 'GET');
  assert.equal(line.route, '/scim/v2/:connectionId/Users/:id');
  assert.equal(line.status, 404);
  assert.equal(typeof line.responseTime, 'number');
  assert.ok(line.responseTime >= 0);
  const text = JSON.stringify(lines);
  for (const leak of [c.token, 'no-such-user-0042', 'hunter2-query', c.id]) assert.ok(!text.includes(leak), `log leaks ${leak}`);
});

test('an unrouted URL logs no route and not the raw URL', async () => {
  lines.length = 0;
  const res = await gw.app.inject({ method: 'POST', url: '/nowhere/scim_abcdefghijklmnop?token=abc' });
  assert.equal(res.statusCode, 404);
  const [line] = completed();
  assert.ok(line, 'a request completed line');
  assert.equal(line.method, 'POST');
  assert.equal(line.route, null);
  assert.equal(line.status, 404);
  assert.ok(!JSON.stringify(lines).includes('nowhere'));
});
