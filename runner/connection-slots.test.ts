/** The page-slot semaphore on a real Redis: limits, names, the line, lapsed leases, back-off. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisPerFile } from '../test/support/per-file.ts';
import { ConnectionSlots, WHOLE_CONNECTION, userNames, type HeldSlot } from './connection-slots.ts';

const shared = redisPerFile();
let n = 0;

function slots(options: { ttlMs?: number } = {}) {
  const prefix = `slots${++n}`;
  const woken: string[] = [];
  const s = new ConnectionSlots({ redis: shared.client, prefix, backoffBaseMs: 5_000, ...options });
  // Stands in for BullMQ's promote: the test sees who was woken, in order.
  (s as unknown as { waker: (c: string, ids: string[]) => Promise<void> }).waker = async (_c, ids) => void woken.push(...ids);
  return { s, woken };
}

const ask = (jobId: string, names: string[], removal = false, n = 2) => ({ jobId, slots: n, names, removal });

test('two slots hold two jobs; the third waits and is woken when one releases', async () => {
  const { s, woken } = slots();
  const a = await s.acquire('c', ask('a', userNames('1', ['a@x'])));
  const b = await s.acquire('c', ask('b', userNames('2', ['b@x'])));
  assert.ok(a && b);
  assert.equal(await s.acquire('c', ask('c', userNames('3', ['c@x']))), null);
  assert.deepEqual(woken, []);
  await a.release();
  assert.deepEqual(woken, ['c']);
  assert.equal(await s.grantedMeanwhile('c', 'c'), true);
  // The granted job comes back and gets the slot kept for it, even if a newcomer asks first.
  assert.equal(await s.acquire('c', ask('d', userNames('4', ['d@x']))), null);
  const c = await s.acquire('c', ask('c', userNames('3', ['c@x'])));
  assert.ok(c);
  await b.release();
  await c.release();
  assert.deepEqual(woken, ['c', 'd']);
});

test('one address is held by one job at a time even with free slots; removals wait first in line', async () => {
  const { s, woken } = slots();
  const first = await s.acquire('c', ask('old-id', userNames('old', ['same@x']), false, 4));
  assert.ok(first);
  assert.equal(await s.acquire('c', ask('new-id', userNames('new', ['same@x']), false, 4)), null);
  assert.equal(await s.acquire('c', ask('leaver', userNames('l', ['same@x']), true, 4)), null);
  await first.release();
  assert.deepEqual(woken, ['leaver'], 'the removal goes before the invite that came earlier');
  assert.equal(await first.claim(['e:other@x']), false, 'a released lease claims nothing');
});

test('a batch claims its peers all or none; a held peer is left out', async () => {
  const { s } = slots();
  const batch = (await s.acquire('c', ask('batch', userNames('1', ['one@x']), false, 4)))!;
  const peer = (await s.acquire('c', ask('peer', userNames('2', ['two@x']), false, 4)))!;
  assert.equal(await batch.claim(userNames('2', ['two@x'])), false);
  assert.equal(await batch.claim(userNames('3', ['three@x'])), true);
  assert.equal(await s.acquire('c', ask('three', userNames('3', ['three@x']), false, 4)), null);
  await Promise.all([batch.release(), peer.release()]);
});

test('a task holds the whole connection, and waits for running jobs without being passed over', async () => {
  const { s, woken } = slots();
  const job = (await s.acquire('c', ask('u1', userNames('1', ['one@x']), false, 4)))!;
  assert.equal(await s.acquire('c', ask('task', WHOLE_CONNECTION, false, 4)), null);
  assert.equal(await s.acquire('c', ask('u2', userNames('2', ['two@x']), false, 4)), null, 'a later job waits behind the task');
  await job.release();
  assert.deepEqual(woken, ['task']);
  const task = (await s.acquire('c', ask('task', WHOLE_CONNECTION, false, 4)))!;
  await task.release();
  assert.deepEqual(woken, ['task', 'u2']);
});

test('a lease nobody renews (a killed worker) lapses; the janitor wakes the next job', async () => {
  const { s, woken } = slots({ ttlMs: 300 });
  const internals = s as unknown as { run: (...args: unknown[]) => Promise<string[]> };
  const run = internals.run.bind(s);
  // Renewals stop as they would with the worker killed; nothing releases the lease.
  internals.run = (c, mode, ...rest) => (mode === 'renew' ? Promise.reject(new Error('killed')) : run(c, mode, ...rest));
  const dead = (await s.acquire('c', ask('dead', ['u:1'], false, 1)))!;
  assert.equal(await s.acquire('c', ask('next', ['u:2'], false, 1)), null);
  assert.equal(await s.tick(), 0, 'nothing to grant while the lease lives');
  await sleep(400);
  assert.equal(await s.tick(), 1);
  assert.deepEqual(woken, ['next']);
  assert.equal(await s.tick(), 0, 'the janitor forgets a connection with nobody waiting');
  assert.equal(await dead.claim(['u:3']), false);
});

test('the app pushing back halves the open slots, then pauses all of them; successes give slots back', async () => {
  const { s, woken } = slots();
  const holds: HeldSlot[] = [];
  for (const id of ['a', 'b', 'c', 'd']) holds.push((await s.acquire('c', ask(id, [`u:${id}`], false, 4)))!);
  assert.deepEqual(await s.slowDown('c').then((r) => r.slots), 2);
  await holds[0]!.release();
  await holds[1]!.release();
  assert.equal(await s.acquire('c', ask('e', ['u:e'], false, 4)), null, 'two still run: two open slots are taken');
  const second = await s.slowDown('c');
  assert.equal(second.slots, 1);
  assert.ok(second.until > Date.now(), 'the second strike pauses the connection');
  await holds[2]!.release();
  await holds[3]!.release();
  assert.deepEqual(woken, [], 'no job is woken while the connection is paused');
  await s.wentWell('c');
  assert.deepEqual(woken, []);
});
