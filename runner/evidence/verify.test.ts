import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAIN_HEAD_FILE, MANIFEST_FILE, canonicalJson, type Manifest } from './manifest.ts';
import { openRun } from './store.ts';
import { formatReport, verifyEvidence } from './verify.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** Three sealed runs of connection `c` (two files each) and one run of `d`. */
async function trail(): Promise<string> {
  const recordingsDir = await mkdtemp(join(tmpdir(), 'scimwright-verify-'));
  dirs.push(recordingsDir);
  for (const [connectionId, runId] of [['c', 'r1'], ['c', 'r2'], ['c', 'r3'], ['d', 'r1']] as const) {
    const run = await openRun({ recordingsDir, connectionId, runId, startedAt: '2025-01-15T08:00:00Z' });
    await run.writeFile('login-before.png', `${runId} before`);
    await run.writeFile('login-after.png', `${runId} after`);
    await run.seal({ outcome: 'succeeded', attempt: 1, trigger: { runId } });
  }
  return recordingsDir;
}

const runDir = (root: string, runId: string) => join(root, 'c', '2025-01-15', runId);
const readManifest = async (root: string, runId: string) =>
  JSON.parse(await readFile(join(runDir(root, runId), MANIFEST_FILE), 'utf8')) as Manifest;
const writeManifest = (root: string, runId: string, manifest: Manifest) =>
  writeFile(join(runDir(root, runId), MANIFEST_FILE), canonicalJson(manifest));

test('an untouched trail verifies', async () => {
  const root = await trail();
  const result = await verifyEvidence(root);
  assert.deepEqual(result, { ok: true, checkedRuns: 4, checkedFiles: 8, problems: [], unsealed: [] });
  assert.match(formatReport(result), /^Evidence OK: 4 run\(s\), 8 file\(s\) checked\.$/);
  assert.equal((await verifyEvidence(root, { connectionId: 'd' })).checkedRuns, 1);
});

test('one changed byte in a file names that file', async () => {
  const root = await trail();
  const path = join(runDir(root, 'r2'), '002-login-after.png');
  const bytes = await readFile(path);
  bytes[0] = bytes[0]! ^ 1;
  await writeFile(path, bytes);
  const result = await verifyEvidence(root);
  assert.equal(result.ok, false);
  assert.equal(result.problems[0]?.kind, 'tampered');
  assert.equal(result.problems[0]?.path, 'c/2025-01-15/r2/002-login-after.png');
  assert.equal(result.problems.length, 1);
  assert.match(formatReport(result).split('\n')[1] ?? '', /tampered: c\/2025-01-15\/r2\/002-login-after\.png/);
});

test('a deleted file is missing and an added one is unlisted', async () => {
  const root = await trail();
  await unlink(join(runDir(root, 'r1'), '001-login-before.png'));
  await writeFile(join(runDir(root, 'r3'), 'extra.png'), 'x');
  const { problems } = await verifyEvidence(root);
  assert.deepEqual(problems.map((p) => [p.kind, p.path]), [
    ['missing', 'c/2025-01-15/r1/001-login-before.png'],
    ['unlisted', 'c/2025-01-15/r3/extra.png'],
  ]);
});

test('swapping two manifests\' sequence numbers breaks the chain at the first of them', async () => {
  const root = await trail();
  const [m1, m2] = [await readManifest(root, 'r1'), await readManifest(root, 'r2')];
  await writeManifest(root, 'r1', { ...m1, sequence: m2.sequence });
  await writeManifest(root, 'r2', { ...m2, sequence: m1.sequence });
  const result = await verifyEvidence(root);
  assert.equal(result.ok, false);
  assert.ok(['reordered', 'broken-chain'].includes(result.problems[0]!.kind), result.problems[0]!.kind);
  assert.equal(result.problems[0]?.path, 'c/2025-01-15/r2/manifest.json');
});

