/**
 * The evidence store: one folder per run, `<recordingsDir>/<connectionId>/<YYYY-MM-DD>/<runId>/`,
 * holding numbered files (`001-invite-before.png` …) and, once sealed, `manifest.json`.
 * Files are written atomically with mode 0600 in folders of mode 0700 (see atomic-fs.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ensureDir, writeFileAtomic, type FileLockOptions } from './atomic-fs.ts';
import { appendToChain } from './chain.ts';
import { connectionDir as connectionDirOf, numberedName, runPathInConnection } from './layout.ts';
import { MANIFEST_VERSION, SEAL_FAILED_FILE, sha256, type FileEntry, type Manifest, type RunOutcome, type StepEntry } from './manifest.ts';
import { makeRedactor, redactDeep } from './redact.ts';

export interface OpenRunOptions {
  recordingsDir: string;
  connectionId: string;
  /** Unique per attempt: the run folder must not exist yet. */
  runId: string;
  startedAt: Date | string;
  /** Secrets to strip from manifest strings (trigger, step names, URLs, errors). Default none. */
  secrets?: () => readonly string[];
  /** Lock timing for sealing (defaults: wait up to 10 s, a lock older than 30 s is stale). */
  lock?: FileLockOptions;
  /** Clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
}

/** The fields the runner supplies when it seals a run; the rest comes from the recorder. */
export interface SealFields {
  outcome: RunOutcome;
  /** 1 for the first try of a job, 2 for its first retry … */
  attempt: number;
  /** Whatever caused the run (SCIM request id, token id, user id, desired vs observed state …). */
  trigger: Record<string, unknown>;
  /** Default: the time of sealing. */
  endedAt?: Date | string;
}

export interface RunRecorder {
  readonly connectionId: string;
  readonly runId: string;
  /** The run folder (absolute). */
  readonly dir: string;
  /** Stores `bytes` as `NNN-<label>` (NNN = write order) and returns that name. */
  writeFile(label: string, bytes: Uint8Array | string): Promise<string>;
  /**
   * Like writeFile, without waiting for the disk: the name now, the file written, hashed and
   * listed before the manifest is sealed. A write that fails is left out of the manifest's files
   * and of its step's, with a note on that step saying why.
   */
  queueFile(label: string, bytes: Uint8Array | string): string;
  /** Adds a step to the manifest (or replaces the entry of the same `index`); listed by `index`. */
  recordStep(step: StepEntry): void;
  /** Waits for pending writes, writes manifest.json and links it into the connection's chain. */
  seal(fields: SealFields): Promise<Manifest>;
  /** After a failed seal: leaves SEAL_FAILED_FILE so verify counts the run as ended unsealed. */
  markSealFailed(fields: { outcome: RunOutcome; endedAt: string; error: string }): Promise<void>;
}

export interface EvidenceStore {
  openRun(options: Omit<OpenRunOptions, 'recordingsDir'>): Promise<RunRecorder>;
}

/** An evidence store on the local file system rooted at `recordingsDir`. */
export function createFsEvidenceStore(recordingsDir: string, defaults: Pick<OpenRunOptions, 'lock' | 'now'> = {}): EvidenceStore {
  return { openRun: (options) => openRun({ ...defaults, ...options, recordingsDir }) };
}

/** Creates the run folder (refusing one that exists, so evidence is never overwritten). */
export async function openRun(options: OpenRunOptions): Promise<RunRecorder> {
  const startedAt = new Date(options.startedAt);
  if (Number.isNaN(startedAt.getTime())) throw new Error(`Invalid startedAt: ${String(options.startedAt)}`);
  const connectionDir = connectionDirOf(resolve(options.recordingsDir), options.connectionId);
  const runPath = runPathInConnection(options.runId, startedAt);
  const dir = join(connectionDir, runPath);
  await ensureDir(join(dir, '..'));
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`Evidence folder for run ${options.runId} already exists: ${dir}`);
    }
    throw error;
  }
  return new FsRunRecorder(options, startedAt, connectionDir, runPath, dir);
}

class FsRunRecorder implements RunRecorder {
  readonly connectionId: string;
  readonly runId: string;
  private readonly files: Array<FileEntry & { order: number }> = [];
  private readonly steps: StepEntry[] = [];
  private readonly writes = new Set<Promise<unknown>>();
  /** Queued writes that failed: name → why, noted on their steps at seal. */
  private readonly lost = new Map<string, string>();
  private order = 0;
  private sealed = false;
  private readonly now: () => Date;

