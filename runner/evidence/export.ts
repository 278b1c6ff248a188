/**
 * Evidence export: a zip for a user, a connection or a date range that a reviewer hands to an
 * auditor. It holds each selected run folder exactly as sealed (manifest and screenshots, under
 * `evidence/`), `bundle.json` (what was selected, each manifest's hash, each chain's head at export
 * time), `verification.txt` (the live trail verified at export time) and `SUMMARY.md` for people.
 * `scimwright evidence verify --zip FILE` (or `--dir` on the unzipped folder) checks it alone:
 * see export-verify.ts.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { z } from 'zod';
import { openEvidenceFile, readEvidenceFile } from '../../core/platform/evidence-file.ts';
import { readChainHead } from './chain.ts';
import { DAY_FOLDER, assertSegment, subfolders } from './layout.ts';
import { MANIFEST_FILE, manifestHash, manifestSchema, type Manifest } from './manifest.ts';
import { formatReport, verifyEvidence } from './verify.ts';
import { bundleSummary } from './export-summary.ts';

export const BUNDLE_FILE = 'bundle.json';
export const BUNDLE_EVIDENCE_DIR = 'evidence';

const day = z.string().regex(DAY_FOLDER, 'use YYYY-MM-DD');

export const exportSelectionSchema = z.object({
  /** Only this connection (required with userId). */
  connectionId: z.string().optional(),
  /** Only runs of this SCIM user (the manifest's trigger.userId). */
  userId: z.string().optional(),
  /** First UTC day, inclusive. */
  from: day.optional(),
  /** Last UTC day, inclusive. */
  to: day.optional(),
}).refine((s) => !s.userId || s.connectionId, { message: 'a user export needs its connection', path: ['connectionId'] })
  .refine((s) => !s.from || !s.to || s.from <= s.to, { message: '"from" is after "to"', path: ['to'] });

export type ExportSelection = z.infer<typeof exportSelectionSchema>;

