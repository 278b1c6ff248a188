/**
 * The chaos verdict's checks can fail: each is shown a sandbox or a ledger that breaks it. (The
 * chaos run itself passes when the system holds, so without these a broken check would go unseen.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SandboxHost } from './sandbox-host.ts';
import { Gate, ScimClient } from './scim-client.ts';
import { Traffic } from './traffic.ts';
import { duplicateInvites, judge, mismatches } from './verdict.ts';

const SEEDED = [{ email: 'seeded@example.org', role: 'Admin', status: 'active' }] as const;
let host: SandboxHost;
before(async () => {
  host = await SandboxHost.start({ seed: SEEDED.map((m) => ({ ...m })) });
});
after(() => host.stop());

function traffic(users: number) {
  return new Traffic(new ScimClient('http://127.0.0.1:9/scim/v2/x', 'token', new Gate()), { users, durationMs: 1 });
}

test('membership: a missing member, a wrong role, a deactivated user still there and a changed seeded member are each named', async () => {
  const t = traffic(2);
  const [a, b] = t.users as [NonNullable<typeof t.users[0]>, NonNullable<typeof t.users[1]>];
  a.acknowledge('create', 1, { id: 'a', exists: true, active: true, roleValue: 'uxpin.admin' });
  b.acknowledge('create', 1, { id: 'b', exists: true, active: true, roleValue: undefined });
  assert.equal(mismatches(host, t, SEEDED).length, 2);
  host.sandbox.state.invite([a.email], 'Creator');
  host.sandbox.state.invite([b.email], 'Collaborator');
  assert.deepEqual(mismatches(host, t, SEEDED), [`${a.email}: app shows Creator, desired Admin`]);
  host.sandbox.state.changeRole(a.email, 'Admin');
  assert.deepEqual(mismatches(host, t, SEEDED), []);
  b.acknowledge('deactivate', 2, { id: 'b', exists: true, active: false, roleValue: undefined });
  assert.deepEqual(mismatches(host, t, SEEDED), [`${b.email}: app shows Collaborator, desired no member`]);
  host.sandbox.state.remove(b.email);
  host.sandbox.state.changeRole('seeded@example.org', 'Developer');
  assert.match(mismatches(host, t, SEEDED).join(), /seeded seeded@example.org changed/);
  host.sandbox.state.changeRole('seeded@example.org', 'Admin');
});

test('duplicate invites: more invitations than (re)joins are flagged, counted across a sandbox restart', async () => {
  const t = traffic(3);
  const c = t.users[2]!;
  c.acknowledge('create', 1, { id: 'c', exists: true, active: true, roleValue: undefined });
  host.sandbox.state.invite([c.email], 'Collaborator');
  assert.deepEqual(duplicateInvites(host, t).filter((d) => d.startsWith(c.email)), []);
  host.sandbox.state.remove(c.email);
  await host.restart(0);
  host.sandbox.state.invite([c.email], 'Collaborator');
  assert.deepEqual(duplicateInvites(host, t).filter((d) => d.startsWith(c.email)), [`${c.email}: 2 invitations for 1 (re)joins`]);
  c.acknowledge('deactivate', 2, { id: 'c', exists: true, active: false, roleValue: undefined });
  c.acknowledge('reactivate', 3, { id: 'c', exists: true, active: true, roleValue: undefined });
  assert.deepEqual(duplicateInvites(host, t).filter((d) => d.startsWith(c.email)), []);
});

test('5xx: allowed from the Redis kill until the gateway is healthy again (+2 s), counted as a problem at any other time', async () => {
  const t = traffic(0);
  const client = new ScimClient('http://127.0.0.1:9/scim/v2/x', 'token', new Gate());
  client.exchanges.push({ method: 'POST', status: 503, at: 10_500 }, { method: 'PATCH', status: 0, at: 13_500 }, { method: 'GET', status: 500, at: 20_000 });
  const result = await judge({
    options: { users: 0, fsync: 'always', durationMs: 1 }, traffic: t, client, sandbox: host, seeded: [], convergedAt: 1, runningAfter: 1, startedAt: 0,
    chaos: { workerKills: 0, redisDownAt: 10_000, redisUpAt: 12_000, lostAcrossKill: { within1s: 1, older: 0, details: ['x'] } },
  });
  assert.equal(result.verdict, 'fail');
  assert.equal(result.figures.fiveXxDuringOutage, 2);
  assert.equal(result.figures.fiveXxOutsideOutage, 1);
  assert.match(result.problems.join('\n'), /1 5xx or refused answers outside the Redis outage \(GET 500\)/);
  assert.match(result.problems.join('\n'), /appendfsync always lost 1/);
  assert.match(result.problems.join('\n'), /1 runs still "running"/);
});
