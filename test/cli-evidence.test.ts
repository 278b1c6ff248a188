/** Issue 12, item 11: `evidence export --user` takes an email too; an unknown user or an impossible date is an error. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openRun } from '../runner/evidence/store.ts';

let base: string;
let recordings: string;

async function sealedRun(runId: string, day: string, userId: string, email: string): Promise<void> {
  const at = `${day}T10:00:00.000Z`;
  const recorder = await openRun({ recordingsDir: recordings, connectionId: 'acme', runId, startedAt: at });
  const shot = await recorder.writeFile('invite.png', Buffer.from(`png-${runId}`));
  recorder.recordStep({ index: 1, parent: null, name: 'invite', url: 'http://app.test/team', startedAt: at, endedAt: at, outcome: 'succeeded', error: null, files: [shot], notes: [] });
  await recorder.seal({ outcome: 'succeeded', attempt: 1, trigger: { userId, desired: { email, member: true } }, endedAt: at });
}

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'scimwright-cli-evidence-'));
  recordings = join(base, 'recordings');
  await sealedRun('run-a', '2025-03-01', 'user-1', 'Ada@Example.test');
  await sealedRun('run-b', '2025-03-02', 'user-2', 'bob@example.test');
  await sealedRun('run-c', '2025-03-03', 'user-1', 'ada@example.test');
});
after(async () => rm(base, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/scimwright.js', 'evidence', 'export', '--dir', recordings, ...args], { encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}

test('--user takes an email (any case) and exports that user\'s runs only', async () => {
  const out = join(base, 'ada.zip');
  const r = await cli(['--connection', 'acme', '--user', 'ADA@example.test', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { file: out, runs: 2 });
  const byId = await cli(['--connection', 'acme', '--user', 'user-2', '--out', join(base, 'bob.zip')]);
  assert.equal(byId.status, 0, byId.stderr);
  assert.match(byId.stdout, /: 1 run\(s\)\./);
});

test('an unknown user is an error with exit 1 and no bundle', async () => {
  const out = join(base, 'nobody.zip');
  const r = await cli(['--connection', 'acme', '--user', 'nobody@example.test', '--out', out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no runs of user nobody@example\.test in connection acme/);
  assert.equal(existsSync(out), false);
  const outside = await cli(['--connection', 'acme', '--user', 'bob@example.test', '--from', '2025-03-03', '--out', out]);
  assert.equal(outside.status, 1);
  assert.match(outside.stderr, /between 2025-03-03 and today/);
  assert.equal(existsSync(out), false);
});

test('an impossible date is refused with exit 2 and no bundle', async () => {
  const out = join(base, 'bad-date.zip');
  for (const [flag, day] of [['--from', '2025-02-30'], ['--to', '2025-13-01'], ['--from', '25-03-01']] as const) {
    const r = await cli([flag, day, '--out', out]);
    assert.equal(r.status, 2, `${flag} ${day}`);
    assert.match(r.stderr, new RegExp(`${flag} ${day} is not a date`));
  }
  const reversed = await cli(['--from', '2025-03-03', '--to', '2025-03-01', '--out', out]);
  assert.equal(reversed.status, 2);
  assert.match(reversed.stderr, /--from 2025-03-03 is after --to 2025-03-01/);
  assert.equal(existsSync(out), false);
});
