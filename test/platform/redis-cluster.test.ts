/**
 * Two gateways and two workers (each `compose` with its embedded worker, as `npm start` runs) on
 * a local 3-master Redis Cluster, reached through SCIMWRIGHT_REDIS_CLUSTER's client. The Okta
 * UXPin scenario (lookup → create → group push → deactivate → reactivate) goes through both
 * gateways in turn; a console session made on one is good on the other, and both count one rate
 * limit. Any cross-slot script, MULTI or pipeline fails here, where one Redis would hide it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { upgradeKeyLayout } from '../../bin/key-layout.ts';
import { compose, type Composed } from '../../bin/compose.ts';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { createRedisClient } from '../../core/platform/redis-client.ts';
import { scanKeys } from '../../core/platform/redis-scan.ts';
import { connectionKeys, connectionStoreKeys, KEY_LAYOUT_VERSION, layoutKey, runKeys } from '../../core/store/keys.ts';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { startUxpinSandbox, type UxpinSandbox } from '../sandboxes/uxpin/index.ts';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.ts';
import { PROVISIONING, scim, STACK_ADMIN_TOKEN, waitForUser, type ScimConnection, type Stack } from '../support/stack.ts';

const PREFIX = `cl${randomBytes(3).toString('hex')}`;
/** The deployment's master key: every gateway and worker must share it (tokens are stored as keyed hashes). */
const KEY = randomBytes(32);
const OKTA = { 'user-agent': 'Okta SCIM Client 1.0.0' };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Node {
  composed: Composed;
  redis: Redis;
  url: string;
  dir: string;
}

let cluster: TestRedisCluster;
let browser: Browser;
let sandbox: UxpinSandbox;
const nodes: Node[] = [];

async function startNode(): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), 'scimwright-cluster-node-'));
  const config = loadConfig({}, {
    redisCluster: cluster.seeds, redisPrefix: PREFIX, adminToken: STACK_ADMIN_TOKEN, recordingsDir: dir, dataDir: dir,
    logLevel: 'silent', port: 0, rateLimitPerMinute: 100_000,
  });
  const logger = createLogger({ level: 'silent' });
  const redis = createRedisClient(config, { maxRetriesPerRequest: 3 });
  await upgradeKeyLayout(redis, PREFIX, logger);
  const composed = await compose({
    config, redis, logger, processMetrics: false, key: KEY,
    worker: { sweep: false, sessions: { browser }, timing: { attempts: 3, backoff: { baseMs: 200, maxMs: 1000 }, busyDelayMs: 200 } },
  });
  return { composed, redis, dir, url: await composed.listen(0, '127.0.0.1') };
}

before(async () => {
  [cluster, browser, sandbox] = await Promise.all([startRedisCluster(), launchChromium(), startUxpinSandbox({ seed: 3 })]);
  nodes.push(await startNode(), await startNode());
});
after(async () => {
  for (const node of nodes) {
    await node.composed.close();
    node.redis.disconnect();
    rmSync(node.dir, { recursive: true, force: true });
  }
  await browser?.close();
  await sandbox?.stop();
  await cluster?.stop();
});

/** The same connection as seen through each gateway (waitForUser reads settlement through `stack`). */
function through(node: Node, id: string, token: string): ScimConnection {
  const stack = { core: node.composed.core, runs: node.composed.runs } as unknown as Stack;
  return { id, base: `${node.url}/scim/v2/${id}`, token, stack };
}

