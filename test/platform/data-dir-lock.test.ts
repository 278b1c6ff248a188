/** Issue 12, item 2 (unit level): the data-dir lock refuses a live holder and takes over a dead one's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '../../core/platform/data-dir-lock.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'scimwright-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a second holder is refused with the PID of the first; release frees the folder', (t) => {
  const dir = tempDir(t);
  const lock = lockDataDir(dir);
  // A live process other than this one: the test runner's parent.
  assert.throws(() => lockDataDir(dir, process.ppid), (e: unknown) => e instanceof DataDirLockedError && e.message.includes(`PID ${process.pid}`));
  lock.release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  lockDataDir(dir, process.ppid).release();
});

test('the lock of a dead process is taken over', (t) => {
  const dir = tempDir(t);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(join(dir, LOCK_FILE), `${dead}\n`);
  const lock = lockDataDir(dir);
  assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
  lock.release();
});

test('a lock file holding garbage is stale too', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, LOCK_FILE), 'not a pid');
  lockDataDir(dir).release();
});
