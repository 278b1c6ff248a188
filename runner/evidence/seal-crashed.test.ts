import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMP_PREFIX } from './atomic-fs.ts';
import { sealCrashedRun } from './seal-crashed.ts';
import { openRun } from './store.ts';
import { verifyEvidence } from './verify.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

test('a dead run\'s folder is sealed as crashed between sealed runs, and the chain verifies', async () => {
  const recordingsDir = await mkdtemp(join(tmpdir(), 'scimwright-crashed-'));
  dirs.push(recordingsDir);
  const startedAt = '2025-02-01T09:00:00.000Z';
  const before = await openRun({ recordingsDir, connectionId: 'c', runId: 'r1', startedAt });
  await before.writeFile('login-after.png', 'r1');
  await before.seal({ outcome: 'succeeded', attempt: 1, trigger: {} });
  // The run the worker died in: two files written, a third cut short before its rename.
  const dead = await openRun({ recordingsDir, connectionId: 'c', runId: 'r2', startedAt });
  await dead.writeFile('invite-before.png', 'before');
  await dead.writeFile('invite-html', '<p>x</p>');
  await writeFile(join(dead.dir, `${TEMP_PREFIX}003-invite-after.png.abc`), 'half');
  assert.deepEqual((await verifyEvidence(recordingsDir)).unsealed, ['c/2025-02-01/r2']);

  const manifest = await sealCrashedRun({
    recordingsDir, connectionId: 'c', runId: 'r2', startedAt, attempt: 1, endedAt: '2025-02-01T09:01:00.000Z',
    trigger: { userId: 'u-1', action: 'invite' },
  });
  assert.equal(manifest.outcome, 'crashed');
  assert.equal(manifest.sequence, 2);
  assert.deepEqual(manifest.files.map((f) => f.name), ['001-invite-before.png', '002-invite-html']);
  assert.deepEqual(manifest.trigger.discardedPartialWrites, [`${TEMP_PREFIX}003-invite-after.png.abc`]);
  assert.equal((await readdir(dead.dir)).some((name) => name.startsWith(TEMP_PREFIX)), false);
  // Sealing again (a second closer) returns the manifest as it is and adds nothing to the chain.
  const again = await sealCrashedRun({ recordingsDir, connectionId: 'c', runId: 'r2', startedAt, attempt: 1, endedAt: startedAt, trigger: {} });
  assert.equal(again.sequence, 2);

  const next = await openRun({ recordingsDir, connectionId: 'c', runId: 'r3', startedAt });
  await next.seal({ outcome: 'succeeded', attempt: 2, trigger: {} });
  const result = await verifyEvidence(recordingsDir);
  assert.deepEqual([result.ok, result.problems, result.unsealed, result.checkedRuns], [true, [], [], 3]);
});
