import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs, parseRetryAfter, sleep } from './retry.ts';

test('Retry-After is read as seconds or as an HTTP-date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('backoff doubles per try, stays within half and all of its ceiling, and is capped', () => {
  const options = { attempts: 5, baseMs: 100, maxMs: 1000 };
  assert.equal(backoffMs(1, options, () => 0), 50);
  assert.equal(backoffMs(1, options, () => 1), 100);
  assert.equal(backoffMs(3, options, () => 1), 400);
  assert.equal(backoffMs(10, options, () => 1), 1000);
  assert.equal(backoffMs(10, options, () => 0), 500);
});

test('sleep rejects when its signal aborts', async () => {
  const controller = new AbortController();
  const pending = sleep(60_000, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(pending, /stop/);
});
