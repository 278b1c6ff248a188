import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAIN_HEAD_FILE, CHAIN_LOCK_FILE, manifestHash, type ChainHead } from './manifest.ts';
import { openRun } from './store.ts';
import { verifyEvidence } from './verify.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempRecordings(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scimwright-chain-'));
  dirs.push(dir);
  return dir;
}

const startedAt = '2025-06-01T10:00:00.000Z';
const sealRun = async (recordingsDir: string, runId: string, lock?: { timeoutMs: number }) => {
  const run = await openRun({ recordingsDir, connectionId: 'c', runId, startedAt, ...(lock ? { lock } : {}) });
  return { run, seal: () => run.seal({ outcome: 'succeeded', attempt: 1, trigger: {} }) };
};

/** Seals `count` runs of connection `c` from a separate Node process. */
function sealInChild(recordingsDir: string, prefix: string, count: number): Promise<number | null> {
  const storeUrl = new URL('./store.ts', import.meta.url).href;
  const code = `
    const { openRun } = await import(${JSON.stringify(storeUrl)});
    for (let i = 0; i < ${count}; i++) {
      const run = await openRun({ recordingsDir: ${JSON.stringify(recordingsDir)}, connectionId: 'c', runId: '${prefix}-' + i, startedAt: '${startedAt}' });
      await run.writeFile('shot.png', 'bytes ' + i);
      await run.seal({ outcome: 'succeeded', attempt: 1, trigger: {} });
    }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.on('exit', resolve));
}

test('two processes sealing runs of one connection at once still form a single chain', async () => {
  const recordingsDir = await tempRecordings();
  const codes = await Promise.all([sealInChild(recordingsDir, 'p1', 6), sealInChild(recordingsDir, 'p2', 6)]);
  assert.deepEqual(codes, [0, 0]);
  const result = await verifyEvidence(recordingsDir);
  assert.deepEqual(result.problems, []);
  assert.equal(result.checkedRuns, 12);
  const head = JSON.parse(await readFile(join(recordingsDir, 'c', CHAIN_HEAD_FILE), 'utf8')) as ChainHead;
  assert.equal(head.sequence, 12);
});

test('a lock left by a dead process is broken; a live one makes sealing wait and then give up', async () => {
  const recordingsDir = await tempRecordings();
  const first = await sealRun(recordingsDir, 'r1');
  await first.seal();
  const lockPath = join(recordingsDir, 'c', CHAIN_LOCK_FILE);
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
  await writeFile(lockPath, JSON.stringify({ pid: deadPid, host: hostname(), acquiredAt: new Date().toISOString() }));
  const second = await sealRun(recordingsDir, 'r2');
  assert.equal((await second.seal()).sequence, 2);

  await writeFile(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), acquiredAt: new Date().toISOString() }));
  const third = await sealRun(recordingsDir, 'r3', { timeoutMs: 150 });
  await assert.rejects(third.seal(), /Timed out .* evidence lock/);
  await rm(lockPath);
  assert.equal((await third.seal()).sequence, 3, 'a seal that timed out can be retried');
  assert.deepEqual((await verifyEvidence(recordingsDir)).problems, []);
});

test('a seal cut short after writing its manifest is adopted, not forked', async () => {
  const recordingsDir = await tempRecordings();
  const m1 = await (await sealRun(recordingsDir, 'r1')).seal();
  const headPath = join(recordingsDir, 'c', CHAIN_HEAD_FILE);
  const headAfterFirst = await readFile(headPath, 'utf8');
  const m2 = await (await sealRun(recordingsDir, 'r2')).seal();
  // Put the head back as a crash between "manifest written" and "head updated" would leave it.
  const crashed = { ...JSON.parse(headAfterFirst), pending: { sequence: 2, manifest: '2025-06-01/r2/manifest.json' } };
  await writeFile(headPath, JSON.stringify(crashed));
  assert.deepEqual((await verifyEvidence(recordingsDir)).problems, []);

  const m3 = await (await sealRun(recordingsDir, 'r3')).seal();
  assert.equal(m3.sequence, 3);
  assert.equal(m3.previous, manifestHash(m2));
  assert.notEqual(m2.previous, null);
  assert.equal(m2.previous, manifestHash(m1));
  assert.deepEqual((await verifyEvidence(recordingsDir)).problems, []);
});

test('a seal cut short before its manifest was written leaves no trace in the chain', async () => {
  const recordingsDir = await tempRecordings();
  await (await sealRun(recordingsDir, 'r1')).seal();
  const headPath = join(recordingsDir, 'c', CHAIN_HEAD_FILE);
  const head = JSON.parse(await readFile(headPath, 'utf8')) as ChainHead;
  await writeFile(headPath, JSON.stringify({ ...head, pending: { sequence: 2, manifest: '2025-06-01/gone/manifest.json' } }));
  const crashed = await sealRun(recordingsDir, 'gone'); // its folder exists, its manifest never did
  void crashed;
  const result = await verifyEvidence(recordingsDir);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.unsealed, ['c/2025-06-01/gone']);
  assert.equal((await (await sealRun(recordingsDir, 'r2')).seal()).sequence, 2);
});
