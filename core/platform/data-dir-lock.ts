/**
 * One scimwright per data dir: two embedded Redis servers appending to one AOF corrupt it, and a
 * second worker would drive the first one's jobs. `DATA_DIR/scimwright.pid` holds the PID of the
 * instance using the folder; a second start is refused naming it. A lock left by a process that
 * died (SIGKILL, power loss) is taken over, since its PID no longer runs.
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'scimwright.pid';

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`The data dir ${dataDir} is in use by another scimwright (PID ${pid}); stop it first, or set SCIMWRIGHT_DATA_DIR to another folder.`);
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export function lockDataDir(dataDir: string, pid = process.pid): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  try {
    writeFileSync(path, `${pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = holderOf(path);
    if (holder !== undefined && holder !== pid && isRunning(holder)) throw new DataDirLockedError(dataDir, holder);
    // Stale: replace it in one rename, then read back, so of two starters taking it over at once
    // only the one whose PID stayed in the file goes on.
    const temp = `${path}.${pid}`;
    writeFileSync(temp, `${pid}\n`, { mode: 0o600 });
    renameSync(temp, path);
    const now = holderOf(path);
    if (now !== pid) throw new DataDirLockedError(dataDir, now ?? 0);
  }
  const release = () => {
    if (holderOf(path) === pid) {
      try { unlinkSync(path); } catch { /* already gone */ }
    }
  };
  process.once('exit', release);
  return { path, release: () => { process.removeListener('exit', release); release(); } };
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
