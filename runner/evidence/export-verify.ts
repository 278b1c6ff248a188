/**
 * Verifies an evidence bundle made by export.ts, unzipped (`verifyBundle(dir)`) or not
 * (`verifyZip(file)`, which extracts it to a private temporary folder first). Every listed run is
 * checked like the live trail (verify-run.ts: hashes, sizes, canonical manifest, nothing unlisted),
 * its manifest hash must match bundle.json, and runs that follow each other in a chain must link.
 * Gaps between them are notes: a user's bundle leaves the other runs out on purpose.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { BUNDLE_EVIDENCE_DIR, BUNDLE_FILE, bundleIndexSchema, type BundleIndex } from './export.ts';
import { DAY_FOLDER, assertSegment } from './layout.ts';
import { formatReport, type VerifyResult } from './verify.ts';
import { checkRun, type LoadedRun, type Problem } from './verify-run.ts';

export interface BundleVerifyResult extends VerifyResult {
  /** Facts worth knowing that are not failures (gaps in a partial bundle). */
  notes: string[];
}

/** Largest bundle `verifyZip` extracts (uncompressed), and most entries. */
const MAX_BYTES = 4 * 1024 ** 3;
const MAX_ENTRIES = 200_000;

export async function isBundle(dir: string): Promise<boolean> {
  return stat(join(dir, BUNDLE_FILE)).then((s) => s.isFile(), () => false);
}

export async function verifyBundle(dir: string): Promise<BundleVerifyResult> {
  const result: BundleVerifyResult = { ok: false, checkedRuns: 0, checkedFiles: 0, problems: [], unsealed: [], notes: [] };
  let index: BundleIndex;
  try {
    index = bundleIndexSchema.parse(JSON.parse(await readFile(join(dir, BUNDLE_FILE), 'utf8')));
  } catch (error) {
    result.problems.push({ kind: 'tampered', path: BUNDLE_FILE, detail: `unreadable: ${(error as Error).message.split('\n')[0]}` });
    return result;
  }
  const evidenceDir = join(dir, BUNDLE_EVIDENCE_DIR);
  const loaded: LoadedRun[] = [];
  for (const entry of index.runs) {
    const run = await checkListedRun(evidenceDir, entry, result);
    if (run) loaded.push(run);
  }
  result.problems.push(...checkLinks(loaded, result.notes));
  result.problems.push(...(await strayEntries(evidenceDir, new Set(index.runs.map((r) => r.path)))));
  result.ok = result.problems.length === 0;
  return result;
}

async function checkListedRun(evidenceDir: string, entry: BundleIndex['runs'][number], result: BundleVerifyResult): Promise<LoadedRun | undefined> {
  const [connectionId, day, runId, ...rest] = entry.path.split('/');
  try {
    if (!connectionId || !day || !runId || rest.length > 0 || !DAY_FOLDER.test(day)) throw new Error('not <connection>/<day>/<run>');
    assertSegment('connectionId', connectionId);
    assertSegment('runId', runId);
  } catch (error) {
    result.problems.push({ kind: 'tampered', path: BUNDLE_FILE, detail: `lists a bad run path ${JSON.stringify(entry.path)}: ${(error as Error).message}` });
    return undefined;
  }
  if (!(await stat(join(evidenceDir, entry.path)).then((s) => s.isDirectory(), () => false))) {
    result.problems.push({ kind: 'missing', path: entry.path, detail: 'listed in bundle.json but not in the bundle' });
    return undefined;
  }
  const check = await checkRun(evidenceDir, connectionId, day, runId);
  result.checkedFiles += check.checkedFiles;
  result.problems.push(...check.problems);
  if (!check.run) return undefined;
  result.checkedRuns++;
  if (check.run.hash !== entry.manifestSha256) {
    result.problems.push({ kind: 'tampered', path: check.run.manifestPath, detail: `hashes to ${check.run.hash} but bundle.json recorded ${entry.manifestSha256}` });
  }
  return check.run;
}

/** Links between runs of one chain that follow each other; gaps become notes. */
function checkLinks(runs: LoadedRun[], notes: string[]): Problem[] {
  const problems: Problem[] = [];
  const byConnection = new Map<string, LoadedRun[]>();
  for (const run of runs) byConnection.set(run.manifest.connectionId, [...(byConnection.get(run.manifest.connectionId) ?? []), run]);
  for (const [connectionId, list] of byConnection) {
    list.sort((a, b) => a.manifest.sequence - b.manifest.sequence);
    let gaps = 0;
    list.forEach((run, i) => {
      const before = list[i - 1];
      if (!before) return;
      const { sequence, previous } = run.manifest;
      if (sequence === before.manifest.sequence) {
        problems.push({ kind: 'reordered', path: run.manifestPath, detail: `repeats sequence ${sequence} of ${before.manifestPath}` });
      } else if (sequence > before.manifest.sequence + 1) {
        gaps++;
      } else if (previous !== before.hash) {
        problems.push({ kind: 'broken-chain', path: before.manifestPath, detail: `hashes to ${before.hash} but ${run.manifestPath} recorded ${previous}` });
      }
    });
    if (gaps > 0) notes.push(`${connectionId}: ${gaps} gap(s) in the chain: runs not selected for this bundle (expected for a user or date-range export).`);
  }
  return problems;
}

/** Files and folders under evidence/ that bundle.json does not list. */
async function strayEntries(evidenceDir: string, listed: Set<string>): Promise<Problem[]> {
  const problems: Problem[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    if (depth === 3) {
      if (!listed.has(rel)) problems.push({ kind: 'unlisted', path: rel, detail: 'in the bundle but not in bundle.json' });
      return;
    }
    const entries = await readdir(join(evidenceDir, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path, depth + 1);
      else problems.push({ kind: 'unlisted', path, detail: 'a file where only run folders belong' });
    }
  };
  await walk('', 0);
  return problems;
}

/** Extracts the zip into a private temporary folder, verifies it, and removes the folder. */
export async function verifyZip(file: string): Promise<BundleVerifyResult> {
  const dir = await mkdtemp(join(tmpdir(), 'scimwright-bundle-'));
  try {
    await extractZip(file, dir);
    return await verifyBundle(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Refuses entries that would land outside `dir` (absolute, `..`, backslashes) or a zip bomb. */
export async function extractZip(file: string, dir: string): Promise<void> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true });
  try {
    if (zip.entryCount > MAX_ENTRIES) throw new Error(`the zip has ${zip.entryCount} entries; more than ${MAX_ENTRIES} is not a bundle`);
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (!isSafeEntryName(name)) throw new Error(`unsafe entry name in zip: ${JSON.stringify(name)}`);
      if (name.endsWith('/')) {
        await mkdir(join(dir, name), { recursive: true, mode: 0o700 });
        continue;
      }
      total += entry.uncompressedSize;
      if (total > MAX_BYTES) throw new Error('the zip unpacks to more than 4 GiB; refusing');
      await mkdir(dirname(join(dir, name)), { recursive: true, mode: 0o700 });
      await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(join(dir, name), { flags: 'wx', mode: 0o600 }));
    }
  } finally {
    zip.close();
  }
}

export function isSafeEntryName(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.includes('\0')) return false;
  return name.split('/').every((part, i, all) => (part === '' ? i === all.length - 1 : part !== '.' && part !== '..'));
}

export function formatBundleReport(result: BundleVerifyResult): string {
  const text = formatReport(result).replace(/^Evidence (OK|FAILED)/, 'Bundle $1');
  return result.notes.length > 0 ? `${text}\n${result.notes.map((n) => `note: ${n}`).join('\n')}` : text;
}