  constructor(
    private readonly options: OpenRunOptions,
    private readonly startedAt: Date,
    private readonly connectionDir: string,
    private readonly runPath: string,
    readonly dir: string,
  ) {
    this.connectionId = options.connectionId;
    this.runId = options.runId;
    this.now = options.now ?? (() => new Date());
  }

  async writeFile(label: string, bytes: Uint8Array | string): Promise<string> {
    const { name, write } = this.startWrite(label, bytes);
    await write;
    return name;
  }

  queueFile(label: string, bytes: Uint8Array | string): string {
    const { name, write } = this.startWrite(label, bytes);
    write.catch((error: unknown) => this.lost.set(name, error instanceof Error ? error.message : String(error)));
    return name;
  }

  private startWrite(label: string, bytes: Uint8Array | string): { name: string; write: Promise<void> } {
    this.assertOpen();
    // The number is taken before any await, so names follow call order even for parallel writes.
    const order = ++this.order;
    const name = numberedName(order, this.redact()(label));
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    const write = writeFileAtomic(join(this.dir, name), data).then(() => {
      this.files.push({ order, name, sha256: sha256(data), bytes: data.byteLength, writtenAt: this.now().toISOString() });
    });
    this.writes.add(write);
    const forget = () => this.writes.delete(write);
    write.then(forget, forget);
    return { name, write };
  }

  recordStep(step: StepEntry): void {
    this.assertOpen();
    // A step recorded again (failed after it returned, see guardOperation) replaces its first entry.
    const at = this.steps.findIndex((s) => s.index === step.index);
    if (at >= 0) this.steps[at] = step;
    else this.steps.push(step);
  }

  async seal(fields: SealFields): Promise<Manifest> {
    this.assertOpen();
    this.sealed = true;
    await Promise.allSettled([...this.writes]);
    const redact = this.redact();
    const unchained = {
      version: MANIFEST_VERSION,
      runId: this.runId,
      connectionId: this.connectionId,
      startedAt: this.startedAt.toISOString(),
      endedAt: new Date(fields.endedAt ?? this.now()).toISOString(),
      outcome: fields.outcome,
      attempt: fields.attempt,
      trigger: redactDeep(fields.trigger, redact),
      steps: [...this.steps].sort((a, b) => a.index - b.index).map((step) => redactStep(this.withoutLost(step), redact)),
      files: [...this.files].sort((a, b) => a.order - b.order).map(({ order: _, ...entry }) => entry),
    } as const;
    try {
      return await appendToChain(unchained, {
        connectionDir: this.connectionDir,
        runPath: this.runPath,
        ...(this.options.lock ? { lock: this.options.lock } : {}),
        now: this.now,
      });
    } catch (error) {
      this.sealed = false; // e.g. a lock timeout: the runner may try to seal again
      throw error;
    }
  }

  async markSealFailed(fields: { outcome: RunOutcome; endedAt: string; error: string }): Promise<void> {
    const body = { runId: this.runId, connectionId: this.connectionId, ...fields, error: this.redact()(fields.error) };
    await writeFileAtomic(join(this.dir, SEAL_FAILED_FILE), Buffer.from(`${JSON.stringify(body, null, 2)}\n`, 'utf8'));
  }

  /** A step as it is on disk: queued files that were never written are named in a note instead. */
  private withoutLost(step: StepEntry): StepEntry {
    const lost = step.files.filter((name) => this.lost.has(name));
    if (lost.length === 0) return step;
    return {
      ...step,
      files: step.files.filter((name) => !this.lost.has(name)),
      notes: [...step.notes, ...lost.map((name) => `${name} not stored: ${this.lost.get(name)}`)],
    };
  }

  private redact(): (text: string) => string {
    return makeRedactor(this.options.secrets?.() ?? []);
  }

  private assertOpen(): void {
    if (this.sealed) throw new Error(`Run ${this.runId} is already sealed`);
  }
}

/**
 * Only a step's free text is redacted: index, outcome and times are structure the schema checks,
 * and file names stay as written (their labels were redacted then), so steps and files still match.
 */
function redactStep(step: StepEntry, redact: (text: string) => string): StepEntry {
  return {
    ...step,
    name: redact(step.name),
    url: step.url === null ? null : redact(step.url),
    error: step.error === null ? null : redact(step.error),
    notes: step.notes.map(redact),
  };
}
