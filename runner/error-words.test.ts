import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermanentAppError } from '../core/errors.ts';
import { errorWords, stripAnsi, technicalDetail } from './error-words.ts';

// As Playwright 1.65 words them, call log colours included.
const dns = 'page.goto: net::ERR_NAME_NOT_RESOLVED at https://app.uxpin.invalid/login\nCall log:\n\u001b[2m  - navigating to "https://app.uxpin.invalid/login", waiting until "load"\u001b[22m\n';
const refused = 'page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/login\nCall log:\n\u001b[2m  - navigating to "http://127.0.0.1:9/login", waiting until "load"\u001b[22m\n';
const locatorTimeout = 'locator.fill: Timeout 5000ms exceeded.\nCall log:\n\u001b[2m  - waiting for getByLabel(\'Email\')\u001b[22m\n';

test('browser network failures are said in words, on one line, without ANSI codes', () => {
  assert.equal(errorWords(new Error(dns)), 'Could not reach https://app.uxpin.invalid: the name does not resolve (DNS)');
  assert.equal(errorWords(new Error(refused)), 'Could not reach http://127.0.0.1:9: connection refused (nothing listens on that address and port)');
  const timeout = errorWords(new Error(locatorTimeout));
  assert.equal(timeout, "Timed out after 5 s: getByLabel('Email') never appeared (is this the right app and page?)");
  const goto = 'page.goto: Timeout 30000ms exceeded.\nCall log:\n  - navigating to "https://slow.example/login", waiting until "load"\n';
  assert.equal(errorWords(new Error(goto)), 'https://slow.example did not answer within 30 s');
});

test('our own errors keep their words; others keep their name; secrets and control codes go', () => {
  assert.equal(errorWords(new PermanentAppError('seat_limit', 'The app has no free seat.')), 'The app has no free seat.');
  assert.equal(errorWords(new TypeError('x is not a function\n    at y')), 'TypeError: x is not a function');
  const words = errorWords(new Error('\u001b[31mlogin as admin with hunter2-pw failed\u001b[39m'), { redact: (t) => t.replace('hunter2-pw', '[REDACTED]') });
  assert.equal(words, 'login as admin with [REDACTED] failed');
  assert.ok(!/[\u0000-\u001f]/.test(errorWords(new Error(dns))));
  assert.equal(errorWords('plain string'), 'plain string');
  assert.equal(errorWords(new Error('a'.repeat(900))).length, 500);
});

test('the technical detail keeps the call log for the logs, minus the colours', () => {
  const detail = technicalDetail(new Error(dns));
  assert.match(detail, /Call log:\n {2}- navigating to "https:\/\/app\.uxpin\.invalid\/login"/);
  assert.equal(stripAnsi('\u001b[2mdim\u001b[22m \u001b]8;;https://x\u0007link\u001b]8;;\u0007'), 'dim link');
});

test('failure reasons say more than "error": the permanent reason, dns, connection refused, timeout', async () => {
  const { errorReason } = await import('./error-words.ts');
  const { ScreenMismatchError, TransientAppError } = await import('../core/errors.ts');
  assert.equal(errorReason(new PermanentAppError('seat_limit', 'full')), 'seat_limit');
  assert.equal(errorReason(new Error(dns)), 'dns');
  assert.equal(errorReason(new Error(refused)), 'connection_refused');
  assert.equal(errorReason(new Error(locatorTimeout)), 'timeout');
  assert.equal(errorReason(new ScreenMismatchError('Team page', 'no Invite button')), 'screen_mismatch');
  assert.equal(errorReason(new TransientAppError('502')), 'transient');
  assert.equal(errorReason(new TypeError('bug')), 'error');
});