test('on a 3-master Cluster two gateways and two workers carry the Okta UXPin scenario, alternately', async () => {
  const [a, b] = nodes as [Node, Node];
  assert.equal(await a.redis.get(layoutKey(PREFIX)), String(KEY_LAYOUT_VERSION), 'the layout marker is set on a Cluster too');
  const created = await fetch(`${a.url}/admin/v1/connections`, {
    method: 'POST', headers: { authorization: `Bearer ${STACK_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'ux-cluster', connector: 'uxpin', baseUrl: sandbox.url,
      credentials: { email: sandbox.admin.email, password: sandbox.admin.password },
      settings: { defaultRole: 'Collaborator', groupRoleMap: { 'UXPin Designers': 'Creator' } },
    }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { token } = (await created.json()) as { token: string };
  const [viaA, viaB] = [through(a, 'ux-cluster', token), through(b, 'ux-cluster', token)];

  const email = 'jane.cluster@example.com';
  const miss = await scim(viaB, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`, undefined, OKTA);
  assert.equal(miss.status, 200);
  assert.equal(miss.body.totalResults, 0);
  const user = await scim(viaA, 'POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, name: { givenName: 'Jane', familyName: 'Cluster' },
    emails: [{ primary: true, value: email }], externalId: '00ujane', active: true,
  }, OKTA);
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const userId = String(user.body.id);
  await waitForUser(viaB, userId, (p) => p.state === 'in sync');
  assert.deepEqual(sandbox.state.find(email), { email, name: '', role: 'Collaborator', status: 'pending' });

  const group = await scim(viaB, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'UXPin Designers', members: [] }, OKTA);
  assert.equal(group.status, 201, JSON.stringify(group.body));
  const push = await scim(viaA, 'PATCH', `/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] }, OKTA);
  assert.ok(push.status === 200 || push.status === 204, JSON.stringify(push.body));
  await waitForUser(viaB, userId, (p) => p.state === 'in sync' && p.appRole === 'Creator');
  assert.equal(sandbox.state.find(email)?.role, 'Creator');

  const off = await scim(viaB, 'PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }, OKTA);
  assert.equal(off.status, 200, JSON.stringify(off.body));
  await waitForUser(viaA, userId, (p) => p.state === 'removed');
  assert.equal(sandbox.state.find(email), undefined);
  const on = await scim(viaA, 'PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }, OKTA);
  assert.equal(on.status, 200, JSON.stringify(on.body));
  const back = await waitForUser(viaB, userId, (p) => p.state === 'in sync' && p.appRole === 'Creator');
  assert.equal((back[PROVISIONING] as { appRole: string }).appRole, 'Creator');
  assert.equal(sandbox.state.invitesSent[email], 2, 'one invitation per time the user was made a member, whichever worker ran it');

  // Runs and the connection list read the same from either gateway.
  const runsA = await a.composed.runs.list('ux-cluster', { userId });
  assert.ok(runsA.length >= 3);
  assert.deepEqual((await b.composed.runs.list('ux-cluster', { userId })).map((r) => r.runId), runsA.map((r) => r.runId));
});

test('a console session made on one gateway is good on the other; both count the same rate limit', async () => {
  const [a, b] = nodes as [Node, Node];
  const form = await a.composed.app.inject({ method: 'GET', url: '/console/login' });
  const nonce = /name="_login" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const loginCookie = String(form.headers['set-cookie']).split(';')[0]!;
  const login = await b.composed.app.inject({
    method: 'POST', url: '/console/login', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _login: nonce, token: STACK_ADMIN_TOKEN }).toString(),
  });
  assert.equal(login.statusCode, 303, login.body);
  const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
  const session = cookies.find((c) => c.startsWith('sw_console='))!.split(';')[0]!;
  for (const node of [a, b]) {
    const page = await node.composed.app.inject({ method: 'GET', url: '/console/connections', headers: { cookie: session } });
    assert.equal(page.statusCode, 200, `${page.statusCode} ${page.headers.location ?? ''}`);
  }
  const none = await a.composed.app.inject({ method: 'GET', url: '/console/connections' });
  assert.notEqual(none.statusCode, 200, 'without the cookie the console asks for a sign-in');

  const token = (await a.composed.core.connections.rotateToken('ux-cluster'))!.token;
  const remaining = async (node: Node) => {
    const res = await fetch(`${node.url}/scim/v2/ux-cluster/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    return Number(res.headers.get('x-ratelimit-remaining'));
  };
  const first = await remaining(a);
  assert.equal(await remaining(b), first - 1, 'gateway B counts gateway A\'s request');
  assert.equal(await remaining(a), first - 2);
});

test('deleting the connection through one gateway leaves none of its keys on any master', async () => {
  const [a] = nodes as [Node];
  const before: string[] = [];
  for await (const keys of scanKeys(a.redis, `${connectionKeys(PREFIX, 'ux-cluster').base}:*`)) before.push(...keys);
  assert.ok(before.length > 0, 'the scan across the masters finds the connection\'s keys');
  const res = await fetch(`${a.url}/admin/v1/connections/ux-cluster`, { method: 'DELETE', headers: { authorization: `Bearer ${STACK_ADMIN_TOKEN}` } });
  assert.equal(res.status, 204);
  const left: string[] = [];
  for (const pattern of [`${connectionKeys(PREFIX, 'ux-cluster').base}:*`, `${runKeys(PREFIX).index('ux-cluster')}*`, connectionStoreKeys(PREFIX).connection('ux-cluster')]) {
    for await (const keys of scanKeys(a.redis, pattern)) left.push(...keys);
  }
  assert.deepEqual(left, []);
});
