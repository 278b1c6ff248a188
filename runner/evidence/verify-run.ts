/**
 * Checks one sealed run folder: the manifest is well-formed, canonical and about this folder, and
 * every file it lists is there with the recorded size and SHA-256, with nothing unlisted beside it.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { dayOf, orderOf } from './layout.ts';
import { MANIFEST_FILE, canonicalJson, manifestHash, manifestSchema, sha256, type Manifest } from './manifest.ts';

export type ProblemKind = 'tampered' | 'missing' | 'reordered' | 'unlisted' | 'broken-chain' | 'unsealed';

export interface Problem {
  kind: ProblemKind;
  /** The file concerned, relative to the recordings folder (`/`-separated). */
  path: string;
  detail: string;
}

/** A run whose manifest could be read, with the hash the chain must record for it. */
export interface LoadedRun {
  manifest: Manifest;
  hash: string;
  /** Manifest path relative to the recordings folder. */
  manifestPath: string;
  /** Manifest path relative to the connection folder (as the chain head writes it). */
  pathInConnection: string;
}

export interface RunCheck {
  run: LoadedRun | undefined;
  checkedFiles: number;
  problems: Problem[];
}

/** `day` and `runId` are the folder names; `rel` is the run folder relative to the recordings folder. */
export async function checkRun(recordingsDir: string, connectionId: string, day: string, runId: string): Promise<RunCheck> {
  const rel = `${connectionId}/${day}/${runId}`;
  const manifestPath = `${rel}/${MANIFEST_FILE}`;
  const problems: Problem[] = [];
  const loaded = await loadManifest(join(recordingsDir, rel, MANIFEST_FILE), manifestPath, problems);
  if (!loaded) return { run: undefined, checkedFiles: 0, problems };
  const { manifest, hash } = loaded;
  const where = { connectionId, runId, day };
  const says = { connectionId: manifest.connectionId, runId: manifest.runId, day: dayOf(new Date(manifest.startedAt)) };
  if (JSON.stringify(where) !== JSON.stringify(says)) {
    problems.push({ kind: 'tampered', path: manifestPath, detail: `manifest describes ${JSON.stringify(says)} but is stored at ${rel}` });
  }
  const checkedFiles = await checkFiles(recordingsDir, rel, manifest, problems);
  const run = { manifest, hash, manifestPath, pathInConnection: `${day}/${runId}/${MANIFEST_FILE}` };
  return { run, checkedFiles, problems };
}

async function loadManifest(abs: string, path: string, problems: Problem[]): Promise<{ manifest: Manifest; hash: string } | undefined> {
  let text: string;
  let raw: unknown;
  try {
    text = await readFile(abs, 'utf8');
    raw = JSON.parse(text);
  } catch (error) {
    problems.push({ kind: 'tampered', path, detail: `manifest is unreadable: ${(error as Error).message}` });
    return undefined;
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push({ kind: 'tampered', path, detail: `manifest does not match the schema: ${parsed.error.issues[0]?.message ?? ''}` });
    return undefined;
  }
  if (text !== canonicalJson(raw)) {
    problems.push({ kind: 'tampered', path, detail: 'manifest is not in the canonical form it was sealed in (edited or reformatted)' });
  }
  return { manifest: parsed.data, hash: manifestHash(raw) };
}

async function checkFiles(recordingsDir: string, rel: string, manifest: Manifest, problems: Problem[]): Promise<number> {
  const present = new Set(await readdir(join(recordingsDir, rel)));
  present.delete(MANIFEST_FILE);
  let checked = 0;
  let lastOrder = 0;
  for (const entry of manifest.files) {
    const path = `${rel}/${entry.name}`;
    if (!isPlainName(entry.name)) {
      problems.push({ kind: 'tampered', path: `${rel}/${MANIFEST_FILE}`, detail: `lists a file outside its folder: ${entry.name}` });
      continue;
    }
    const order = orderOf(entry.name) ?? 0;
    if (order <= lastOrder) problems.push({ kind: 'reordered', path, detail: `listed after a file numbered ${lastOrder}` });
    lastOrder = Math.max(lastOrder, order);
    if (!present.delete(entry.name)) {
      problems.push({ kind: 'missing', path, detail: `listed in the manifest (sha256 ${entry.sha256}) but not found` });
      continue;
    }
    checked++;
    const problem = await checkFile(join(recordingsDir, path), entry);
    if (problem) problems.push({ kind: 'tampered', path, detail: problem });
  }
  for (const name of [...present].sort()) {
    problems.push({ kind: 'unlisted', path: `${rel}/${name}`, detail: 'in the run folder but not in its manifest' });
  }
  checkStepFiles(rel, manifest, problems);
  return checked;
}

async function checkFile(abs: string, entry: Manifest['files'][number]): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (error) {
    return `cannot be read: ${(error as Error).message}`;
  }
  const actual = sha256(bytes);
  if (actual !== entry.sha256) return `sha256 is ${actual}, the manifest recorded ${entry.sha256}`;
  if (bytes.byteLength !== entry.bytes) return `size is ${bytes.byteLength} bytes, the manifest recorded ${entry.bytes}`;
  return undefined;
}

function checkStepFiles(rel: string, manifest: Manifest, problems: Problem[]): void {
  const listed = new Set(manifest.files.map((f) => f.name));
  for (const step of manifest.steps) {
    for (const name of step.files) {
      if (!listed.has(name)) {
        problems.push({ kind: 'missing', path: `${rel}/${name}`, detail: `step ${step.index} (${step.name}) names a file the manifest does not list` });
      }
    }
  }
}

function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name) && name !== MANIFEST_FILE;
}
