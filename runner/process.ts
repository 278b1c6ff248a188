/**
 * The BullMQ processor. Control flow is expressed with BullMQ's error classes: a job waiting for
 * one of its connection's page slots is DelayedError (no attempt used), a permanent app error or
 * bad job data is UnrecoverableError (fails at once), anything else is retried with backoff.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { ConnectorDefinition } from '../core/connector.ts';
import { parallelPagesOf, type Credentials, type StoredConnection } from '../core/connections/schema.ts';
import { PermanentAppError, isRetryable } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { RunnerDeps } from './deps.ts';
import { JobRunError, runConvergeJob, runTaskJob, type JobRun } from './job-runs.ts';
import { waitsForAttention } from './attention.ts';
import { runCheckJob } from './check-run.ts';
import { closeCrashedRun } from './reaper.ts';
import type { HeldSlot } from './connection-slots.ts';
import { paceConnection, slotNames } from './slot-use.ts';
import { CHECK_JOB, CONVERGE_JOB, DRIFT_JOB, TASK_JOB, checkJobSchema, convergeJobSchema, driftJobSchema, taskJobSchema } from './jobs.ts';
import { runDriftScanJob } from './drift-scan.ts';

export interface ProcessorOptions {
  /** How far ahead a job waiting for a slot parks itself; only a safety net. Default PARK_MS. */
  parkMs?: number;
}

/** A waiting job is woken by whoever frees a slot; this delay only bounds a lost wake-up. */
export const PARK_MS = 10 * 60_000;

export interface JobProgress {
  /** Tries of this job that got as far as starting a run (crashed ones included). */
  tries?: number;
  /** The run started last, to mark it crashed if the job comes back without an end. */
  runId?: string;
}

export type JobResult = { skipped: string } | { generation: number; runs: number };

export function createProcessor(deps: RunnerDeps, options: ProcessorOptions = {}) {
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<JobResult> => {
    const data = parseJob(job);
    const logger = deps.logger.child({ jobId: job.id, connectionId: data.connectionId, userId: data.userId, task: data.task });
    const connection = await deps.connections.get(data.connectionId);
    if (!connection) {
      logger.info('connection no longer exists; nothing to do');
      return { skipped: 'connection not found' };
    }
    const connector = deps.connectors.get(connection.connector);
    if (!connector) throw new UnrecoverableError(`unsupported: no connector "${connection.connector}" in this worker`);
    // A connection whose screens stopped matching: its users wait (no try used) until it is checked.
    if (data.userId && (await waitsForAttention(deps, connection.id))) {
      logger.info('connection needs attention; user job waits');
      await job.moveToDelayed(Date.now() + Math.round(deps.attentionPauseMs * (0.75 + Math.random() / 2)), token);
      throw new DelayedError();
    }
    const names = await slotNames(deps, connection, connector, { ...data, drift: job.name === DRIFT_JOB });
    const slot = await deps.slots.acquire(connection.id, {
      jobId: String(job.id), slots: parallelPagesOf(connection.settings), names, removal: !job.opts.priority,
    });
    if (!slot) {
      // Parked far ahead: whoever frees a slot promotes it (connection-slots.ts). One line per wait.
      logger.info('waiting for a page slot of the connection');
      await job.moveToDelayed(Date.now() + (options.parkMs ?? PARK_MS), token);
      if (await deps.slots.grantedMeanwhile(connection.id, String(job.id))) await job.promote().catch(() => {});
      throw new DelayedError();
    }
    let failure: unknown;
    try {
      const run: JobRun = await startTry(deps, job, connection, connector, logger, signal, slot);
      if (data.runId) return await (job.name === DRIFT_JOB ? runDriftScanJob(run, data.runId) : runCheckJob(run, data.runId));
      return data.task ? await runTaskJob(run, data.task) : await runConvergeJob(run, data.userId!);
    } catch (error) {
      failure = error;
      throw toJobError(error);
    } finally {
      await slot.release().catch(() => {});
      await paceConnection(deps, connection.id, failure, logger).catch(() => {});
    }
  };
}

function parseJob(job: Job): { connectionId: string; userId?: string; task?: string; runId?: string } {
  const schema = job.name === CONVERGE_JOB ? convergeJobSchema : job.name === TASK_JOB ? taskJobSchema : job.name === CHECK_JOB ? checkJobSchema
    : job.name === DRIFT_JOB ? driftJobSchema : undefined;
  const parsed = schema?.safeParse(job.data);
  if (!parsed?.success) throw new UnrecoverableError(`invalid_job: job ${job.id} (${job.name}) has invalid data`);
  return parsed.data;
}

/** Counts the try, and marks the previous run crashed when a worker died in it (stalled job). */
async function startTry(
  deps: RunnerDeps, job: Job, connection: StoredConnection, connector: ConnectorDefinition,
  logger: Logger, signal: AbortSignal | undefined, slot: HeldSlot,
): Promise<JobRun> {
  const progress = (typeof job.progress === 'object' ? job.progress : {}) as JobProgress;
  const previousRunId = progress.runId;
  if (previousRunId && (await deps.liveness.claim(previousRunId))) {
    logger.warn({ previousRunId }, 'the previous run of this job ended without a result (worker crash); taking over');
    await closeCrashedRun(deps, previousRunId, 'the job was recovered and run again');
  }
  const tries = (progress.tries ?? 0) + 1;
  await job.updateProgress({ tries } satisfies JobProgress);
  let credentials: Credentials;
  try {
    credentials = deps.connections.openCredentials(connection);
  } catch {
    throw new UnrecoverableError(`setup_required: the credentials of connection ${connection.id} cannot be opened with this secret key`);
  }
  return {
    deps, job, connection, connector, credentials, logger, attempt: tries, previousRunId, slot,
    signal: AbortSignal.any([slot.lost, ...(signal ? [signal] : [])]),
    isFinal: (error) => !isRetryable(error) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
  };
}

/** Errors stored by BullMQ carry no secret: a failed run throws its redacted message only. */
function toJobError(error: unknown): unknown {
  if (error instanceof JobRunError) {
    const safe = isRetryable(error.original) ? new Error(error.message) : new UnrecoverableError(error.message);
    safe.stack = `${safe.name}: ${error.message}`;
    return safe;
  }
  if (error instanceof PermanentAppError) return new UnrecoverableError(`${error.reason}: ${error.message}`);
  return error;
}
