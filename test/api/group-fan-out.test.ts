/**
 * Issue 11, Redis side: a group write that changes many members commits with one short script
 * and applies its members' writes (reverse membership, provisioning bumps) in short batches
 * after it (core/store/fan-out.ts). These tests check what the batches must keep: each member's
 * writes applied exactly once, nothing left by a refused write, concurrent writers of one group
 * ending where the group document ends, and a fan-out cut short by a crash finished later.
 * Speed is measured in bench/adversarial.ts (SLOWLOG column), not here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { BATCH_ITEMS } from '../../core/store/fan-out.ts';
import { createConnection, scimCall, snapshot as snapshotOf, useGateway, type Conn } from './scim-harness.ts';

const env = useGateway();
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const call = (c: Conn, method: string, path: string, payload?: unknown) => scimCall(env.gw, c, method, path, payload);
const snapshot = (connectionId: string) => snapshotOf(env.gw, connectionId);

async function users(c: Conn, n: number, tag: string): Promise<string[]> {
  const ctx = { connectionId: c.id, baseUrl: `http://scim.test${c.base}`, tokenId: 'tok', requestId: 'seed' };
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(String((await env.gw.core.directory.users.create(ctx, { userName: `${tag}${i}@x.com` })).resource.id));
  return ids;
}

/** Each user's provisioning generation (bumped once per accepted change). */
async function generations(c: Conn, ids: string[]): Promise<number[]> {
  const keys = env.gw.core.directory.resources.keys(c.id);
  return Promise.all(ids.map(async (id) => Number(await env.gw.redis.hget(keys.prov(id), 'generation'))));
}

/** The members' reverse sets agree with the group document, and no fan-out is left. */
async function assertMembershipMatches(c: Conn, groupId: string, ids: string[]) {
  const keys = env.gw.core.directory.resources.keys(c.id);
  const doc = (await call(c, 'GET', `/Groups/${groupId}`)).json();
  const members = new Set<string>(doc.members.map((m: { value: string }) => m.value));
  for (const id of ids) {
    assert.equal(await env.gw.redis.sismember(keys.memberOf(id), groupId), members.has(id) ? 1 : 0, `user ${id} (${members.has(id) ? 'member' : 'not a member'})`);
  }
  assert.equal(await env.gw.redis.hlen(keys.fanOuts), 0, 'no fan-out left');
  assert.deepEqual(await env.gw.redis.keys(`${keys.base}:staging:*`), [], 'no staging list left');
}

test('a 400-member group write applies at most one batch of members per Redis script, each member once', async () => {
  const c = await createConnection(env.gw);
  const ids = await users(c, 400, 'fan');
  const before = await generations(c, ids);
  const monitor = await new Redis(env.redis.url).monitor();
  // Commands a script runs reach MONITOR as one unbroken run marked "lua": a run is one script.
  let run = 0;
  let worst = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua') { run = 0; return; }
    if (args[0]?.toLowerCase() === 'hincrby') worst = Math.max(worst, ++run);
  });
  try {
    const created = await call(c, 'POST', '/Groups', { displayName: 'Fan', members: ids.map((value) => ({ value })) });
    assert.equal(created.statusCode, 201, created.body.slice(0, 300));
    await env.gw.redis.ping();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(worst > 0, 'the bumps were seen');
    // One script used to bump all 400 members (and re-list each in the users list) at once.
    assert.ok(worst <= BATCH_ITEMS, `a script bumped ${worst} members (batch bound ${BATCH_ITEMS})`);
    assert.deepEqual((await generations(c, ids)).map((g, i) => g - before[i]!), ids.map(() => 1), 'each member bumped once');
    await assertMembershipMatches(c, created.json().id, ids);
  } finally {
    monitor.disconnect();
  }
});

test('a big group write refused at its commit (name taken) leaves Redis byte-identical', async () => {
  const c = await createConnection(env.gw);
  const ids = await users(c, 150, 'ref');
  assert.equal((await call(c, 'POST', '/Groups', { displayName: 'Taken' })).statusCode, 201);
  const group = (await call(c, 'POST', '/Groups', { displayName: 'Mine' })).json().id as string;
  const before = await snapshot(c.id);
  const members = ids.map((value) => ({ value }));
  const put = await call(c, 'PUT', `/Groups/${group}`, { displayName: 'taken', members });
  assert.equal(put.statusCode, 409, put.body.slice(0, 300));
  const post = await call(c, 'POST', '/Groups', { displayName: 'TAKEN', members });
  assert.equal(post.statusCode, 409, post.body.slice(0, 300));
  // Compared whole (a diff of two long snapshots takes the assertion minutes to print).
  const after = await snapshot(c.id);
  const left = (await env.gw.redis.keys(`${env.gw.core.directory.resources.keys(c.id).base}:*`)).filter((k) => !before.includes(`${k}\n`));
  assert.ok(after === before, `changed; new keys: ${left.join(' ')}`);
});

