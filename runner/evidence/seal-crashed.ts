/**
 * Seals the evidence folder of a run whose worker died (runner/reaper.ts): the screenshots and
 * HTML it managed to write are hashed as they are on disk and the manifest joins the chain with
 * outcome `crashed`, so `evidence verify` checks them like any other run's. The dead process's
 * step list was in its memory only, so the manifest has files but no steps. A write the crash cut
 * short (a temp file never renamed into place) was never evidence: it is deleted, and named in the
 * trigger.
 */
import { readFile, readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TEMP_PREFIX } from './atomic-fs.ts';
import { appendToChain } from './chain.ts';
import { connectionDir as connectionDirOf, orderOf, runPathInConnection } from './layout.ts';
import { MANIFEST_FILE, MANIFEST_VERSION, SEAL_FAILED_FILE, manifestSchema, sha256, type FileEntry, type Manifest } from './manifest.ts';

export interface CrashedRun {
  recordingsDir: string;
  connectionId: string;
  runId: string;
  startedAt: string;
  attempt: number;
  /** What the run record knew (already redacted by the run): who, why, what it was doing. */
  trigger: Record<string, unknown>;
  endedAt: string;
}

/** The sealed manifest; the existing one when the run had sealed before it died. */
export async function sealCrashedRun(run: CrashedRun): Promise<Manifest> {
  const connectionDir = connectionDirOf(resolve(run.recordingsDir), run.connectionId);
  const runPath = runPathInConnection(run.runId, new Date(run.startedAt));
  const dir = join(connectionDir, runPath);
  const names = await readdir(dir); // not on this host: nothing to seal here (the caller says so)
  if (names.includes(MANIFEST_FILE)) return manifestSchema.parse(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')));
  const discarded: string[] = [];
  const files: FileEntry[] = [];
  for (const name of names.sort((a, b) => (orderOf(a) ?? 0) - (orderOf(b) ?? 0) || a.localeCompare(b))) {
    if (name.startsWith(TEMP_PREFIX)) {
      await unlink(join(dir, name));
      discarded.push(name);
      continue;
    }
    if (name === SEAL_FAILED_FILE || orderOf(name) === undefined) continue;
    const bytes = await readFile(join(dir, name));
    const { mtime } = await stat(join(dir, name));
    files.push({ name, sha256: sha256(bytes), bytes: bytes.byteLength, writtenAt: mtime.toISOString() });
  }
  return appendToChain({
    version: MANIFEST_VERSION,
    runId: run.runId,
    connectionId: run.connectionId,
    startedAt: new Date(run.startedAt).toISOString(),
    endedAt: new Date(run.endedAt).toISOString(),
    outcome: 'crashed',
    attempt: run.attempt,
    trigger: { ...run.trigger, ...(discarded.length > 0 ? { discardedPartialWrites: discarded } : {}) },
    steps: [],
    files,
  }, { connectionDir, runPath });
}
