/**
 * Spekit's read-only canary check (issue 10, point 4) against the Spekit sandbox: it reads
 * Settings → Connect and the SCIM step and lists users with the stored token, and generates or
 * regenerates nothing; its result shows on the connection.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admin, createSpekitConnection, spekitStacksPerFile, spekitView, taskRun, waitFor } from './spekit-stack.ts';

const stackFor = spekitStacksPerFile();

test('a check on a set-up Spekit connection reads the SCIM step and lists users, and rotates nothing', async (t) => {
  const stack = await stackFor(t);
  const scim = await createSpekitConnection(stack, 'spk-check');
  assert.equal((await taskRun(stack, 'spk-check', 'setup')).status, 'succeeded');
  await scim.ok('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ann@acme.test', active: true });
  const generations = spekitView(stack).tokenGenerations;
  const asked = await admin(stack, 'POST', '/connections/spk-check/check');
  assert.equal(asked.status, 201);
  const { runId } = (await asked.json()) as { runId: string };
  const run = await waitFor(async () => {
    const r = await stack.runs.get(runId);
    return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
  }, `check run ${runId}`);
  assert.equal(run.status, 'succeeded', run.error);
  assert.equal(spekitView(stack).tokenGenerations, generations, 'no token was generated or regenerated');
  const view = (await (await admin(stack, 'GET', '/connections/spk-check')).json()) as Record<string, any>;
  assert.equal(view.lastCheck.ok, true);
  const seen = view.lastCheck.observations.join('\n');
  assert.match(seen, /SSO connected/);
  assert.match(seen, /a token exists/);
  assert.match(seen, /the stored token lists \d+ user\(s\)/);
  for (const token of stack.issued) assert.ok(!JSON.stringify(view).includes(token), 'no token in the connection view');
});
