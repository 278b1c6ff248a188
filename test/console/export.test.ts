/** Evidence bundles: what a selection takes, that a bundle verifies alone, and that edits are caught. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { exportEvidence, planExport } from '../../runner/evidence/export.ts';
import { extractZip, isSafeEntryName, verifyBundle, verifyZip } from '../../runner/evidence/export-verify.ts';
import { openRun } from '../../runner/evidence/store.ts';

let recordings: string;
let work: string;

/** One sealed run: two numbered files, one step, trigger naming the user. */
async function sealRun(runId: string, userId: string, startedAt: string): Promise<void> {
  const recorder = await openRun({ recordingsDir: recordings, connectionId: 'acme', runId, startedAt });
  const before = await recorder.writeFile('invite-before.png', Buffer.from(`png-before-${runId}`));
  const afterFile = await recorder.writeFile('invite-after.png', Buffer.from(`png-after-${runId}`));
  recorder.recordStep({
    index: 1, parent: null, name: `invite ${userId}`, url: 'http://app.test/team', startedAt, endedAt: startedAt,
    outcome: 'succeeded', error: null, files: [before, afterFile], notes: [],
  });
  await recorder.seal({ outcome: 'succeeded', attempt: 1, trigger: { userId, requestId: `req-${runId}` }, endedAt: startedAt });
}

async function zipOf(selection: Parameters<typeof exportEvidence>[1], name: string): Promise<string> {
  const made = await exportEvidence(recordings, selection, new Date('2025-03-04T05:06:07Z'));
  const file = join(work, name);
  await pipeline(made.stream, createWriteStream(file));
  return file;
}

before(async () => {
  recordings = await mkdtemp(join(tmpdir(), 'scimwright-export-rec-'));
  work = await mkdtemp(join(tmpdir(), 'scimwright-export-out-'));
  await sealRun('run-a', 'u1', '2025-03-01T10:00:00.000Z');
  await sealRun('run-b', 'u2', '2025-03-02T10:00:00.000Z');
  await sealRun('run-c', 'u1', '2025-03-03T10:00:00.000Z');
});

