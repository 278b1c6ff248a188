/**
 * Spekit's SCIM token over time (issue 5, "Done when"): a scheduled rotation (appTokenRotationDays,
 * with the scheduler's clock moved two days on) replaces the token while users keep being
 * provisioned without a failed job; and after setup, on-demand rotation, a token regenerated behind
 * our back (401 → rotate → retry) and a Regenerate that fails after saving, not one byte the run
 * wrote — evidence files, log lines, every Redis value — holds any token, in clear or base64. The
 * leak search runs on every presentation preset of the sandbox (variants.ts: the token shown in an
 * input or a textarea, toasts, script-drawn pages); the scheduled rotation on the first.
 */
import { runKeys } from '../../core/store/keys.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_MS } from '../../core/app-token-schedule.ts';
import { readSetupState, TaskStateStore } from '../../core/connections/setup-state.ts';
import {
  admin, createSpekitConnection, GROUP, oktaUser, PATCH_OP, settled, spekitView, taskRun,
  vaultValue, waitFor, type ScimClient, type SpekitStack, spekitStacksPerFile,
} from './spekit-stack.ts';
import { assertNoSecret, everythingWritten } from '../support/leak-search.ts';
import { SPEKIT_VARIANTS, spekitVariantsToRun } from '../sandboxes/spekit/variants.ts';

const stackFor = spekitStacksPerFile();