test('an edited manifest is named by the broken link after it, or by the chain head when newest', async () => {
  const root = await trail();
  const m2 = await readManifest(root, 'r2');
  await writeManifest(root, 'r2', { ...m2, outcome: 'failed' });
  const middle = await verifyEvidence(root);
  assert.deepEqual(middle.problems.map((p) => [p.kind, p.path]), [['broken-chain', 'c/2025-01-15/r2/manifest.json']]);

  const root2 = await trail();
  const m3 = await readManifest(root2, 'r3');
  await writeManifest(root2, 'r3', { ...m3, trigger: { runId: 'forged' } });
  const newest = await verifyEvidence(root2);
  assert.deepEqual(newest.problems.map((p) => [p.kind, p.path]), [['broken-chain', 'c/2025-01-15/r3/manifest.json']]);
  assert.match(newest.problems[0]!.detail, /chain head/);
});

test('a reformatted manifest is reported even though its content is unchanged', async () => {
  const root = await trail();
  const m1 = await readManifest(root, 'r1');
  await writeFile(join(runDir(root, 'r1'), MANIFEST_FILE), JSON.stringify(m1, null, 2));
  const { problems } = await verifyEvidence(root);
  assert.deepEqual(problems.map((p) => [p.kind, p.path]), [['tampered', 'c/2025-01-15/r1/manifest.json']]);
});

test('a removed run is caught: in the middle by the sequence gap, at the end by the chain head', async () => {
  const root = await trail();
  await unlink(join(runDir(root, 'r2'), MANIFEST_FILE));
  const middle = await verifyEvidence(root);
  assert.deepEqual(middle.problems.map((p) => [p.kind, p.path]), [['missing', 'c/2025-01-15/r3/manifest.json']]);
  assert.deepEqual(middle.unsealed, ['c/2025-01-15/r2']);

  const root2 = await trail();
  await rm(runDir(root2, 'r3'), { recursive: true });
  const end = await verifyEvidence(root2);
  assert.deepEqual(end.problems.map((p) => [p.kind, p.path]), [['missing', 'c/2025-01-15/r3/manifest.json']]);

  const root3 = await trail();
  await unlink(join(root3, 'c', CHAIN_HEAD_FILE));
  assert.deepEqual((await verifyEvidence(root3)).problems.map((p) => [p.kind, p.path]), [['missing', 'c/chain-head.json']]);
});

test('a corrupt manifest comes first, before the chain problems it causes', async () => {
  const root = await trail();
  await writeFile(join(runDir(root, 'r2'), MANIFEST_FILE), '{"version":1,');
  const { problems } = await verifyEvidence(root);
  assert.deepEqual(problems[0] && [problems[0].kind, problems[0].path], ['tampered', 'c/2025-01-15/r2/manifest.json']);
  assert.ok(problems.length > 1, 'the gap it leaves in the chain is reported too');
});

test('only the requested connection is checked; an unknown one is missing', async () => {
  const root = await trail();
  await writeFile(join(runDir(root, 'r1'), '001-login-before.png'), 'changed');
  assert.equal((await verifyEvidence(root, { connectionId: 'd' })).ok, true);
  assert.equal((await verifyEvidence(root, { connectionId: 'c' })).ok, false);
  const unknown = await verifyEvidence(root, { connectionId: 'nope' });
  assert.deepEqual(unknown.problems.map((p) => [p.kind, p.path]), [['missing', 'nope']]);
  await assert.rejects(verifyEvidence(root, { connectionId: '../etc' }), /folder name/);
});

test('a run that ended but could not seal fails verification by name; one still going is only listed', async () => {
  const root = await trail();
  const ended = await openRun({ recordingsDir: root, connectionId: 'c', runId: 'r4', startedAt: '2025-01-15T09:00:00Z' });
  await ended.writeFile('login-failed.png', 'r4 failed');
  await ended.markSealFailed({ outcome: 'failed', endedAt: '2025-01-15T09:00:05Z', error: 'ZodError: steps[0].index' });
  const going = await openRun({ recordingsDir: root, connectionId: 'c', runId: 'r5', startedAt: '2025-01-15T09:01:00Z' });
  await going.writeFile('login-before.png', 'r5 before');

  const result = await verifyEvidence(root);
  assert.equal(result.ok, false);
  assert.deepEqual(result.problems.map((p) => [p.kind, p.path]), [['unsealed', 'c/2025-01-15/r4']]);
  assert.deepEqual(result.unsealed, ['c/2025-01-15/r5']);
  assert.match(formatReport(result), /Evidence FAILED: 1 problem\(s\)[^]*unsealed: c\/2025-01-15\/r4 — the run ended \(failed; seal error: ZodError: steps\[0\]\.index\)/);
});