after(async () => {
  await rm(recordings, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

test('a selection takes a user, a connection or a range of days', async () => {
  const ids = async (s: Parameters<typeof planExport>[1]) => (await planExport(recordings, s)).runs.map((r) => r.runId);
  assert.deepEqual(await ids({ connectionId: 'acme', userId: 'u1' }), ['run-a', 'run-c']);
  assert.deepEqual(await ids({ connectionId: 'acme' }), ['run-a', 'run-b', 'run-c']);
  assert.deepEqual(await ids({ from: '2025-03-02', to: '2025-03-02' }), ['run-b']);
  assert.deepEqual(await ids({ from: '2025-03-02' }), ['run-b', 'run-c']);
  await assert.rejects(planExport(recordings, { userId: 'u1' }), /needs its connection/);
  await assert.rejects(planExport(recordings, { from: '2025-03-03', to: '2025-03-01' }), /after/);
  await assert.rejects(planExport(recordings, { connectionId: '../etc' }), /cannot be used as a folder name/);
});

test("a user's bundle verifies alone; the gap left by the other user's run is a note", async () => {
  const zip = await zipOf({ connectionId: 'acme', userId: 'u1' }, 'u1.zip');
  const result = await verifyZip(zip);
  assert.equal(result.ok, true, JSON.stringify(result.problems));
  assert.equal(result.checkedRuns, 2);
  assert.equal(result.checkedFiles, 4);
  assert.match(result.notes.join('\n'), /1 gap\(s\)/);
  const dir = join(work, 'u1');
  await extractZip(zip, dir);
  const summary = await readFile(join(dir, 'SUMMARY.md'), 'utf8');
  assert.match(summary, /2 sealed run\(s\)/);
  assert.match(summary, /Caused by SCIM request req-run-a/);
  assert.match(await readFile(join(dir, 'verification.txt'), 'utf8'), /Evidence OK: 3 run\(s\), 6 file\(s\) checked/);
  const index = JSON.parse(await readFile(join(dir, 'bundle.json'), 'utf8'));
  assert.equal(index.chains.acme.sequence, 3);
  assert.equal((await verifyBundle(dir)).ok, true);
});

test('an edited screenshot, a dropped run, a stray file or an edited index fails the bundle', async () => {
  const zip = await zipOf({ connectionId: 'acme' }, 'all.zip');
  const fresh = async (name: string) => {
    const dir = join(work, name);
    await extractZip(zip, dir);
    return dir;
  };
  const runDir = (dir: string, day: string, run: string) => join(dir, 'evidence', 'acme', day, run);

  const edited = await fresh('edited');
  await appendFile(join(runDir(edited, '2025-03-02', 'run-b'), '002-invite-after.png'), 'x');
  const e = await verifyBundle(edited);
  assert.equal(e.ok, false);
  assert.ok(e.problems.some((p) => p.kind === 'tampered' && p.path === 'acme/2025-03-02/run-b/002-invite-after.png'), JSON.stringify(e.problems));

  const dropped = await fresh('dropped');
  await rm(runDir(dropped, '2025-03-02', 'run-b'), { recursive: true });
  const d = await verifyBundle(dropped);
  assert.ok(d.problems.some((p) => p.kind === 'missing' && p.path === 'acme/2025-03-02/run-b'), JSON.stringify(d.problems));

  const stray = await fresh('stray');
  await writeFile(join(runDir(stray, '2025-03-01', 'run-a'), '003-extra.png'), 'forged');
  const s = await verifyBundle(stray);
  assert.ok(s.problems.some((p) => p.kind === 'unlisted' && p.path.endsWith('003-extra.png')), JSON.stringify(s.problems));

  const index = await fresh('index');
  const bundle = JSON.parse(await readFile(join(index, 'bundle.json'), 'utf8'));
  bundle.runs[0].manifestSha256 = '0'.repeat(64);
  await writeFile(join(index, 'bundle.json'), JSON.stringify(bundle));
  const i = await verifyBundle(index);
  assert.ok(i.problems.some((p) => p.kind === 'tampered' && /bundle\.json recorded 0{64}/.test(p.detail)), JSON.stringify(i.problems));

  const whole = await verifyZip(zip);
  assert.equal(whole.ok, true);
  assert.deepEqual(whole.notes, [], 'a whole connection has no gaps');
});

test('zip entries that would land outside the folder are refused', () => {
  for (const bad of ['../evil', 'a/../../evil', '/etc/passwd', 'a\\..\\b', 'a/./b', '']) assert.equal(isSafeEntryName(bad), false, bad);
  for (const good of ['bundle.json', 'evidence/acme/2025-03-01/run-a/001-x.png', 'evidence/']) assert.equal(isSafeEntryName(good), true, good);
});

test('a selection names a user by email (any case) and refuses impossible days and unknown users; SUMMARY.md says the email', async (t) => {
  const { checkExportSelection, ExportSelectionError } = await import('../../runner/evidence/export-select.ts');
  // Its own recordings: the other tests' selections of every connection stay as they were.
  const own = await mkdtemp(join(tmpdir(), 'scimwright-export-mail-'));
  t.after(() => rm(own, { recursive: true, force: true }));
  const recorder = await openRun({ recordingsDir: own, connectionId: 'mail', runId: 'run-m', startedAt: '2025-03-05T10:00:00.000Z' });
  recorder.recordStep({ index: 1, parent: null, name: 'invite', url: null, startedAt: '2025-03-05T10:00:00.000Z', endedAt: '2025-03-05T10:00:00.000Z', outcome: 'succeeded', error: null, files: [], notes: [] });
  await recorder.seal({ outcome: 'succeeded', attempt: 1, trigger: { userId: 'u-9', desired: { email: 'zoe@example.com' } }, endedAt: '2025-03-05T10:00:00.000Z' });

  assert.deepEqual(await checkExportSelection(own, { connectionId: 'mail', userId: 'ZOE@example.com' }), { connectionId: 'mail', userId: 'u-9' });
  assert.deepEqual(await checkExportSelection(own, { connectionId: 'mail', userId: 'u-9' }), { connectionId: 'mail', userId: 'u-9' });
  const refused = async (selection: Parameters<typeof checkExportSelection>[1], pattern: RegExp) => {
    await assert.rejects(checkExportSelection(own, selection), (error: unknown) => error instanceof ExportSelectionError && pattern.test(error.issues[0]!.message));
  };
  await refused({ from: '2025-02-30' }, /2025-02-30 is not a date/);
  await refused({ connectionId: 'mail', userId: 'nobody@example.com' }, /no runs of user nobody@example\.com in connection mail/);
  await refused({ userId: 'zoe@example.com' }, /needs its connection/);

  const dir = join(work, 'zoe');
  const made = await exportEvidence(own, { connectionId: 'mail', userId: 'u-9' });
  await pipeline(made.stream, createWriteStream(join(work, 'zoe.zip')));
  await extractZip(join(work, 'zoe.zip'), dir);
  const summary = await readFile(join(dir, 'SUMMARY.md'), 'utf8');
  assert.match(summary, /for zoe@example\.com \(SCIM user u-9\), connection mail\./);
  assert.match(summary, /· mail · zoe@example\.com \(SCIM user u-9\) · succeeded/);
});
