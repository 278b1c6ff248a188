import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisPerFile } from '../../test/support/per-file.ts';
import { newRunId, RunStore, type RunRecord } from './store.ts';

const redis = redisPerFile();

function run(i: number, userId: string, status: RunRecord['status']): RunRecord {
  return {
    runId: newRunId(1_700_000_000_000 + Math.floor(i / 2)), connectionId: 'acme', userId, jobId: `u.acme.${userId}`,
    attempt: 1, status, worker: 'test:1', startedAt: new Date(1_700_000_000_000 + i).toISOString(),
  };
}

test('runs list newest first, filter by user and status, and page with before', async () => {
  const store = new RunStore(redis.client, 'p1');
  const made: RunRecord[] = [];
  for (let i = 0; i < 9; i++) made.push(await store.create(run(i, i % 3 === 0 ? 'u1' : 'u2', i % 2 ? 'failed' : 'succeeded')));
  const newestFirst = [...made].sort((a, b) => (a.runId < b.runId ? 1 : -1)).map((r) => r.runId);
  assert.deepEqual((await store.list('acme')).map((r) => r.runId), newestFirst);
  assert.deepEqual((await store.list('acme', { userId: 'u1' })).map((r) => r.userId), ['u1', 'u1', 'u1']);
  assert.ok((await store.list('acme', { status: 'failed' })).every((r) => r.status === 'failed'));
  assert.equal((await store.list('acme', { status: 'failed' })).length, 4);
  const page1 = await store.list('acme', { limit: 4 });
  const page2 = await store.list('acme', { limit: 4, before: page1[3]!.runId });
  assert.deepEqual([...page1, ...page2].map((r) => r.runId), newestFirst.slice(0, 8));
  await store.update(made[0]!.runId, { status: 'failed', reason: 'crashed' });
  assert.equal((await store.get(made[0]!.runId))?.reason, 'crashed');
  assert.equal(await store.get('run-missing'), null);
});

test('the oldest runs are dropped beyond the limit per connection', async () => {
  const store = new RunStore(redis.client, 'p2', 3);
  const made: RunRecord[] = [];
  for (let i = 0; i < 5; i++) made.push(await store.create(run(i * 2, 'u1', 'succeeded')));
  assert.deepEqual((await store.list('acme')).map((r) => r.runId), made.slice(2).reverse().map((r) => r.runId));
  assert.equal(await store.get(made[0]!.runId), null);
  assert.equal((await store.list('acme', { userId: 'u1' })).length, 3);
});