/** What Spekit's SCIM API answers to a token: 200, or 401 for a token it no longer accepts. */
async function statusFor(stack: SpekitStack, token: string): Promise<number> {
  const res = await fetch(`${stack.sandbox.endpointUrl}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
  await res.body?.cancel();
  return res.status;
}

async function createUsers(scim: ScimClient, names: string[], group?: string): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) ids.push((await scim.ok('POST', '/Users', oktaUser(`${name}@acme.test`, name, 'Tester', 'Expert')))!.id as string);
  if (group) {
    const gid = (await scim.ok('POST', '/Groups', { schemas: [GROUP], displayName: group, members: [] }))!.id as string;
    await scim.ok('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });
  }
  return ids;
}

async function allInSync(stack: SpekitStack, connectionId: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const state = await settled(stack, connectionId, id);
    assert.equal(state.state, 'in_sync', `user ${id}: ${state.lastError}`);
  }
}

test('a scheduled rotation replaces the token, the old one gets 401, and provisioning goes on without a failed job', async (t) => {
  let offset = 0;
  const stack = await stackFor(t, {
    sandbox: { presentation: SPEKIT_VARIANTS[0]!.presentation },
    scheduler: { intervalMs: 200, retryMs: 60_000, now: () => Date.now() + offset },
  });
  const scim = await createSpekitConnection(stack, 'spk-rot', { appTokenRotationDays: 1 });
  assert.equal((await taskRun(stack, 'spk-rot', 'setup')).status, 'succeeded');
  const tasks = new TaskStateStore(stack.redis, stack.config.redisPrefix);
  const issuedAt = await waitFor(async () => (await tasks.get('spk-rot')).issuedAt, 'the setup to be recorded');
  assert.deepEqual(await stack.scheduler.tick(), [], 'a fresh token is not due');
  const oldToken = (await vaultValue(stack, 'spk-rot', 'appToken'))!;
  const first = await createUsers(scim, ['ann', 'ben'], 'Sales');
  await allInSync(stack, 'spk-rot', first);

  offset = 2 * DAY_MS; // the scheduler's clock: two days later
  const during = await createUsers(scim, ['cat', 'dan'], 'Support');
  const rotation = await taskRun(stack, 'spk-rot', 'rotate');
  assert.equal(rotation.status, 'succeeded', rotation.error);
  const later = await createUsers(scim, ['eve']);
  await allInSync(stack, 'spk-rot', [...first, ...during, ...later]);

  const newToken = (await vaultValue(stack, 'spk-rot', 'appToken'))!;
  assert.notEqual(newToken, oldToken);
  assert.equal(spekitView(stack).tokenGenerations, 2, 'one scheduled rotation, no other');
  assert.equal(await statusFor(stack, oldToken), 401);
  assert.equal(await statusFor(stack, newToken), 200);
  const spekit = spekitView(stack);
  assert.deepEqual([...spekit.users.keys()].sort(), ['ann', 'ben', 'cat', 'dan', 'eve'].map((n) => `${n}@acme.test`));
  assert.deepEqual(spekit.users.get('cat@acme.test')?.teams, ['Support:Expert']);
  assert.deepEqual(stack.failedJobs, [], 'no job failed, not even once');
  const runs = await stack.runs.list('spk-rot', { limit: 500 });
  assert.deepEqual(runs.filter((r) => r.status !== 'succeeded').map((r) => [r.task ?? r.userId, r.status, r.error]), []);
  assert.ok(rotation.evidence?.files.some((f) => f.endsWith('.png')), 'the rotation has screenshots');

  const state = await waitFor(async () => {
    const s = await tasks.get('spk-rot');
    return s.last?.task === 'rotate' ? s : undefined;
  }, 'the rotation to be recorded');
  assert.ok(state.issuedAt! >= issuedAt + 2 * DAY_MS, 'the rotation restarted the clock');
  const view = await readSetupState(stack.app.scimwright, (await stack.core.connections.get('spk-rot'))!, ['setup', 'rotate']);
  assert.equal(view?.state, 'ready');
  assert.equal(view?.nextRotationAt, new Date(state.issuedAt! + DAY_MS).toISOString());
  assert.match(view?.message ?? '', /^Ready: the app token was rotated at .*\. Next scheduled rotation at /);
  assert.deepEqual(await stack.scheduler.tick(), [], 'the new token is not due');
});

// ---- every byte the run wrote ----

for (const { name, presentation } of spekitVariantsToRun()) {
  test(`[${name}] no token the runs saw appears in any evidence file, log line or Redis value, in clear or base64`, async (t) => {
    const stack = await stackFor(t, { sandbox: { presentation } });
    const scim = await createSpekitConnection(stack, 'spk-leak');
    assert.equal((await taskRun(stack, 'spk-leak', 'setup')).status, 'succeeded');
    const users = await createUsers(scim, ['fay', 'gus'], 'Sales');
    await allInSync(stack, 'spk-leak', users);

    assert.equal((await admin(stack, 'POST', '/connections/spk-leak/rotate-app-token')).status, 202);
    assert.equal((await taskRun(stack, 'spk-leak', 'rotate', 1)).status, 'succeeded');

    // Someone regenerates in Spekit's UI: the next SCIM call gets 401, the connector rotates once and retries.
    stack.sandbox.issueToken();
    const [hal] = await createUsers(scim, ['hal']);
    await allInSync(stack, 'spk-leak', [hal!]);
    assert.ok(stack.sandbox.state.stats.unauthorized >= 1, 'the stale token was refused');

    // A Regenerate that fails after Spekit saved it: the shown token is lost, the connector regenerates again.
    stack.sandbox.setKnobs({ failureScope: 'ui', failureTiming: 'after', failureCount: 1 });
    assert.equal((await admin(stack, 'POST', '/connections/spk-leak/rotate-app-token')).status, 202);
    const last = await waitFor(async () => {
      const runs = (await stack.runs.list('spk-leak', { limit: 500 })).filter((r) => r.task === 'rotate' && r.status === 'succeeded');
      return runs.length >= 2 ? runs : undefined;
    }, 'the second on-demand rotation');
    assert.ok(last.length >= 2);
    assert.equal(await statusFor(stack, (await vaultValue(stack, 'spk-leak', 'appToken'))!), 200);
    assert.ok(stack.issued.length >= 5, `tokens issued: ${stack.issued.length}`);
    await stack.worker.close(); // every run sealed, every log line written

    const { files, haystacks } = await everythingWritten(stack.config.recordingsDir, stack.logs, stack.redis);
    // The haystacks are the real thing: screenshots, manifests, HTML, logs and the run records are there.
    assert.ok(files.some((f) => f.endsWith('.png')) && files.some((f) => f.endsWith('manifest.json')));
    assert.ok(files.some((f) => f.endsWith('failed.html')), 'the failed Regenerate left its HTML capture');
    assert.ok(stack.logs.some((line) => line.includes('spk-leak')));
    assert.ok(haystacks.some(([name]) => name.startsWith(`redis ${stack.config.redisPrefix}:vault:spk-leak`)), 'the sealed vault was searched');
    assert.ok(haystacks.some(([name, bytes]) => name.startsWith(`redis ${runKeys(stack.config.redisPrefix).run('')}`) && bytes.includes('rotate')));

    assertNoSecret(haystacks, [...stack.issued, stack.sandbox.knobs.admin.password]);
  });
}
