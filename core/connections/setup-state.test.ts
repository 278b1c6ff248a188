import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_MS } from '../app-token-schedule.ts';
import { describeSetupState } from './setup-state.ts';

const at = '2030-01-01T00:00:00.000Z';
const issuedAt = Date.parse('2029-12-01T00:00:00.000Z');

test('no task has ended yet: not set up, and how to run setup', () => {
  const view = describeSetupState({}, {});
  assert.equal(view.state, 'not set up');
  assert.match(view.message, /POST …\/setup/);
});

test('a failed setup says why in words, without the error class', () => {
  const view = describeSetupState({
    last: { task: 'setup', status: 'failed', at, runId: 'run-1', reason: 'setup_required', error: 'PermanentAppError: Set up SSO before enabling SCIM provisioning' },
  }, {});
  assert.deepEqual(view, {
    state: 'failed', lastTask: 'setup', lastRunId: 'run-1', reason: 'setup_required',
    lastError: 'Set up SSO before enabling SCIM provisioning',
    message: `Setup failed at ${at}: Set up SSO before enabling SCIM provisioning.`,
  });
});

test('a rotation that failed after a token was issued leaves the connection ready, and says so', () => {
  const view = describeSetupState({ issuedAt, last: { task: 'rotate', status: 'retrying', at, error: 'TransientAppError: Spekit answered an error' } }, { appTokenRotationDays: 30 });
  assert.equal(view.state, 'ready');
  assert.equal(view.nextRotationAt, new Date(issuedAt + 30 * DAY_MS).toISOString());
  assert.equal(view.message, `Token rotation failed at ${at} and will be tried again: Spekit answered an error. The token issued at ${new Date(issuedAt).toISOString()} is still in use.`);
});

test('a rotation that succeeded gives the rotation time and the next scheduled one', () => {
  const view = describeSetupState({ issuedAt, last: { task: 'rotate', status: 'succeeded', at } }, { appTokenRotationDays: 1 });
  assert.equal(view.state, 'ready');
  assert.equal(view.message, `Ready: the app token was rotated at ${new Date(issuedAt).toISOString()}. Next scheduled rotation at ${new Date(issuedAt + DAY_MS).toISOString()}.`);
});
