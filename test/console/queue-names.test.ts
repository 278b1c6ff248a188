/**
 * Bull Board shows converge jobs by the user's email (issue 12, item 11): the gateway's queue puts
 * the email in the job's data for display, the board's name formatter shows it, and job ids and
 * names stay what the worker dispatches on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobDisplayName } from '../../api/console/queues.ts';
import { ResourceStore } from '../../core/store/resource-store.ts';
import { CONVERGE_JOB, convergeJobId } from '../../runner/jobs.ts';
import { createBullConvergeQueue } from '../../runner/queue.ts';
import { redisPerFile } from '../support/per-file.ts';

const shared = redisPerFile();

test('converge jobs carry the user\'s email for Bull Board; their ids and names are unchanged', async (t) => {
  const redis = shared.client.duplicate({ maxRetriesPerRequest: null });
  const resources = new ResourceStore(shared.client, 'qn');
  const queue = createBullConvergeQueue({ connection: redis, prefix: 'qn:bull', resources });
  t.after(async () => {
    await queue.queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });
  await resources.create('acme', 'User', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u-1', userName: 'Ann@Example.com' } as never);
  await resources.create('acme', 'User', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u-2', userName: 'bo', emails: [{ value: 'bo@example.com', primary: true }] } as never);
  await queue.enqueue([{ connectionId: 'acme', userId: 'u-1' }, { connectionId: 'acme', userId: 'u-2' }, { connectionId: 'acme', userId: 'gone' }]);

  const ann = await queue.queue.getJob(convergeJobId('acme', 'u-1'));
  assert.equal(ann?.name, CONVERGE_JOB);
  assert.deepEqual(ann?.data, { connectionId: 'acme', userId: 'u-1', email: 'ann@example.com' });
  assert.equal(jobDisplayName(ann!), 'converge ann@example.com · acme');
  const bo = await queue.queue.getJob(convergeJobId('acme', 'u-2'));
  assert.equal(jobDisplayName(bo!), 'converge bo@example.com · acme');
  const gone = await queue.queue.getJob(convergeJobId('acme', 'gone'));
  assert.deepEqual(gone?.data, { connectionId: 'acme', userId: 'gone' }, 'a user no longer stored still gets its job');
  assert.equal(jobDisplayName(gone!), 'converge user gone · acme');
  assert.equal(jobDisplayName({ name: 'task', data: { connectionId: 'acme', task: 'setup' } }), 'task setup · acme');
  assert.equal(jobDisplayName({ name: 'check', data: { connectionId: 'acme', runId: 'run-x' } }), 'check · acme');
});
