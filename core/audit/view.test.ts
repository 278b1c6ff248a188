/** Audit rows: time to deprovision against the target, and CSV cells a spreadsheet cannot run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditChange } from './schema.ts';
import { auditQuerySchema, csvLine, storeQuery, toRow } from './view.ts';

const base: AuditChange = {
  id: 1, at: '2026-12-01T10:00:00.000Z', connectionId: 'ux', userId: 'u1', email: 'ann@example.com', tokenId: 'tok_a', requestId: 'r1',
  request: 'PATCH /Users/u1', action: 'deactivate', changes: [{ field: 'active', from: 'true', to: 'false' }], generation: 2, outcome: 'succeeded',
};

test('a deprovisioning slower than the target is a breach; a pending one past it too; other actions have none', () => {
  const fast = toRow({ ...base, settledAt: '2026-12-01T10:00:01.500Z' }, 60);
  assert.deepEqual([fast.deprovisionMs, fast.breach], [1500, false]);
  const slow = toRow({ ...base, settledAt: '2026-12-01T11:00:00.001Z' }, 60);
  assert.equal(slow.breach, true);
  const pending = toRow({ ...base, outcome: 'pending' }, 5, Date.parse('2026-12-01T10:06:00Z'));
  assert.deepEqual([pending.deprovisionMs, pending.breach], [undefined, true]);
  assert.equal(toRow({ ...base, action: 'role' }, 60).breach, undefined);
});

test('CSV: commas and quotes are quoted, formulas are defused', () => {
  const line = csvLine(toRow({ ...base, email: '=cmd()@x', settledAt: '2026-12-01T10:00:02.000Z', reason: 'a "b", c' }, 60));
  const cells = line.split(',');
  assert.equal(cells[4], "'=cmd()@x");
  assert.match(line, /"a ""b"", c"/);
  assert.ok(line.endsWith(',2.00,no'));
});

test('query: a bare "to" date covers its day; an impossible date is refused by name', () => {
  assert.equal(storeQuery(auditQuerySchema.parse({ to: '2026-12-01' })).to, '2026-12-01T23:59:59.999Z');
  const bad = auditQuerySchema.safeParse({ from: '2026-13-45' });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ['from']);
});