export const bundleRunSchema = z.object({
  /** `<connectionId>/<YYYY-MM-DD>/<runId>` below `evidence/`. */
  path: z.string(),
  connectionId: z.string(),
  runId: z.string(),
  sequence: z.number().int().positive(),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const bundleIndexSchema = z.object({
  format: z.literal('scimwright-evidence-bundle'),
  version: z.literal(1),
  createdAt: z.string(),
  selection: z.record(z.string(), z.string()),
  runs: z.array(bundleRunSchema),
  /** Each connection's chain head when the bundle was made: compare with the live trail. */
  chains: z.record(z.string(), z.object({ sequence: z.number().int().nonnegative(), sha256: z.string().nullable() })),
});

export type BundleRun = z.infer<typeof bundleRunSchema>;
export type BundleIndex = z.infer<typeof bundleIndexSchema>;

export interface SelectedRun extends BundleRun {
  manifest: Manifest;
  /** Every file in the run folder, manifest included. */
  files: string[];
}

export interface ExportPlan {
  selection: ExportSelection;
  runs: SelectedRun[];
  /** Run folders in range without a manifest (in progress or interrupted): not exported. */
  unsealed: string[];
  /** Manifests that could not be read: not exported, named in the summary. */
  unreadable: string[];
}

/** Finds the sealed runs the selection covers, oldest first per connection. */
export async function planExport(recordingsDir: string, input: ExportSelection): Promise<ExportPlan> {
  const selection = exportSelectionSchema.parse(input);
  const plan: ExportPlan = { selection, runs: [], unsealed: [], unreadable: [] };
  const connections = selection.connectionId ? [selection.connectionId] : await folders(recordingsDir);
  for (const connectionId of connections) {
    assertSegment('connectionId', connectionId);
    for (const dayName of await folders(join(recordingsDir, connectionId))) {
      if (!DAY_FOLDER.test(dayName) || (selection.from && dayName < selection.from) || (selection.to && dayName > selection.to)) continue;
      for (const runId of await folders(join(recordingsDir, connectionId, dayName))) {
        await addRun(recordingsDir, `${connectionId}/${dayName}/${runId}`, plan);
      }
    }
  }
  plan.runs.sort((a, b) => a.connectionId.localeCompare(b.connectionId) || a.sequence - b.sequence);
  return plan;
}

async function addRun(recordingsDir: string, path: string, plan: ExportPlan): Promise<void> {
  const [connectionId, , runId] = path.split('/') as [string, string, string];
  const dir = join(recordingsDir, path);
  const files = (await readdir(dir)).sort();
  if (!files.includes(MANIFEST_FILE)) {
    plan.unsealed.push(path);
    return;
  }
  let raw: unknown;
  try {
    const bytes = await readEvidenceFile(recordingsDir, path, MANIFEST_FILE);
    if (!Buffer.isBuffer(bytes)) throw new Error(`manifest ${bytes.reason}`);
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    plan.unreadable.push(path);
    return;
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    plan.unreadable.push(path);
    return;
  }
  const manifest = parsed.data;
  if (plan.selection.userId !== undefined && manifest.trigger.userId !== plan.selection.userId) return;
  plan.runs.push({ path, connectionId, runId, sequence: manifest.sequence, manifestSha256: manifestHash(raw), manifest, files });
}

export interface EvidenceExport {
  /** The zip, to pipe to a file or an HTTP answer. */
  stream: Readable;
  fileName: string;
  plan: ExportPlan;
}

/** Builds the zip. Files are read as the stream is consumed; the index and reports come first. */
export async function exportEvidence(recordingsDir: string, selection: ExportSelection, now = new Date()): Promise<EvidenceExport> {
  const plan = await planExport(recordingsDir, selection);
  const connections = [...new Set(plan.runs.map((r) => r.connectionId))];
  const chains: BundleIndex['chains'] = {};
  const reports: string[] = [];
  for (const connectionId of connections) {
    const head = await readChainHead(join(recordingsDir, connectionId), connectionId, now).catch(() => null);
    chains[connectionId] = { sequence: head?.sequence ?? 0, sha256: head?.sha256 ?? null };
    const result = await verifyEvidence(recordingsDir, { connectionId });
    reports.push(`Connection ${connectionId} (whole live trail, ${now.toISOString()}):\n${formatReport(result)}`);
  }
  const index: BundleIndex = {
    format: 'scimwright-evidence-bundle', version: 1, createdAt: now.toISOString(),
    selection: Object.fromEntries(Object.entries(plan.selection).filter(([, v]) => v !== undefined)) as Record<string, string>,
    runs: plan.runs.map(({ path, connectionId, runId, sequence, manifestSha256 }) => ({ path, connectionId, runId, sequence, manifestSha256 })),
    chains,
  };
  const zip = new yazl.ZipFile();
  const mtime = now;
  zip.addBuffer(Buffer.from(`${JSON.stringify(index, null, 2)}\n`), BUNDLE_FILE, { mtime });
  zip.addBuffer(Buffer.from(bundleSummary(plan, index)), 'SUMMARY.md', { mtime });
  zip.addBuffer(Buffer.from(verificationText(plan, reports)), 'verification.txt', { mtime });
  for (const run of plan.runs) {
    for (const file of run.files) await addRunFile(zip, recordingsDir, run.path, file);
  }
  zip.end();
  return { stream: zip.outputStream as Readable, fileName: bundleFileName(plan.selection, now), plan };
}

/**
 * Only regular files of the run folder go in, each opened through the one safe opener: a symlink
 * planted there would otherwise ship whatever it points at. It is checked now and opened again
 * when the zip reaches it, so a big export holds no file handles while it waits.
 */
async function addRunFile(zip: yazl.ZipFile, recordingsDir: string, runPath: string, file: string): Promise<void> {
  const checked = await openEvidenceFile(recordingsDir, runPath, file);
  if (!checked.ok) return;
  const { mtime } = checked;
  await checked.handle.close();
  zip.addReadStreamLazy(`${BUNDLE_EVIDENCE_DIR}/${runPath}/${file}`, { mtime }, (done) => {
    openEvidenceFile(recordingsDir, runPath, file).then(
      (opened) => (opened.ok ? done(null, opened.handle.createReadStream()) : done(new Error(`evidence file ${runPath}/${file} is ${opened.reason}`), undefined as never)),
      (error: unknown) => done(error, undefined as never),
    );
  });
}

function verificationText(plan: ExportPlan, reports: string[]): string {
  const lines = [
    'Verification report written when this bundle was made.',
    `Runs in this bundle: ${plan.runs.length}.`,
    '',
    ...(reports.length > 0 ? reports : ['No runs matched: nothing to verify.']),
    '',
    'To check the bundle itself later: scimwright evidence verify --zip <this file>',
    '(or --dir <unzipped folder>); see SUMMARY.md for checking by hand with sha256sum.',
  ];
  return `${lines.join('\n')}\n`;
}

/** `scimwright-evidence-<scope>-<UTC timestamp>.zip`, made only of safe characters. */
export function bundleFileName(selection: ExportSelection, now: Date): string {
  const parts = [selection.connectionId, selection.userId, selection.from, selection.to].filter((p): p is string => Boolean(p));
  const scope = parts.length > 0 ? parts.join('_') : 'all';
  const stamp = now.toISOString().replace(/[:.]/g, '').replace(/-/g, '').slice(0, 15);
  return `scimwright-evidence-${scope.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 120)}-${stamp}Z.zip`;
}

/** An export names what is there: a folder that cannot be read holds nothing to export. */
function folders(dir: string): Promise<string[]> {
  return subfolders(dir).catch(() => []);
}

