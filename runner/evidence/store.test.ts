import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_FILE, canonicalJson, manifestHash, sha256 } from './manifest.ts';
import { createFsEvidenceStore, openRun } from './store.ts';
import { verifyEvidence } from './verify.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempRecordings(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scimwright-store-'));
  dirs.push(dir);
  return dir;
}

const startedAt = '2025-03-04T23:59:58.000Z';

test('files are numbered in write order, hashed, private, and listed in the sealed manifest', async () => {
  const recordingsDir = await tempRecordings();
  const run = await openRun({ recordingsDir, connectionId: 'conn-1', runId: 'run-1', startedAt });
  assert.equal(run.dir, join(recordingsDir, 'conn-1', '2025-03-04', 'run-1'));
  const first = await run.writeFile('Invite before.png', Buffer.from('one'));
  const second = await run.writeFile('invite-after.png', 'two');
  assert.deepEqual([first, second], ['001-invite-before.png', '002-invite-after.png']);
  const manifest = await run.seal({ outcome: 'succeeded', attempt: 1, trigger: { scimRequestId: 'req-9' } });

  assert.deepEqual(manifest.files.map((f) => [f.name, f.sha256, f.bytes]), [
    ['001-invite-before.png', sha256('one'), 3],
    ['002-invite-after.png', sha256('two'), 3],
  ]);
  assert.equal(manifest.sequence, 1);
  assert.equal(manifest.previous, null);
  assert.deepEqual((await readdir(run.dir)).sort(), ['001-invite-before.png', '002-invite-after.png', MANIFEST_FILE]);
  for (const name of await readdir(run.dir)) {
    assert.equal((await stat(join(run.dir, name))).mode & 0o777, 0o600, name);
  }
  for (const dir of [run.dir, join(recordingsDir, 'conn-1'), join(recordingsDir, 'conn-1', '2025-03-04')]) {
    assert.equal((await stat(dir)).mode & 0o777, 0o700, dir);
  }
  // The file is the canonical form, so `sha256sum manifest.json` gives the chain hash.
  const text = await readFile(join(run.dir, MANIFEST_FILE), 'utf8');
  assert.equal(text, canonicalJson(manifest));
  const head = JSON.parse(await readFile(join(recordingsDir, 'conn-1', 'chain-head.json'), 'utf8'));
  assert.equal(head.sha256, sha256(text));
  assert.equal(head.manifest, '2025-03-04/run-1/manifest.json');
});

test('the next run of the connection links to the previous manifest; other connections start their own chain', async () => {
  const recordingsDir = await tempRecordings();
  const store = createFsEvidenceStore(recordingsDir);
  const seal = async (connectionId: string, runId: string) => {
    const run = await store.openRun({ connectionId, runId, startedAt });
    return run.seal({ outcome: 'failed', attempt: 2, trigger: {} });
  };
  const a1 = await seal('a', 'r1');
  const b1 = await seal('b', 'r1');
  const a2 = await seal('a', 'r2');
  assert.equal(b1.sequence, 1);
  assert.equal(b1.previous, null);
  assert.equal(a2.sequence, 2);
  assert.equal(a2.previous, manifestHash(a1));
  assert.equal(a2.previous, sha256(await readFile(join(recordingsDir, 'a', '2025-03-04', 'r1', MANIFEST_FILE))));
});

test('runs of one connection sealing at the same time form a single chain', async () => {
  const recordingsDir = await tempRecordings();
  const runs = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    openRun({ recordingsDir, connectionId: 'busy', runId: `run-${i}`, startedAt })));
  await Promise.all(runs.map((run, i) => run.writeFile('shot.png', `bytes ${i}`)));
  const manifests = await Promise.all(runs.map((run) => run.seal({ outcome: 'succeeded', attempt: 1, trigger: {} })));
  assert.deepEqual(manifests.map((m) => m.sequence).sort((x, y) => x - y), Array.from({ length: 12 }, (_, i) => i + 1));
  const result = await verifyEvidence(recordingsDir);
  assert.deepEqual(result.problems, []);
  assert.equal(result.checkedRuns, 12);
});

test('a sealed run refuses more writes and a second seal', async () => {
  const recordingsDir = await tempRecordings();
  const run = await openRun({ recordingsDir, connectionId: 'c', runId: 'r', startedAt });
  await run.seal({ outcome: 'retrying', attempt: 1, trigger: {} });
  await assert.rejects(run.writeFile('late.png', 'x'), /already sealed/);
  await assert.rejects(run.seal({ outcome: 'retrying', attempt: 1, trigger: {} }), /already sealed/);
});

