/**
 * The life of one run: a run record and an evidence folder are opened, the connector gets its
 * context, and at the end the manifest is sealed (whatever happened) and the record closed. A run
 * that cannot seal its manifest still closes its record, and says so.
 */
import { hostname } from 'node:os';
import { relative } from 'node:path';
import type { ConnectorContext, ConnectorDefinition } from '../core/connector.ts';
import type { Credentials, StoredConnection } from '../core/connections/schema.ts';
import type { Logger } from '../core/logger.ts';
import { newRunId, type RunRecord, type RunStatus } from '../core/runs/store.ts';
import type { Session } from './browser/sessions.ts';
import { buildContext, credentialSecrets, RunSecrets, safeLog } from './context.ts';
import { vaultSecrets } from './vault.ts';
import type { RunnerDeps } from './deps.ts';
import type { RunRecorder } from './evidence/store.ts';
import { errorReason, errorWords, technicalDetail } from './error-words.ts';

export const defaultWorkerId = () => `${hostname()}:${process.pid}`;

export interface ScopeInput {
  deps: RunnerDeps;
  connection: StoredConnection;
  connector: ConnectorDefinition;
  credentials: Credentials;
  jobId: string;
  attempt: number;
  userId?: string;
  task?: string;
  generation?: number;
  requestId?: string;
  tokenId?: string;
  previousRunId?: string;
  /** Chosen by whoever asked for the run (a canary check answers with it); new when absent. */
  runId?: string;
  logger: Logger;
  signal: AbortSignal;
}

export interface RunScope {
  readonly runId: string;
  readonly startedAt: string;
  readonly secrets: RunSecrets;
  readonly recorder: RunRecorder;
  readonly session: Session;
  readonly ctx: ConnectorContext;
  /** Filled in as the run learns (action, desired, observed …); goes to the record and manifest. */
  readonly summary: Partial<Pick<RunRecord, 'action' | 'why' | 'desired' | 'observed' | 'observedAfter' | 'batch' | 'memberList'>>;
  readonly log: ReturnType<typeof safeLog>;
  readonly input: ScopeInput;
}

export async function openScope(input: ScopeInput): Promise<RunScope> {
  const { deps, connection } = input;
  const runId = input.runId ?? newRunId();
  const startedAt = new Date().toISOString();
  const secrets = new RunSecrets(credentialSecrets(input.credentials));
  for (const value of await vaultSecrets(deps.redis, deps.prefix, deps.box, connection.id)) secrets.add(value);
  const logger = input.logger.child({ runId });
  const recorder = await deps.evidence.openRun({ connectionId: connection.id, runId, startedAt, secrets: () => secrets.list() });
  await deps.runs.create({
    runId, connectionId: connection.id, jobId: input.jobId, attempt: input.attempt, status: 'running',
    worker: deps.workerId, startedAt,
    ...pick(input, ['userId', 'task', 'generation', 'requestId', 'tokenId', 'previousRunId']),
    evidence: { dir: relative(deps.recordingsDir, recorder.dir), files: [] },
  });
  // Open until closeScope claims it back; if this process dies first, a reaper closes it (reaper.ts).
  await deps.liveness.track(runId, deps.instanceId);
  const session = await deps.sessions.acquire(connection.id);
  const ctx = buildContext({ ...input, session, recorder, secrets, logger });
  return { runId, startedAt, secrets, recorder, session, ctx, summary: {}, log: safeLog(logger, secrets), input };
}

export interface ScopeEnd {
  error?: unknown;
  /** The job will not be tried again. */
  final: boolean;
}

/** The error as the run record and lastError keep it: one line of words (error-words.ts). */
export function describeError(error: unknown, secrets: RunSecrets): { error: string; reason: string } {
  return {
    error: errorWords(error, { redact: (text) => secrets.redact(text) }),
    reason: errorReason(error),
  };
}

export async function closeScope(scope: RunScope, end: ScopeEnd): Promise<RunRecord> {
  const { deps } = scope.input;
  const closedMeanwhile = await closedAsCrashed(scope);
  if (closedMeanwhile) return closedMeanwhile;
  const failed = end.error !== undefined;
  const status: RunStatus = !failed ? 'succeeded' : end.final ? 'failed' : 'retrying';
  const problem = failed ? describeError(end.error, scope.secrets) : undefined;
  const endedAt = new Date().toISOString();
  let evidence: RunRecord['evidence'] = { dir: relative(deps.recordingsDir, scope.recorder.dir), files: [] };
  try {
    const manifest = await scope.recorder.seal({
      outcome: status, attempt: scope.input.attempt, endedAt, trigger: trigger(scope, problem),
    });
    evidence = { ...evidence, files: manifest.files.map((f) => f.name), manifest: 'manifest.json' };
  } catch (error) {
    const why = describeError(error, scope.secrets).error;
    scope.log('error', 'evidence: manifest not sealed', { error: why, detail: technicalDetail(error) });
    // So `evidence verify` fails on this run instead of taking it for one still going.
    await scope.recorder.markSealFailed({ outcome: status, endedAt, error: why })
      .catch((marker: unknown) => scope.log('error', 'evidence: seal-failed marker not written', { error: String(marker) }));
  }
  await deps.sessions.release(scope.session, { failed }).catch(() => {});
  const record = await deps.runs.update(scope.runId, {
    status, endedAt, evidence, ...scope.secrets.redactAll(scope.summary), ...(problem ?? {}),
  });
  scope.log(failed ? 'warn' : 'info', `run ${status}`, {
    action: scope.summary.action, ...(problem ?? {}), ...(failed ? { detail: technicalDetail(end.error) } : {}),
  });
  if (record) deps.onRunEnd?.(record);
  return record!;
}

/**
 * The run was claimed and closed as crashed while it went on (this process was taken for dead: a
 * heartbeat lapsed, or the job's lock did and the job was recovered elsewhere). Its evidence is
 * sealed already and its record closed; this pass's outcome still reaches the provisioning state.
 */
async function closedAsCrashed(scope: RunScope): Promise<RunRecord | undefined> {
  const { deps } = scope.input;
  if (await deps.liveness.claim(scope.runId)) return undefined;
  const current = await deps.runs.get(scope.runId);
  if (!current || current.status === 'running') return undefined; // not tracked (e.g. Redis lost it): close as usual
  scope.log('error', 'this run was closed as crashed by another worker while it went on; its record and evidence stay as they closed', {});
  await deps.sessions.release(scope.session, { failed: true }).catch(() => {});
  return current;
}

function trigger(scope: RunScope, problem: { error: string; reason: string } | undefined): Record<string, unknown> {
  const { input } = scope;
  return {
    kind: input.task ? 'task' : 'converge',
    connectionId: input.connection.id,
    jobId: input.jobId,
    worker: input.deps.workerId,
    ...pick(input, ['userId', 'task', 'generation', 'requestId', 'tokenId', 'previousRunId']),
    ...scope.summary,
    ...(problem ?? {}),
  };
}

function pick<T extends object, K extends keyof T>(source: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
