import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TransientAppError } from '../../../core/errors.ts';
import { startSpekitSandbox, type SpekitSandbox } from '../../../test/sandboxes/spekit/server.ts';
import { createScimUpstream, UpstreamRefusedError, UpstreamUnauthorizedError, type ScimUpstreamOptions } from './index.ts';

let sandbox: SpekitSandbox;
let token: string;
before(async () => {
  sandbox = await startSpekitSandbox({ handUsers: [{ userName: 'hand@example.com' }] });
  token = sandbox.issueToken();
});
after(() => sandbox.stop());

/** A client whose waits are recorded (and really made, so rate-limit windows do pass). */
function client(overrides: Partial<ScimUpstreamOptions> = {}) {
  const waits: number[] = [];
  const upstream = createScimUpstream({
    baseUrl: sandbox.endpointUrl,
    token: async () => token,
    retry: { attempts: 4, baseMs: 5 },
    sleep: async (ms) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    ...overrides,
  });
  return { upstream, waits };
}

test('createUser creates, then adopts the existing user on 409', async () => {
  const { upstream } = client();
  const first = await upstream.createUser({ userName: 'adopt@example.com', givenName: 'Ada', roles: ['Expert'] });
  assert.equal(first.adopted, false);
  const again = await upstream.createUser({ userName: 'ADOPT@example.com' });
  assert.equal(again.adopted, true);
  assert.equal(again.user.id, first.user.id);
  assert.equal((await upstream.findUserByUserName('adopt@example.com'))?.roles?.[0]?.value, 'Expert');
});

test('a userName taken by a hand-made user is refused with the reason, not adopted', async () => {
  const { upstream } = client();
  await assert.rejects(upstream.createUser({ userName: 'hand@example.com' }), (error: unknown) => {
    assert.ok(error instanceof UpstreamRefusedError);
    assert.equal(error.reason, 'user_refused');
    assert.match(error.message, /does not list/);
    return true;
  });
});

test('listUsers follows 1-based paging until totalResults', async () => {
  const { upstream } = client({ pageSize: 50 });
  for (let n = 0; n < 7; n += 1) await upstream.createUser({ userName: `page${n}@example.com` });
  sandbox.setKnobs({ maxPageSize: 3 });
  try {
    const users = await upstream.listUsers();
    const expected = sandbox.snapshot().users.filter((u) => u.source === 'scim').map((u) => u.id).sort();
    assert.ok(expected.length >= 7);
    assert.deepEqual(users.map((u) => u.id).sort(), expected);
    assert.ok(sandbox.snapshot().stats.scimRequests >= Math.ceil(expected.length / 3));
  } finally {
    sandbox.setKnobs({ maxPageSize: 100 });
  }
});

test('429 is retried after the Retry-After the server asked for', async () => {
  const { upstream, waits } = client();
  sandbox.setKnobs({ rateLimit: { requests: 1, windowMs: 1000 } });
  try {
    await upstream.listUsers();
    await upstream.listUsers();
  } finally {
    sandbox.setKnobs({ rateLimit: null });
  }
  assert.ok(sandbox.snapshot().stats.rateLimited >= 1);
  assert.ok(waits.length >= 1);
  assert.ok(waits.every((ms) => ms >= 1000), `waited ${waits.join(', ')} ms`);
});

test('5xx is retried with backoff; a POST /Groups that failed after saving is adopted, not duplicated', async () => {
  const { upstream, waits } = client();
  sandbox.setKnobs({ failureCount: 1, failureTiming: 'before' });
  const user = await upstream.createUser({ userName: 'retry@example.com' });
  assert.equal(user.adopted, false);
  assert.equal(waits.length, 1);
  sandbox.setKnobs({ failureCount: 1, failureTiming: 'after' });
  const group = await upstream.createGroup('Once');
  sandbox.setKnobs({ failureTiming: 'before' });
  assert.equal(sandbox.snapshot().teams.filter((t) => t.displayName === 'Once').length, 1);
  assert.equal(group.displayName, 'Once');
});

test('retries give up as a transient error', async () => {
  const { upstream } = client({ retry: { attempts: 2, baseMs: 1 } });
  sandbox.setKnobs({ failureCount: 2, failureTiming: 'before' });
  await assert.rejects(upstream.createUser({ userName: 'never@example.com' }), TransientAppError);
  sandbox.setKnobs({ failureCount: 0 });
});

test('401 is a distinct error that never carries the token', async () => {
  const wrong = 'spk_this-token-must-not-leak';
  const { upstream } = client({ token: async () => wrong });
  await assert.rejects(upstream.probe(), (error: unknown) => {
    assert.ok(error instanceof UpstreamUnauthorizedError);
    assert.ok(!String((error as Error).message).includes(wrong));
    assert.ok(!(error as Error).stack?.includes(wrong));
    return true;
  });
});

test('groups: find by displayName, members by upstream id, add and remove, deactivate and delete', async () => {
  const { upstream } = client();
  const a = (await upstream.createUser({ userName: 'g1@example.com' })).user;
  await upstream.createUser({ userName: 'g2@example.com' });
  const { ids, missing } = await upstream.resolveUserIds(['g1@example.com', 'g2@example.com', 'ghost@example.com']);
  assert.deepEqual(missing, ['ghost@example.com']);
  const group = await upstream.ensureGroup('Support');
  assert.equal((await upstream.ensureGroup('support')).id, group.id);
  await upstream.addMembers(group.id, [...ids.values()]);
  await upstream.removeMembers(group.id, [a.id]);
  assert.deepEqual(sandbox.state.membersOf(group.id).map((m) => m.userId), [ids.get('g2@example.com')]);
  await assert.rejects(upstream.addMembers(group.id, ['g1@example.com']), UpstreamRefusedError);
  await upstream.deactivateUser(a.id);
  assert.equal((await upstream.getUser(a.id))?.active, false);
  const renamed = await upstream.updateUser(a.id, { userName: 'g1@example.com', displayName: 'G One' }, 'put');
  assert.equal(renamed.displayName, 'G One');
  await upstream.deleteUser(a.id);
  await upstream.deleteUser(a.id);
  assert.equal(await upstream.getUser(a.id), null);
});