test('a run folder is never reused and ids cannot escape the recordings folder', async () => {
  const recordingsDir = await tempRecordings();
  await openRun({ recordingsDir, connectionId: 'c', runId: 'r', startedAt });
  await assert.rejects(openRun({ recordingsDir, connectionId: 'c', runId: 'r', startedAt }), /already exists/);
  for (const [connectionId, runId] of [['../c', 'r'], ['c', 'a/b'], ['c', '..'], ['.hidden', 'r'], ['c', '']]) {
    await assert.rejects(openRun({ recordingsDir, connectionId: connectionId!, runId: runId!, startedAt }), /folder name/);
  }
  await assert.rejects(openRun({ recordingsDir, connectionId: 'c', runId: 'r2', startedAt: 'not a date' }), /Invalid startedAt/);
});

test('secrets are stripped from the trigger, step entries and file labels at seal time', async () => {
  const recordingsDir = await tempRecordings();
  const secret = 'tok_9f8e7d6c5b4a';
  const run = await openRun({ recordingsDir, connectionId: 'c', runId: 'r', startedAt, secrets: () => [secret] });
  const name = await run.writeFile(`${secret}.png`, 'x');
  run.recordStep({
    index: 1, parent: null, name: `use ${secret}`, url: `https://app.example/?t=${secret}`,
    startedAt, endedAt: startedAt, outcome: 'failed', error: `bad token ${secret}`, files: [name], notes: [],
  });
  const manifest = await run.seal({ outcome: 'failed', attempt: 1, trigger: { token: secret, at: new Date(startedAt), nested: [{ [secret]: 1 }] } });
  const text = await readFile(join(run.dir, MANIFEST_FILE), 'utf8');
  assert.ok(!text.includes(secret));
  assert.ok(!name.includes(secret));
  assert.equal(manifest.trigger.token, '[REDACTED]');
  assert.equal(manifest.trigger.at, startedAt);
  assert.equal(manifest.steps[0]?.error, 'bad token [REDACTED]');
  assert.deepEqual((await verifyEvidence(recordingsDir)).problems, []);
});

test('one-character secrets never make a run unsealable: only free text is redacted, never keys or structure', async () => {
  const recordingsDir = await tempRecordings();
  // "x" is in "index", "1" in every timestamp, "a" in "failed": all structure the manifest schema checks.
  const secrets = ['x', '1', 'a'];
  const run = await openRun({ recordingsDir, connectionId: 'conn-1', runId: 'run-1', startedAt, secrets: () => secrets });
  run.recordStep({
    index: 1, parent: null, name: 'log in as x', url: 'https://app.uxpin.invalid/login?p=x', startedAt, endedAt: startedAt,
    outcome: 'failed', error: 'Error: password x refused at app.uxpin.invalid', files: [], notes: ['a note: x'],
  });
  const manifest = await run.seal({ outcome: 'failed', attempt: 1, trigger: { index: 'x', error: 'x was refused' } });
  const [step] = manifest.steps;
  assert.equal(step?.index, 1);
  assert.equal(step?.outcome, 'failed');
  assert.equal(step?.startedAt, startedAt);
  assert.equal(step?.name, 'log in as [REDACTED]');
  assert.equal(step?.url, 'https://app.uxpin.invalid/login?p=[REDACTED]');
  assert.equal(step?.error, 'Error: password [REDACTED] refused at app.uxpin.invalid');
  assert.deepEqual(manifest.trigger, { index: '[REDACTED]', error: '[REDACTED] was refused' });
  assert.equal((await verifyEvidence(recordingsDir)).ok, true);
});

test('queued files are on disk and listed at seal; one whose write failed is left out, with a note on its step', async () => {
  const recordingsDir = await tempRecordings();
  const run = await openRun({ recordingsDir, connectionId: 'conn-q', runId: 'run-q', startedAt });
  // A folder where the second file is to go makes its rename fail.
  await mkdir(join(run.dir, '002-find-after.png'));
  const names = [run.queueFile('find-before.png', 'before'), run.queueFile('find-after.png', 'after')];
  assert.deepEqual(names, ['001-find-before.png', '002-find-after.png'], 'names are given at once, in call order');
  const at = new Date().toISOString();
  run.recordStep({ index: 1, parent: null, name: 'find', url: null, startedAt: at, endedAt: at, outcome: 'succeeded', error: null, files: names, notes: [] });
  const manifest = await run.seal({ outcome: 'succeeded', attempt: 1, trigger: {} });
  assert.deepEqual(manifest.files.map((f) => [f.name, f.sha256]), [['001-find-before.png', sha256('before')]]);
  assert.deepEqual(manifest.steps[0]?.files, ['001-find-before.png']);
  assert.match(manifest.steps[0]?.notes[0] ?? '', /^002-find-after\.png not stored: /);
  assert.equal(await readFile(join(run.dir, '001-find-before.png'), 'utf8'), 'before');
});
