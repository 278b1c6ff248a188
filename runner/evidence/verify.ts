/**
 * Verifies the evidence trail: every file's SHA-256 and size, every manifest's hash, and each
 * connection's chain (sequence 1…N without gaps or repeats, `previous` links, the chain head).
 * Read-only, so it also works on a copy handed to a reviewer. Runs that seal while it reads can
 * show up as a chain-head mismatch: verify a quiet trail, or run it again.
 *
 * Problems come in the order a reviewer would fix them: per connection, runs in sequence order
 * (their files, then their link to the run before), then the chain head, then stray files.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readChainHead, resolvePending } from './chain.ts';
import { TEMP_PREFIX } from './atomic-fs.ts';
import { CHAIN_HEAD_FILE, CHAIN_LOCK_FILE, MANIFEST_FILE, SEAL_FAILED_FILE } from './manifest.ts';
import { DAY_FOLDER, assertSegment, subfolders } from './layout.ts';
import { checkRun, type LoadedRun, type Problem } from './verify-run.ts';

export type { Problem, ProblemKind } from './verify-run.ts';

export interface VerifyResult {
  ok: boolean;
  /** Sealed runs whose manifest was read. */
  checkedRuns: number;
  /** Listed files whose bytes were hashed. */
  checkedFiles: number;
  problems: Problem[];
  /**
   * Run folders without a manifest (relative paths): runs still going, or cut short by a crash.
   * They were never part of the chain, so they are reported but do not fail verification. A run
   * that ENDED without sealing (it left SEAL_FAILED_FILE) is a problem of kind `unsealed` instead.
   */
  unsealed: string[];
}

export interface VerifyOptions {
  /** Check only this connection. Default: every folder under recordingsDir. */
  connectionId?: string;
}

export async function verifyEvidence(recordingsDir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const result: VerifyResult = { ok: true, checkedRuns: 0, checkedFiles: 0, problems: [], unsealed: [] };
  let connections: string[];
  if (options.connectionId !== undefined) {
    assertSegment('connectionId', options.connectionId);
    connections = [options.connectionId];
    if (!(await isDir(join(recordingsDir, options.connectionId)))) {
      result.problems.push({ kind: 'missing', path: options.connectionId, detail: 'no evidence folder for this connection' });
    }
  } else {
    connections = await subfolders(recordingsDir);
  }
  for (const connectionId of connections) await verifyConnection(recordingsDir, connectionId, result);
  result.ok = result.problems.length === 0;
  return result;
}

interface ConnectionScan {
  runs: Array<{ run: LoadedRun; problems: Problem[] }>;
  /** Problems of manifests that could not be read (they have no place in the chain). */
  unreadable: Problem[];
  /** Files and folders that do not belong to the layout. */
  stray: Problem[];
}

async function verifyConnection(recordingsDir: string, connectionId: string, result: VerifyResult): Promise<void> {
  const connDir = join(recordingsDir, connectionId);
  if (!(await isDir(connDir))) return;
  const { runs, unreadable, stray } = await scanConnection(recordingsDir, connectionId, result);
  result.checkedRuns += runs.length;
  runs.sort((a, b) => a.run.manifest.sequence - b.run.manifest.sequence);
  const byHash = new Map(runs.map(({ run }) => [run.hash, run]));
  // An unreadable manifest explains the chain problems that follow it, so it goes first.
  result.problems.push(...unreadable);
  runs.forEach(({ run, problems }, i) => {
    result.problems.push(...problems, ...checkLink(run, runs[i - 1]?.run, byHash));
  });
  result.problems.push(...(await checkHead(connDir, connectionId, runs.at(-1)?.run)), ...stray);
}

async function scanConnection(recordingsDir: string, connectionId: string, result: VerifyResult): Promise<ConnectionScan> {
  const scan: ConnectionScan = { runs: [], unreadable: [], stray: [] };
  const connDir = join(recordingsDir, connectionId);
  for (const day of (await readdir(connDir)).sort()) {
    // The lock and a chain-head write cut short by a crash hold no evidence.
    if (day === CHAIN_HEAD_FILE || day === CHAIN_LOCK_FILE || day.startsWith(`${TEMP_PREFIX}${CHAIN_HEAD_FILE}`)) continue;
    if (!DAY_FOLDER.test(day) || !(await isDir(join(connDir, day)))) {
      scan.stray.push({ kind: 'unlisted', path: `${connectionId}/${day}`, detail: 'not a day folder of the evidence layout' });
      continue;
    }
    for (const runId of (await readdir(join(connDir, day))).sort()) {
      const rel = `${connectionId}/${day}/${runId}`;
      if (!(await isDir(join(recordingsDir, rel)))) {
        scan.stray.push({ kind: 'unlisted', path: rel, detail: 'a file where only run folders belong' });
      } else if (!(await exists(join(recordingsDir, rel, MANIFEST_FILE)))) {
        const ended = await sealFailure(join(recordingsDir, rel));
        if (ended === undefined) result.unsealed.push(rel);
        else scan.stray.push({ kind: 'unsealed', path: rel, detail: `the run ended (${ended}) but its manifest was never sealed` });
      } else {
        const check = await checkRun(recordingsDir, connectionId, day, runId);
        result.checkedFiles += check.checkedFiles;
        if (check.run) scan.runs.push({ run: check.run, problems: check.problems });
        else scan.unreadable.push(...check.problems);
      }
    }
  }
  return scan;
}

