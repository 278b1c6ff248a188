/** Drift findings on a real Redis: first/last seen across scans, resolved ones gone, allowances and counts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisPerFile } from '../../test/support/per-file.ts';
import type { FindingDraft } from './schema.ts';
import { DriftStore } from './store.ts';

const redis = redisPerFile();
let n = 0;
const draft = (kind: FindingDraft['kind'], email: string): FindingDraft => ({ kind, email, detail: `${email} ${kind}` });

test('a finding seen again keeps its first scan; one no longer seen is gone; counts by kind', async () => {
  const store = new DriftStore(redis.client, `ds${++n}`);
  await store.recordScan('c1', { runId: 'run-1', at: '2026-01-01T00:00:00.000Z', members: 3, repaired: 0, drafts: [draft('unknown', 'a@x.test'), draft('role_differs', 'b@x.test')] });
  const second = await store.recordScan('c1', { runId: 'run-2', at: '2026-01-02T00:00:00.000Z', members: 3, repaired: 1, drafts: [draft('unknown', 'a@x.test'), draft('missing', 'c@x.test')] });
  assert.equal(second.resolved, 1, 'the role difference was resolved');
  const findings = await store.findings('c1');
  assert.deepEqual(findings.map((f) => [f.kind, f.email, f.firstSeen.slice(0, 10), f.lastSeen.slice(0, 10), f.firstRunId, f.runId]), [
    ['missing', 'c@x.test', '2026-01-02', '2026-01-02', 'run-2', 'run-2'],
    ['unknown', 'a@x.test', '2026-01-01', '2026-01-02', 'run-1', 'run-2'],
  ]);
  assert.deepEqual(await store.counts('c1'), { unknown: 1, role_differs: 0, should_be_gone: 0, missing: 1 });
  assert.deepEqual(await store.lastScan('c1'), { runId: 'run-2', at: '2026-01-02T00:00:00.000Z', members: 3, findings: 2, repaired: 1 });
  assert.deepEqual(await store.findings('other'), [], 'per connection');
});

test('allowing a shadow account drops its finding at once and is kept with who and why; disallow takes it back', async () => {
  const store = new DriftStore(redis.client, `ds${++n}`);
  await store.recordScan('c1', { runId: 'run-1', at: '2026-01-01T00:00:00.000Z', members: 2, repaired: 0, drafts: [draft('unknown', 'svc@x.test'), draft('unknown', 'who@x.test')] });
  await store.allow('c1', { email: 'svc@x.test', reason: 'CI service account', by: 'tok-1', at: '2026-01-01T01:00:00.000Z' });
  assert.deepEqual((await store.findings('c1')).map((f) => f.email), ['who@x.test']);
  assert.deepEqual((await store.allowances('c1')).map((a) => [a.email, a.reason, a.by]), [['svc@x.test', 'CI service account', 'tok-1']]);
  assert.equal(await store.disallow('c1', 'SVC@x.test'), true);
  assert.deepEqual(await store.allowances('c1'), []);
  assert.equal(await store.disallow('c1', 'svc@x.test'), false);
});
