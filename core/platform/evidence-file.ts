/**
 * The one way evidence files are opened for reading by anything that serves or ships them (the
 * admin files route, the console's evidence route, the export zip). A run folder is a place a
 * local process could plant a symlink in; following it would serve `data/secret.key` as a PNG.
 * So: the run folder must be a real folder under the recordings dir (no symlink on the way, its
 * resolved path equal to the joined one), the name one plain segment, and the file is opened with
 * O_NOFOLLOW and must be a regular file. Anything else is "not there".
 */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export type EvidenceOpen =
  | { ok: true; handle: FileHandle; size: number; mtime: Date }
  | { ok: false; reason: 'missing' | 'refused' };

/** `runDir` is relative to `recordingsDir` (`<connection>/<day>/<run>`), `name` a file in it. */
export async function openEvidenceFile(recordingsDir: string, runDir: string, name: string): Promise<EvidenceOpen> {
  const segments = runDir.split('/');
  if (!segments.every(isSegment) || !isSegment(name)) return { ok: false, reason: 'refused' };
  let handle: FileHandle | undefined;
  try {
    const root = await realpath(recordingsDir);
    const folder = join(root, ...segments);
    // realpath differs from the joined path exactly when some part of the run folder is a symlink.
    if ((await realpath(folder)) !== folder || !folder.startsWith(root + sep)) return { ok: false, reason: 'refused' };
    handle = await open(join(folder, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      return { ok: false, reason: 'refused' };
    }
    return { ok: true, handle, size: stat.size, mtime: stat.mtime };
  } catch (error) {
    await handle?.close().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing' };
    if (code === 'ELOOP' || code === 'EACCES' || code === 'EPERM') return { ok: false, reason: 'refused' };
    throw error;
  }
}

/** The whole file, or why not (closes the handle either way). */
export async function readEvidenceFile(recordingsDir: string, runDir: string, name: string): Promise<Buffer | EvidenceOpen & { ok: false }> {
  const opened = await openEvidenceFile(recordingsDir, runDir, name);
  if (!opened.ok) return opened;
  try {
    return await opened.handle.readFile();
  } finally {
    await opened.handle.close();
  }
}

function isSegment(value: string): boolean {
  return SEGMENT.test(value) && !value.includes('..');
}
