/**
 * The kit's upstream against a real SCIM server (the Spekit sandbox's routes): a refused token is
 * rotated exactly once and the operation run again; a rotation that does not help is not repeated.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PermanentAppError } from '../../../core/errors.ts';
import { startSpekitSandbox, type SpekitSandbox } from '../../../test/sandboxes/spekit/server.ts';
import { UpstreamUnauthorizedError } from '../scim-upstream/index.ts';
import { makeTestContext } from './test-context.ts';
import { withUpstream } from './upstream.ts';
import { VAULT } from './vault.ts';

let sandbox: SpekitSandbox;
before(async () => {
  sandbox = await startSpekitSandbox({});
});
after(() => sandbox.stop());

/** A context holding `token`, and a rotate that stores what `next` issues, counting its calls. */
function harness(token: string, next: () => string) {
  const ctx = makeTestContext({ baseUrl: sandbox.url, settings: {}, vault: { [VAULT.appToken]: token, [VAULT.endpointUrl]: sandbox.endpointUrl } });
  const app = {
    name: 'Sandbox',
    rotations: 0,
    retry: { attempts: 2, baseMs: 1 },
    rotate: async () => {
      app.rotations += 1;
      await ctx.vault.set(VAULT.appToken, next());
    },
  };
  return { ctx, app };
}

test('a token that works is used as it is: no rotation', async () => {
  const { ctx, app } = harness(sandbox.issueToken(), () => assert.fail('no rotation expected'));
  assert.ok(Array.isArray(await withUpstream(ctx, app, (api) => api.listUsers())));
  assert.equal(app.rotations, 0);
  assert.ok(ctx.secrets.length > 0, 'the token read from the vault is registered as a secret');
});

test('a revoked token (401) costs exactly one rotation, then the operation runs again and succeeds', async () => {
  const revoked = sandbox.issueToken();
  sandbox.issueToken(); // issuing a new token revokes the previous one
  const refusedBefore = sandbox.state.stats.unauthorized;
  const { ctx, app } = harness(revoked, () => sandbox.issueToken());
  let runs = 0;
  const users = await withUpstream(ctx, app, async (api) => {
    runs += 1;
    return api.listUsers();
  });
  assert.ok(Array.isArray(users));
  assert.equal(app.rotations, 1);
  assert.equal(runs, 2);
  assert.equal(sandbox.state.stats.unauthorized - refusedBefore, 1, 'the server refused exactly one request');
  assert.ok(ctx.logs.some((line) => line.includes('401')));
  assert.ok(!ctx.logs.some((line) => line.includes(revoked)), 'no log line carries the token');
});

test('a rotation that leaves a refused token is not repeated: the second 401 reaches the caller', async () => {
  const { ctx, app } = harness('not-a-token-at-all', () => 'still-not-a-token');
  await assert.rejects(withUpstream(ctx, app, (api) => api.listUsers()), UpstreamUnauthorizedError);
  assert.equal(app.rotations, 1);
});

test('without a stored token or endpoint the operation stops with setup_required, no request made', async () => {
  const ctx = makeTestContext({ baseUrl: sandbox.url, settings: {} });
  const before = sandbox.state.stats.scimRequests;
  await assert.rejects(withUpstream(ctx, { name: 'Sandbox', rotate: async () => assert.fail('no rotation') }, (api) => api.listUsers()),
    (error: unknown) => error instanceof PermanentAppError && error.reason === 'setup_required' && /Sandbox is not set up/.test(error.message));
  assert.equal(sandbox.state.stats.scimRequests, before);
});