test('a write to a group whose fan-out is still being applied waits for it, so members end as the group does', async () => {
  const c = await createConnection(env.gw);
  const ids = await users(c, 400, 'cc');
  const group = (await call(c, 'POST', '/Groups', { displayName: 'Busy' })).json().id as string;
  const client = env.gw.redis as unknown as { scimwrightFanOut: (...args: string[]) => Promise<unknown> };
  const apply = client.scimwrightFanOut;
  // After the big add's first batch, a small PATCH removes the last member, while the add's
  // later batches (which hold that member) are still to come.
  let second: Awaited<ReturnType<typeof call>> | undefined;
  let started = false;
  client.scimwrightFanOut = async (...args) => {
    const result = await apply.apply(env.gw.redis, args);
    if (!started) {
      started = true;
      second = await call(c, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${ids[399]}"]` }] });
    }
    return result;
  };
  try {
    const added = await call(c, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });
    assert.equal(added.statusCode, 204, added.body.slice(0, 300));
  } finally {
    client.scimwrightFanOut = apply;
  }
  assert.equal(second?.statusCode, 204, second?.body.slice(0, 300));
  await assertMembershipMatches(c, group, ids);
  assert.equal(await env.gw.redis.sismember(env.gw.core.directory.resources.keys(c.id).memberOf(ids[399]!), group), 0);
});

test('a fan-out cut short (the process died) is finished by the next write to the group, or at start', async () => {
  const c = await createConnection(env.gw);
  const ids = await users(c, 300, 'crash');
  const gen0 = await generations(c, ids);
  const keys = env.gw.core.directory.resources.keys(c.id);
  const client = env.gw.redis as unknown as { scimwrightFanOut: (...args: string[]) => Promise<unknown> };
  const apply = client.scimwrightFanOut;
  // The first batch is applied, then the writer "dies": its request never finishes the list.
  let batches = 0;
  client.scimwrightFanOut = async (...args) => {
    if (++batches > 1) throw new Error('process died');
    return apply.apply(env.gw.redis, args);
  };
  let group: string;
  try {
    const res = await call(c, 'POST', '/Groups', { displayName: 'Crash', members: ids.map((value) => ({ value })) });
    assert.equal(res.statusCode, 500, res.body.slice(0, 300));
    group = (await call(c, 'GET', `/Groups?filter=${encodeURIComponent('displayName eq "Crash"')}`)).json().Resources[0].id;
  } finally {
    client.scimwrightFanOut = apply;
  }
  assert.equal(await env.gw.redis.hlen(keys.fanOuts), 1, 'the unfinished fan-out is recorded');
  // The next write of the group finishes the earlier fan-out before its own commit.
  const removed = await call(c, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${ids[0]}"]` }] });
  assert.equal(removed.statusCode, 204, removed.body.slice(0, 300));
  await assertMembershipMatches(c, group, ids);
  assert.deepEqual((await generations(c, ids)).map((g, i) => g - gen0[i]!), ids.map((_, i) => (i === 0 ? 2 : 1)), 'each member bumped once (the removed one twice)');

  // Cut short again; nothing writes the group afterwards: the start-up pass finishes it.
  batches = 0;
  client.scimwrightFanOut = async (...args) => {
    if (++batches > 1) throw new Error('process died');
    return apply.apply(env.gw.redis, args);
  };
  try {
    const res = await call(c, 'DELETE', `/Groups/${group}`);
    assert.equal(res.statusCode, 500, res.body.slice(0, 300));
  } finally {
    client.scimwrightFanOut = apply;
  }
  assert.equal(await env.gw.core.directory.finishFanOuts([c.id]), 1);
  for (const id of ids) assert.equal(await env.gw.redis.sismember(keys.memberOf(id), group), 0);
  assert.equal(await env.gw.redis.hlen(keys.fanOuts), 0);
});
