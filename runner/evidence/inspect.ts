/**
 * One run's evidence as the console shows it: its steps, and each file with its verification
 * status (hash and size recomputed now). `createEvidenceReader` is what bin/start.ts hands the
 * gateway as `services.evidence` (api/console/services.ts ConsoleEvidence), so api/ never imports runner/.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_FOLDER, assertSegment } from './layout.ts';
import { MANIFEST_FILE, manifestSchema, type StepEntry } from './manifest.ts';
import { checkRun } from './verify-run.ts';
import { exportEvidence, type ExportSelection } from './export.ts';
import { checkExportSelection } from './export-select.ts';

export type FileStatus = 'verified' | 'tampered' | 'missing' | 'unlisted' | 'unsealed';

export interface InspectedFile {
  name: string;
  status: FileStatus;
  bytes?: number;
  sha256?: string;
  detail?: string;
}

export interface InspectedRun {
  /** Run folder relative to the recordings dir. */
  dir: string;
  sealed: boolean;
  sequence?: number;
  outcome?: string;
  steps: StepEntry[];
  files: InspectedFile[];
  /** Problems not about one file (manifest unreadable, stored in the wrong folder …). */
  problems: string[];
}

/** `dir` is `<connection>/<YYYY-MM-DD>/<runId>`; anything else is refused (no path traversal). */
export function parseRunDir(dir: string): { connectionId: string; day: string; runId: string } {
  const [connectionId, day, runId, ...rest] = dir.split('/');
  if (!connectionId || !day || !runId || rest.length > 0 || !DAY_FOLDER.test(day)) throw new Error(`not a run folder: ${JSON.stringify(dir)}`);
  assertSegment('connectionId', connectionId);
  assertSegment('runId', runId);
  return { connectionId, day, runId };
}

export async function inspectRun(recordingsDir: string, dir: string): Promise<InspectedRun> {
  const { connectionId, day, runId } = parseRunDir(dir);
  const present = (await readdir(join(recordingsDir, dir)).catch(() => [] as string[])).sort();
  if (!present.includes(MANIFEST_FILE)) {
    return { dir, sealed: false, steps: [], files: present.map((name) => ({ name, status: 'unsealed' })), problems: present.length === 0 ? ['the run folder is missing or empty'] : [] };
  }
  const check = await checkRun(recordingsDir, connectionId, day, runId);
  const byFile = new Map<string, { kind: string; detail: string }>();
  const problems: string[] = [];
  for (const problem of check.problems) {
    const name = problem.path.startsWith(`${dir}/`) ? problem.path.slice(dir.length + 1) : undefined;
    if (name && name !== MANIFEST_FILE && !byFile.has(name)) byFile.set(name, problem);
    else problems.push(`${problem.kind}: ${problem.detail}`);
  }
  const manifest = check.run?.manifest ?? (await readManifestLoosely(join(recordingsDir, dir, MANIFEST_FILE)));
  const files: InspectedFile[] = (manifest?.files ?? []).map((entry) => {
    const problem = byFile.get(entry.name);
    byFile.delete(entry.name);
    const status: FileStatus = !problem ? 'verified' : problem.kind === 'missing' ? 'missing' : 'tampered';
    return { name: entry.name, status, bytes: entry.bytes, sha256: entry.sha256, ...(problem ? { detail: problem.detail } : {}) };
  });
  for (const [name, problem] of byFile) files.push({ name, status: problem.kind === 'unlisted' ? 'unlisted' : 'tampered', detail: problem.detail });
  return {
    dir, sealed: true, steps: manifest?.steps ?? [], files, problems,
    ...(manifest ? { sequence: manifest.sequence, outcome: manifest.outcome } : {}),
  };
}

/** A manifest that failed a check may still be readable enough to show its steps. */
async function readManifestLoosely(path: string) {
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The evidence port of the console (structurally api/console/services.ts ConsoleEvidence). */
export function createEvidenceReader(recordingsDir: string) {
  return {
    inspectRun: (dir: string) => inspectRun(recordingsDir, dir),
    /** A user may be given by email; a day that does not exist or a user without runs is refused. */
    exportZip: async (selection: ExportSelection) => exportEvidence(recordingsDir, await checkExportSelection(recordingsDir, selection)),
  };
}
