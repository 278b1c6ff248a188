import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, ratio, summarize } from './stats.ts';

test('percentile uses the nearest rank', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 95), 95);
  assert.equal(percentile(sorted, 100), 100);
  assert.equal(percentile([7], 95), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('summarize sorts its input and derives requests per second from wall time', () => {
  const s = summarize([5, 1, 3, 2, 4], 500);
  assert.deepEqual([s.n, s.p50Ms, s.p95Ms, s.maxMs, s.rps], [5, 3, 5, 5, 10]);
});

test('ratio refuses a zero or missing denominator', () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.equal(ratio(3, 0), null);
  assert.equal(ratio(undefined, 2), null);
});