/** The link from `run` back to the run before it in sequence order. */
function checkLink(run: LoadedRun, before: LoadedRun | undefined, byHash: Map<string, LoadedRun>): Problem[] {
  const { sequence, previous } = run.manifest;
  const expected = (before?.manifest.sequence ?? 0) + 1;
  const path = run.manifestPath;
  if (before && sequence === before.manifest.sequence) {
    return [{ kind: 'reordered', path, detail: `repeats sequence ${sequence} of ${before.manifestPath}` }];
  }
  if (sequence > expected) {
    return [{ kind: 'missing', path, detail: `has sequence ${sequence}: the manifests with sequence ${expected}–${sequence - 1} are gone` }];
  }
  if (previous === (before?.hash ?? null)) return [];
  const linked = previous === null ? undefined : byHash.get(previous);
  if (linked) {
    return [{ kind: 'reordered', path, detail: `has sequence ${sequence} but links to ${linked.manifestPath} (sequence ${linked.manifest.sequence})` }];
  }
  if (!before) {
    return [{ kind: 'reordered', path, detail: `is first in the chain but links to a manifest (${previous}) that is not here` }];
  }
  if (previous === null) {
    return [{ kind: 'broken-chain', path, detail: `has sequence ${sequence} but no link to ${before.manifestPath}` }];
  }
  return [{
    kind: 'broken-chain',
    path: before.manifestPath,
    detail: `hashes to ${before.hash} but ${path} recorded ${previous}: one of the two was edited after sealing`,
  }];
}

async function checkHead(connDir: string, connectionId: string, last: LoadedRun | undefined): Promise<Problem[]> {
  const headPath = `${connectionId}/${CHAIN_HEAD_FILE}`;
  if (!(await exists(join(connDir, CHAIN_HEAD_FILE)))) {
    return last ? [{ kind: 'missing', path: headPath, detail: `the chain head is gone (the chain ends at ${last.manifestPath})` }] : [];
  }
  let head;
  try {
    head = await resolvePending(connDir, await readChainHead(connDir, connectionId, new Date()));
  } catch (error) {
    return [{ kind: 'tampered', path: headPath, detail: `the chain head is unreadable: ${(error as Error).message}` }];
  }
  if (head.connectionId !== connectionId) {
    return [{ kind: 'tampered', path: headPath, detail: `names connection ${head.connectionId}` }];
  }
  if (head.sequence > (last?.manifest.sequence ?? 0)) {
    return [{ kind: 'missing', path: `${connectionId}/${head.manifest ?? ''}`, detail: `the chain head names sequence ${head.sequence}, the newest manifest here has ${last?.manifest.sequence ?? 0}` }];
  }
  if (!last) return [];
  if (head.sequence < last.manifest.sequence || head.manifest !== last.pathInConnection) {
    return [{ kind: 'broken-chain', path: last.manifestPath, detail: `is newest here (sequence ${last.manifest.sequence}) but the chain head names ${head.manifest} (sequence ${head.sequence})` }];
  }
  if (head.sha256 !== last.hash) {
    return [{ kind: 'broken-chain', path: last.manifestPath, detail: `hashes to ${last.hash} but the chain head recorded ${head.sha256}: edited after sealing` }];
  }
  return [];
}

/** One line per problem, first problem first; the CLI prints this and exits 1 unless `ok`. */
export function formatReport(result: VerifyResult): string {
  const summary = `${result.checkedRuns} run(s), ${result.checkedFiles} file(s) checked`;
  const lines = result.ok
    ? [`Evidence OK: ${summary}.`]
    : [`Evidence FAILED: ${result.problems.length} problem(s); ${summary}.`,
      ...result.problems.map((p) => `  ${p.kind}: ${p.path} — ${p.detail}`)];
  if (result.unsealed.length > 0) {
    lines.push(`${result.unsealed.length} unsealed run folder(s) (in progress or interrupted, not part of the chain):`,
      ...result.unsealed.map((path) => `  ${path}`));
  }
  return lines.join('\n');
}

/** What the run's seal-failed marker says it ended as ("failed: <seal error>"), or undefined. */
async function sealFailure(runDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(runDir, SEAL_FAILED_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const marker = JSON.parse(text) as { outcome?: unknown; error?: unknown };
    return `${String(marker.outcome ?? 'unknown')}; seal error: ${String(marker.error ?? 'unknown').split('\n')[0]}`;
  } catch {
    return 'unreadable marker';
  }
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
