/**
 * Where evidence lives: `<recordingsDir>/<connectionId>/<YYYY-MM-DD>/<runId>/`, the day being the
 * run's start in UTC. Ids become folder names, so they are checked to be single, harmless path
 * segments (no `/`, no `..`, no leading dot that would hide the folder).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}$/;

export function assertSegment(kind: string, value: string): void {
  if (!SEGMENT.test(value) || value.includes('..')) {
    throw new Error(`${kind} ${JSON.stringify(value)} cannot be used as a folder name (letters, digits, . _ - only)`);
  }
}

/** The UTC day of `time` as `YYYY-MM-DD`. */
export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

export function connectionDir(recordingsDir: string, connectionId: string): string {
  assertSegment('connectionId', connectionId);
  return join(recordingsDir, connectionId);
}

/** The run folder relative to the connection folder: `<YYYY-MM-DD>/<runId>`. */
export function runPathInConnection(runId: string, startedAt: Date): string {
  assertSegment('runId', runId);
  return `${dayOf(startedAt)}/${runId}`;
}

/**
 * A file name made of the write order and a readable label: `001-invite-user-before.png`.
 * The label keeps letters, digits, `.` and `-`; anything else becomes `-`.
 */
export function numberedName(order: number, label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
  return `${String(order).padStart(3, '0')}-${clean || 'file'}`;
}

/** The write order a numbered name starts with, or undefined. */
export function orderOf(name: string): number | undefined {
  const match = /^(\d{3,})-/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** The folders directly in `dir` (connections, days or runs), sorted, hidden ones left out. */
export async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}
