/**
 * The audit of a big group write on a real Redis: one change per member, with its time, token and
 * request, written in a bounded number of Redis round trips (issue 11: one round trip per member,
 * and the group re-read per member, made a 5,000-member POST /Groups take 48 s).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Redis } from 'ioredis';
import { redisPerFile } from '../../test/support/per-file.ts';
import { Directory } from '../directory/index.ts';
import { MemoryConvergeQueue } from '../queue.ts';

const redis = redisPerFile();
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** More than one batch of users (core/directory/time-slice.ts BATCH). */
const MEMBERS = 1200;

const ctx = (requestId: string) => ({ connectionId: 'ux', baseUrl: 'http://x/scim/v2', requestId, tokenId: 'tok_idp1' });

/** Counts what the client writes to its socket: one write per command sent alone, one per pipeline. */
async function roundTrips<T>(client: Redis, work: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const stream = (client as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
  const write = stream.write;
  let writes = 0;
  stream.write = function (this: unknown, ...args: unknown[]) { writes++; return write.apply(this, args); };
  try {
    return { result: await work(), writes };
  } finally {
    stream.write = write;
  }
}

test('a group write of many members is audited per member in a bounded number of round trips', async () => {
  const dir = new Directory(redis.client, { prefix: 'big', queue: new MemoryConvergeQueue(), maxPageSize: 100 });
  const ids: string[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    ids.push(String((await dir.users.create(ctx(`u${i}`), { schemas: [USER], userName: `m${i}@example.com` })).resource.id));
  }
  const { result: group, writes } = await roundTrips(redis.client, () =>
    dir.groups.create(ctx('g1'), { displayName: 'Team', members: ids.map((value) => ({ value })) }));
  // Per member it was five; now a few pipelines per batch of users.
  assert.ok(writes < 60, `${writes} writes to Redis for ${MEMBERS} members`);

  const audit = dir.provisioning.audit.store;
  const firsts = await Promise.all([ids[0]!, ids[MEMBERS - 1]!].map(async (id) => (await audit.ofUser('ux', id, 1))[0]!));
  for (const [i, change] of firsts.entries()) {
    assert.equal(change.action, 'groups');
    assert.deepEqual(change.changes, [{ field: 'groups', from: null, to: 'Team' }]);
    assert.deepEqual([change.request, change.requestId, change.tokenId, change.email], ['POST /Groups', 'g1', 'tok_idp1', i === 0 ? 'm0@example.com' : `m${MEMBERS - 1}@example.com`]);
    assert.equal(change.generation, 2);
  }
  const page = await audit.query({ action: 'groups', limit: 500 });
  const all = [...page.changes];
  for (let cursor = page.next; cursor;) {
    const next = await audit.query({ action: 'groups', limit: 500, cursor });
    all.push(...next.changes);
    cursor = next.next;
  }
  assert.equal(all.length, MEMBERS);
  assert.equal(new Set(all.map((c) => c.userId)).size, MEMBERS);
  assert.equal((await audit.query({ connection: 'ux', outcome: 'pending', action: 'groups', limit: 1 })).changes.length, 1);

  // The snapshots were written: a rename moves every member's groups, a removal only the removed.
  const id = String(group.resource.id);
  await dir.groups.patch(ctx('g2'), id, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Crew' }] });
  const renamed = (await audit.ofUser('ux', ids[7]!, 1))[0]!;
  assert.deepEqual([renamed.requestId, renamed.changes], ['g2', [{ field: 'groups', from: 'Team', to: 'Crew' }]]);
  await dir.groups.patch(ctx('g3'), id, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${ids[3]}"]` }] });
  assert.deepEqual((await audit.ofUser('ux', ids[3]!, 1))[0]!.changes, [{ field: 'groups', from: 'Crew', to: null }]);
  assert.equal((await audit.ofUser('ux', ids[4]!, 1))[0]!.requestId, 'g2');
});
