/** The audit log on a real Redis: what each SCIM request changed, settled by runs, and the paged query. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisPerFile } from '../../test/support/per-file.ts';
import { Directory } from '../directory/index.ts';
import { MemoryConvergeQueue } from '../queue.ts';
import type { AuditChange } from './schema.ts';
import { AuditStore } from './store.ts';

const redis = redisPerFile();
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let n = 0;
function directory() {
  const prefix = `au${++n}`;
  return { prefix, dir: new Directory(redis.client, { prefix, queue: new MemoryConvergeQueue(), maxPageSize: 100 }) };
}
const ctx = (connectionId: string, requestId: string) => ({ connectionId, baseUrl: 'http://x/scim/v2', requestId, tokenId: 'tok_idp1' });

test('each request records action, old → new and token; a run settles the changes it carried', async () => {
  const { dir } = directory();
  const user = await dir.users.create(ctx('ux', 'r1'), { schemas: [USER], userName: 'Ann@Example.com', roles: [{ value: 'Collaborator', primary: true }] });
  const id = String(user.resource.id);
  await dir.users.patch(ctx('ux', 'r2'), id, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'roles', value: [{ value: 'Creator', primary: true }] }] });
  await dir.users.patch(ctx('ux', 'r3'), id, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
  const audit = dir.provisioning.audit.store;
  const [deactivate, role, create] = await audit.ofUser('ux', id);
  assert.equal(create!.action, 'create');
  assert.equal(create!.email, 'ann@example.com');
  assert.deepEqual(role!.changes, [{ field: 'role', from: 'Collaborator', to: 'Creator' }]);
  assert.equal(role!.action, 'role');
  assert.deepEqual(deactivate!.changes, [{ field: 'active', from: 'true', to: 'false' }]);
  assert.equal(deactivate!.action, 'deactivate');
  assert.equal(deactivate!.tokenId, 'tok_idp1');
  assert.equal(deactivate!.requestId, 'r3');
  assert.deepEqual([create!.generation, role!.generation, deactivate!.generation], [1, 2, 3]);

  // A run that read generation 2 carries the first two; a final failure at 3 marks the third failed.
  await dir.provisioning.recordRun('ux', id, { generation: 2, ok: true, runId: 'run_a', at: '2026-12-01T10:00:00.000Z' });
  await dir.provisioning.recordRun('ux', id, { generation: 3, ok: false, final: true, runId: 'run_b', at: '2026-12-01T10:01:00.000Z', reason: 'login_failed', error: 'refused' });
  let [d, r, c] = await audit.ofUser('ux', id);
  assert.deepEqual([c!.outcome, r!.outcome, d!.outcome], ['succeeded', 'succeeded', 'failed']);
  assert.equal(r!.settledAt, '2026-12-01T10:00:00.000Z');
  assert.deepEqual([d!.reason, d!.runId], ['login_failed', 'run_b']);
  // A later success still turns the failed change green.
  await dir.provisioning.recordRun('ux', id, { generation: 3, ok: true, runId: 'run_c', at: '2026-12-01T10:02:00.000Z' });
  [d] = await audit.ofUser('ux', id);
  assert.deepEqual([d!.outcome, d!.runId, d!.reason], ['succeeded', 'run_c', undefined]);
  const failed = await audit.query({ outcome: 'failed', limit: 10 });
  assert.equal(failed.changes.length, 0);
});

test('DELETE is a delete with the email kept', async () => {
  const { dir } = directory();
  const user = await dir.users.create(ctx('ux', 'r1'), { schemas: [USER], userName: 'bob@example.com' });
  const id = String(user.resource.id);
  await dir.users.delete(ctx('ux', 'r2'), id);
  const [del] = await dir.provisioning.audit.store.ofUser('ux', id);
  assert.deepEqual([del!.action, del!.email, del!.changes[0]!.to], ['delete', 'bob@example.com', 'deleted']);
});

function change(i: number, over: Partial<AuditChange> = {}): Omit<AuditChange, 'id'> {
  return {
    at: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000).toISOString(), connectionId: i % 2 ? 'ux' : 'sp', userId: `u${i}`,
    email: `user${i}@example.com`, tokenId: 'tok_a', requestId: `r${i}`, request: 'PATCH /Users/x', action: i % 3 ? 'update' : 'deactivate',
    changes: [], generation: 1, outcome: 'pending', ...over,
  };
}

test('query: filters combine, pages follow the cursor without overlap, time range and email search', async () => {
  const store = new AuditStore(redis.client, `aq${++n}`);
  await store.append(Array.from({ length: 60 }, (_, i) => change(i)));
  const all: number[] = [];
  let cursor: number | undefined;
  do {
    const page = await store.query({ connection: 'ux', action: 'deactivate', limit: 4, ...(cursor ? { cursor } : {}) });
    for (const c of page.changes) assert.ok(c.connectionId === 'ux' && c.action === 'deactivate');
    all.push(...page.changes.map((c) => c.id));
    cursor = page.next;
  } while (cursor);
  // i odd and divisible by 3: 3, 9, 15, … 57 → ids i+1, newest first.
  assert.deepEqual(all, [57, 51, 45, 39, 33, 27, 21, 15, 9, 3].map((i) => i + 1));
  const ranged = await store.query({ from: '2026-11-01T00:10:00Z', to: '2026-11-01T00:12:00Z', limit: 50 });
  assert.deepEqual(ranged.changes.map((c) => c.email), ['user12@example.com', 'user11@example.com', 'user10@example.com']);
  const exact = await store.query({ q: 'User7@example.com', limit: 50 });
  assert.deepEqual(exact.changes.map((c) => c.email), ['user7@example.com']);
  const part = await store.query({ q: 'user5', limit: 50 });
  assert.deepEqual(part.changes.map((c) => c.email), Array.from({ length: 10 }, (_, i) => `user5${9 - i}@example.com`).concat('user5@example.com'));
  assert.deepEqual((await store.query({ from: '2027-01-01T00:00:00Z', limit: 5 })).changes, []);
});
