import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from './backoff.ts';

test('backoff doubles per attempt and jitters within [half, full]', () => {
  assert.equal(backoffDelay(1, { baseMs: 1000, random: () => 0 }), 500);
  assert.equal(backoffDelay(1, { baseMs: 1000, random: () => 0.999999 }), 1000);
  assert.equal(backoffDelay(3, { baseMs: 1000, random: () => 0 }), 2000);
  assert.equal(backoffDelay(4, { baseMs: 1000, random: () => 0.5 }), 6000);
});

test('backoff is capped', () => {
  assert.equal(backoffDelay(30, { baseMs: 1000, maxMs: 60_000, random: () => 0.999999 }), 60_000);
});
