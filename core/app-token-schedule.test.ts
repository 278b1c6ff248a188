import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_MS, dueForRotation, nextRotationAt, rotationDays } from './app-token-schedule.ts';

test('rotationDays reads a positive whole number of days, else on demand only', () => {
  assert.equal(rotationDays({ appTokenRotationDays: 30 }), 30);
  for (const value of [0, -1, 1.5, '30', null]) assert.equal(rotationDays({ appTokenRotationDays: value }), undefined);
  assert.equal(rotationDays({}), undefined);
  assert.equal(rotationDays(undefined), undefined);
});

test('a token is due once rotationDays have passed since it was issued, most overdue first', () => {
  const now = Date.UTC(2030, 0, 31);
  const candidates = [
    { connectionId: 'fresh', rotationDays: 7, lastIssuedAt: now - 6 * DAY_MS },
    { connectionId: 'exact', rotationDays: 7, lastIssuedAt: now - 7 * DAY_MS },
    { connectionId: 'old', rotationDays: 1, lastIssuedAt: now - 30 * DAY_MS },
  ];
  assert.deepEqual(dueForRotation(candidates, now), ['old', 'exact']);
  assert.equal(nextRotationAt(candidates[0]!), now + DAY_MS);
  // A shorter day (a test clock knob) makes all three due, still most overdue first.
  assert.deepEqual(dueForRotation(candidates, now, 1000), ['old', 'exact', 'fresh']);
});
