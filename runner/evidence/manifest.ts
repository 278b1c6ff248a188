/**
 * The run manifest and the per-connection hash chain.
 *
 * Each sealed run writes `manifest.json`: what triggered it, its steps, and the SHA-256 and size of
 * every file it wrote. Manifests of one connection form a chain: `sequence` counts 1, 2, 3 … and
 * `previous` is the SHA-256 of the manifest before it, so deleting, editing or reordering a run
 * breaks a link. The chain head (`<connection>/chain-head.json`) names the newest manifest, which
 * also catches removal of the latest run.
 *
 * A manifest's hash is the SHA-256 of its canonical JSON (keys sorted by UTF-16 code units, no
 * whitespace, in the spirit of RFC 8785). The file is written in exactly that form, so a reviewer
 * can check a link with `sha256sum manifest.json` alone.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const CHAIN_HEAD_FILE = 'chain-head.json';
export const CHAIN_LOCK_FILE = 'chain-head.lock';
/**
 * Left in a run folder whose run ENDED but could not seal: it tells `evidence verify` that the
 * missing manifest is a failure, not a run still going (a crash leaves none; process.ts marks the
 * run record crashed instead).
 */
export const SEAL_FAILED_FILE = 'seal-failed.json';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const isoTime = z.iso.datetime({ offset: true });

export const fileEntrySchema = z.object({
  /** Name inside the run folder, numbered in write order: `001-invite-before.png`. */
  name: z.string(),
  sha256: sha256Hex,
  bytes: z.number().int().nonnegative(),
  writtenAt: isoTime,
});

export const stepEntrySchema = z.object({
  /** 1-based, in the order steps started. */
  index: z.number().int().positive(),
  /** `index` of the enclosing step for nested steps, else null. */
  parent: z.number().int().positive().nullable(),
  name: z.string(),
  /** The page's URL when the step ended (secrets redacted); null for steps without a browser. */
  url: z.string().nullable(),
  startedAt: isoTime,
  endedAt: isoTime,
  outcome: z.enum(['succeeded', 'failed']),
  /** The error message (secrets redacted) when the step failed. */
  error: z.string().nullable(),
  /** Names of the files this step wrote (screenshots, failure HTML). */
  files: z.array(z.string()),
  /** Evidence that could not be captured and why (the step itself is unaffected). */
  notes: z.array(z.string()),
});

/** `crashed`: the worker died in the run; sealed after it from the files it left (seal-crashed.ts). */
export const runOutcomeSchema = z.enum(['succeeded', 'failed', 'retrying', 'crashed']);

export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  runId: z.string(),
  connectionId: z.string(),
  startedAt: isoTime,
  endedAt: isoTime,
  /** When the manifest joined the chain (set by seal, under the chain lock). */
  sealedAt: isoTime,
  outcome: runOutcomeSchema,
  attempt: z.number().int().positive(),
  /** Whatever the runner says caused the run (SCIM request id, token id, desired vs observed…). */
  trigger: z.record(z.string(), z.unknown()),
  steps: z.array(stepEntrySchema),
  files: z.array(fileEntrySchema),
  /** SHA-256 of the previous manifest of the same connection; null for the first. */
  previous: sha256Hex.nullable(),
  sequence: z.number().int().positive(),
});

/** Where the chain of one connection ends; `pending` journals a seal in progress. */
export const chainHeadSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  connectionId: z.string(),
  sequence: z.number().int().nonnegative(),
  /** Hash of the newest manifest; null while the chain is empty. */
  sha256: sha256Hex.nullable(),
  /** Path of the newest manifest relative to the connection folder. */
  manifest: z.string().nullable(),
  updatedAt: isoTime,
  pending: z.object({ sequence: z.number().int().positive(), manifest: z.string() }).optional(),
});

export type FileEntry = z.infer<typeof fileEntrySchema>;
export type StepEntry = z.infer<typeof stepEntrySchema>;
export type RunOutcome = z.infer<typeof runOutcomeSchema>;
export type Manifest = z.infer<typeof manifestSchema>;
export type ChainHead = z.infer<typeof chainHeadSchema>;

/**
 * Canonical JSON: the JSON data model of `value` (as JSON.stringify sees it: toJSON applied,
 * undefined dropped) with object keys sorted and no whitespace.
 */
export function canonicalJson(value: unknown): string {
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  return JSON.stringify(sortKeys(plain));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The hash the next manifest's `previous` and the chain head record. */
export function manifestHash(manifest: unknown): string {
  return sha256(canonicalJson(manifest));
}

export function emptyChainHead(connectionId: string, now: Date): ChainHead {
  return { version: MANIFEST_VERSION, connectionId, sequence: 0, sha256: null, manifest: null, updatedAt: now.toISOString() };
}
