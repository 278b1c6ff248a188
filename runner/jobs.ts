/**
 * Job names, data schemas and ids. A converge job's id is derived from its user, so requests for a
 * user already waiting coalesce into the waiting job (ten quick PATCHes, one browser visit).
 * BullMQ refuses custom ids containing ':' (and integer-looking ids), so the parts are joined with
 * '.', which connection ids cannot contain, and the user id is URI-encoded.
 */
import { z } from 'zod';
import { connectionIdSchema } from '../core/connections/schema.ts';

export const QUEUE_NAME = 'converge';
export const CONVERGE_JOB = 'converge';
export const TASK_JOB = 'task';
/** A read-only canary walk of the connection's screens (issue 10); its run id is chosen by whoever asks. */
export const CHECK_JOB = 'check';
/** A drift scan of the connection (issue 18): list every member, compare with the desired state. */
export const DRIFT_JOB = 'drift-scan';
export const BACKOFF_TYPE = 'converge-jitter';

export const convergeJobSchema = z.object({
  connectionId: connectionIdSchema,
  userId: z.string().min(1).max(256),
  /** Display only (Bull Board's job name, issue 12 item 11): the worker reads the user itself. */
  email: z.string().max(320).optional(),
});

export const taskJobSchema = z.object({
  connectionId: connectionIdSchema,
  task: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
});

export const checkJobSchema = z.object({
  connectionId: connectionIdSchema,
  runId: z.string().regex(/^run-[0-9a-z]{10}-[0-9a-f]{10}$/),
});

/** Same shape as a check: the run id is chosen by whoever asks, so they can follow the scan. */
export const driftJobSchema = checkJobSchema;

export type ConvergeJobData = z.infer<typeof convergeJobSchema>;
export type TaskJobData = z.infer<typeof taskJobSchema>;

export function convergeJobId(connectionId: string, userId: string): string {
  return `u.${connectionId}.${encodeURIComponent(userId)}`;
}

export function taskJobId(connectionId: string, task: string): string {
  return `t.${connectionId}.${task}`;
}

export function checkJobId(connectionId: string, runId: string): string {
  return `k.${connectionId}.${runId}`;
}

export function driftJobId(connectionId: string, runId: string): string {
  return `d.${connectionId}.${runId}`;
}

/** Tries per job before it fails for good. Default 8 (about 8 minutes of backoff in all). */
export const DEFAULT_ATTEMPTS = 8;

/**
 * Job options. Finished jobs are removed at once: a kept job would hold its id, and the next
 * request for the same user would then be dropped as a duplicate. Run history lives in RunStore.
 */
export function jobOptions(jobId: string, attempts = DEFAULT_ATTEMPTS) {
  return {
    jobId,
    attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: true,
  } as const;
}
