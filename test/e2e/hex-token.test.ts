/**
 * Hex's SCIM token and faults end to end (issue 14, "Done when"): rotation on demand leaves the
 * old token refused; a token revoked behind our back costs exactly one regeneration and the change
 * converges; then not one byte the runs wrote (evidence, logs, Redis) holds a Hex token, the
 * password or the TOTP secret, in clear or base64 — on every preset. With 20 % failures before
 * or after the change, 429s without Retry-After and sessions that end, every user is created once,
 * never deleted, and converges.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from 'otpauth';
import { HEX_VARIANTS, hexVariantsToRun } from '../sandboxes/hex/variants.ts';
import { assertNoSecret, everythingWritten } from '../support/leak-search.ts';
import {
  admin, createHexConnection, GROUP, hexStacksPerFile, hexView, oktaUser, PATCH_OP, settled, taskRun, vaultValue,
  type HexStack, type ScimClient,
} from './hex-stack.ts';

const stackFor = hexStacksPerFile();

async function statusFor(stack: HexStack, token: string): Promise<number> {
  const res = await fetch(`${stack.sandbox.scimBaseUrl}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
  await res.body?.cancel();
  return res.status;
}

async function createUsers(scim: ScimClient, names: string[], role?: string): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) ids.push((await scim.ok('POST', '/Users', oktaUser(`${name}@acme.test`, name, 'Tester', role)))!.id as string);
  return ids;
}

async function allInSync(stack: HexStack, connectionId: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const state = await settled(stack, connectionId, id);
    assert.equal(state.state, 'in_sync', `user ${id}: ${state.lastError}`);
  }
}

for (const { name, presentation } of hexVariantsToRun()) {
  test(`[${name}] rotation on demand, a revoked token costs one regeneration, and no secret is anywhere it must not be`, async (t) => {
    const stack = await stackFor(t, { presentation, totpSecret: new Secret().base32 });
    const scim = await createHexConnection(stack, 'hex-tok');
    assert.equal((await taskRun(stack, 'hex-tok', 'setup')).status, 'succeeded');
    const users = await createUsers(scim, ['fay', 'gus'], 'Editor');
    const gid = (await scim.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Data', members: [] }))!.id as string;
    await scim.ok('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: users.map((value) => ({ value })) }] });
    await allInSync(stack, 'hex-tok', users);

    const before = (await vaultValue(stack, 'hex-tok', 'appToken'))!;
    assert.equal((await admin(stack, 'POST', '/connections/hex-tok/rotate-app-token')).status, 202);
    assert.equal((await taskRun(stack, 'hex-tok', 'rotate', 1)).status, 'succeeded');
    const rotated = (await vaultValue(stack, 'hex-tok', 'appToken'))!;
    assert.notEqual(rotated, before);
    assert.equal(await statusFor(stack, before), 401, 'rotation on demand leaves the old token refused');
    assert.equal(await statusFor(stack, rotated), 200);

    // Someone regenerates in Hex: the next SCIM call gets 401, the connector regenerates once and retries.
    stack.sandbox.issueToken();
    const generations = hexView(stack).tokenGenerations;
    const [hal] = await createUsers(scim, ['hal']);
    await allInSync(stack, 'hex-tok', [hal!]);
    assert.equal(hexView(stack).tokenGenerations, generations + 1, 'exactly one regeneration');
    assert.equal(hexView(stack).users.get('hal@acme.test')?.role, 'Viewer');
    await stack.worker.close(); // every run sealed, every log line written

    const { files, haystacks } = await everythingWritten(stack.config.recordingsDir, stack.logs, stack.redis);
    assert.ok(files.some((f) => f.endsWith('.png')) && files.some((f) => f.endsWith('manifest.json')));
    assert.ok(haystacks.some(([n]) => n.startsWith(`redis ${stack.config.redisPrefix}:vault:hex-tok`)), 'the sealed vault was searched');
    assert.ok(stack.issued.length >= 3, `tokens issued: ${stack.issued.length}`);
    assertNoSecret(haystacks, [...stack.issued, stack.sandbox.knobs.admin.password, stack.sandbox.knobs.totpSecret!]);
  });
}

test('faults: 20 % failures before and after the change, 429s without Retry-After, ending sessions — every user created once, none deleted, all converge', async (t) => {
  const stack = await stackFor(t, { presentation: HEX_VARIANTS[0]!.presentation, sessionLifetimeMs: 60_000 });
  const scim = await createHexConnection(stack, 'hex-flt', { groupRoleMap: { Analysts: 'Editor' } });
  assert.equal((await taskRun(stack, 'hex-flt', 'setup')).status, 'succeeded');
  stack.sandbox.setKnobs({ failureRate: 0.2, failureTiming: 'before', rateLimit: { requests: 3, windowMs: 1000 } });
  const first = await createUsers(scim, ['ida', 'jon', 'kai'], 'Manager');
  const gid = (await scim.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Analysts', members: [] }))!.id as string;
  await scim.ok('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: first[0] }] }] });
  await allInSync(stack, 'hex-flt', first);
  // Sessions end (hex.md: any page goes to /login?next=…); failures now land before answering 500.
  for (const session of stack.sandbox.state.sessions.values()) session.expiresAt = 0;
  stack.sandbox.setKnobs({ failureTiming: 'after' });
  const second = await createUsers(scim, ['lou', 'max', 'ned']);
  await allInSync(stack, 'hex-flt', second);
  stack.sandbox.setKnobs({ failureRate: 0, rateLimit: null });

  const hex = hexView(stack);
  assert.ok(hex.stats.injectedFailures > 0, 'faults were injected');
  assert.ok(hex.stats.rateLimited > 0, '429s were answered');
  assert.equal(hex.stats.usersCreated, 6, 'every user created once');
  assert.equal(hex.stats.usersDeleted, 0);
  assert.equal(hex.stats.scimRoleAttempts, 0);
  const roles = Object.fromEntries([...hex.users.entries()].map(([email, u]) => [email, u.role]));
  assert.deepEqual(roles, {
    'admin@example.com': 'Admin', 'ida@acme.test': 'Manager', 'jon@acme.test': 'Manager', 'kai@acme.test': 'Manager',
    'lou@acme.test': 'Viewer', 'max@acme.test': 'Viewer', 'ned@acme.test': 'Viewer',
  });
  assert.equal(hex.groups.filter((g) => g.displayName === 'Analysts').length, 1);
});
