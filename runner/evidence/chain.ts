/**
 * Appends a manifest to its connection's hash chain.
 *
 * Under the connection's lock (see withFileLock): read the head, write the head with a `pending`
 * note naming the manifest about to be written, write the manifest, write the head again without
 * it. A crash between those writes leaves a pending note, which the next seal (and the verifier)
 * resolves: if the named manifest exists and links to the head it becomes the head, else the note
 * is dropped. Without the journal a crash could fork the chain (two manifests with one sequence).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir, withFileLock, writeFileAtomic, type FileLockOptions } from './atomic-fs.ts';
import {
  CHAIN_HEAD_FILE,
  CHAIN_LOCK_FILE,
  MANIFEST_FILE,
  canonicalJson,
  chainHeadSchema,
  emptyChainHead,
  manifestHash,
  manifestSchema,
  type ChainHead,
  type Manifest,
} from './manifest.ts';

/** A manifest without its chain fields, as a run hands it to `appendToChain`. */
export type UnchainedManifest = Omit<Manifest, 'previous' | 'sequence' | 'sealedAt'>;

export interface AppendOptions {
  /** The connection's folder. */
  connectionDir: string;
  /** The run folder relative to `connectionDir` (`YYYY-MM-DD/<runId>`). */
  runPath: string;
  lock?: FileLockOptions;
  now?: () => Date;
}

export async function appendToChain(unchained: UnchainedManifest, options: AppendOptions): Promise<Manifest> {
  const { connectionDir, runPath } = options;
  const now = options.now ?? (() => new Date());
  const headPath = join(connectionDir, CHAIN_HEAD_FILE);
  const manifestRelPath = `${runPath}/${MANIFEST_FILE}`;
  return withFileLock(join(connectionDir, CHAIN_LOCK_FILE), async () => {
    const head = await resolvePending(connectionDir, await readChainHead(connectionDir, unchained.connectionId, now()));
    const manifest: Manifest = {
      ...unchained,
      sealedAt: now().toISOString(),
      previous: head.sha256,
      sequence: head.sequence + 1,
    };
    const text = canonicalJson(manifest);
    // What is returned and hashed is exactly what the file holds (trigger Dates become strings…).
    const written = JSON.parse(text) as Manifest;
    manifestSchema.parse(written); // never chain a malformed manifest
    await writeHead(headPath, { ...head, updatedAt: now().toISOString(), pending: { sequence: manifest.sequence, manifest: manifestRelPath } });
    await writeFileAtomic(join(connectionDir, manifestRelPath), text);
    await syncDir(join(connectionDir, runPath));
    await writeHead(headPath, {
      version: head.version,
      connectionId: head.connectionId,
      sequence: manifest.sequence,
      sha256: manifestHash(written),
      manifest: manifestRelPath,
      updatedAt: now().toISOString(),
    });
    await syncDir(connectionDir);
    return written;
  }, options.lock);
}

async function writeHead(path: string, head: ChainHead): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(head, null, 2)}\n`);
}

/** The chain head, or an empty one for a connection's first run. Throws if it is unreadable. */
export async function readChainHead(connectionDir: string, connectionId: string, now: Date): Promise<ChainHead> {
  let text: string;
  try {
    text = await readFile(join(connectionDir, CHAIN_HEAD_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyChainHead(connectionId, now);
    throw error;
  }
  return chainHeadSchema.parse(JSON.parse(text));
}

/**
 * Applies a pending note left by a crashed seal: the manifest it names becomes the head when it
 * exists and links to the current head; otherwise the note is ignored. Used by the verifier too.
 */
export async function resolvePending(connectionDir: string, head: ChainHead): Promise<ChainHead> {
  if (!head.pending) return head;
  const { pending, ...rest } = head;
  try {
    const raw: unknown = JSON.parse(await readFile(join(connectionDir, pending.manifest), 'utf8'));
    const manifest = manifestSchema.parse(raw);
    if (manifest.sequence === pending.sequence && manifest.previous === head.sha256) {
      return { ...rest, sequence: manifest.sequence, sha256: manifestHash(raw), manifest: pending.manifest };
    }
  } catch {
    // The crash came before the manifest was written (or it is unreadable): nothing to adopt.
  }
  return rest;
}
