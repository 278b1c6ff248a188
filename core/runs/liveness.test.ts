import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisPerFile } from '../../test/support/per-file.ts';
import { RunLiveness } from './liveness.ts';

const redis = redisPerFile();

test('only the runs of an instance without a heartbeat are claimed, each by one claimer', async () => {
  const live = new RunLiveness(redis.client, 'l1');
  await live.beat('alive', 60_000);
  await live.beat('dead', 60_000);
  await live.track('run-a', 'alive');
  await live.track('run-d1', 'dead');
  await live.track('run-d2', 'dead');
  await live.track('run-gone', 'never-beat');
  assert.deepEqual(await live.claimOrphans('alive'), ['run-gone']);
  await live.stop('dead');
  // Two reapers look at once: each dead run goes to exactly one of them.
  const [first, second] = await Promise.all([live.claimOrphans('x'), live.claimOrphans('y')]);
  assert.deepEqual([...first!, ...second!].sort(), ['run-d1', 'run-d2']);
  assert.equal(await live.isOpen('run-a'), true);
  // A reaper never claims its own runs, and the owner's close claims once.
  await live.stop('alive');
  assert.deepEqual(await live.claimOrphans('alive'), []);
  assert.equal(await live.claim('run-a'), true);
  assert.equal(await live.claim('run-a'), false);
});

test('a heartbeat lapses after its TTL', async () => {
  const live = new RunLiveness(redis.client, 'l2');
  await live.beat('brief', 50);
  await live.track('run-1', 'brief');
  assert.deepEqual(await live.claimOrphans('me'), []);
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.deepEqual(await live.claimOrphans('me'), ['run-1']);
});
