/** A run: one pass of the runner over one user (or one connection task), as the admin API shows it. */
import { z } from 'zod';

export const runStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'retrying']);
export type RunStatus = z.infer<typeof runStatusSchema>;

const observedSchema = z.object({
  email: z.string(),
  role: z.string().nullable(),
  status: z.enum(['active', 'pending', 'deactivated']),
  displayName: z.string().optional(),
  appId: z.string().optional(),
});

export const runRecordSchema = z.object({
  runId: z.string(),
  connectionId: z.string(),
  /** The SCIM user converged; absent for connection tasks. */
  userId: z.string().optional(),
  /** The connector task run (e.g. "setup"); absent for converge runs. */
  task: z.string().optional(),
  jobId: z.string(),
  /** 1 for the first try of the job, counting tries after a crash too. */
  attempt: z.number().int().positive(),
  status: runStatusSchema,
  /** The provisioning generation the run read at its start. */
  generation: z.number().int().nonnegative().optional(),
  /** What the run decided to do: invite, changeRole, remove, none … */
  action: z.string().optional(),
  /** Why nothing was done, when `action` is none. */
  why: z.string().optional(),
  desired: z.record(z.string(), z.unknown()).optional(),
  observed: observedSchema.nullable().optional(),
  /** What the app showed after the action (the verification read). */
  observedAfter: observedSchema.nullable().optional(),
  error: z.string().optional(),
  /** Stable code of a permanent failure (core/errors.ts PermanentReason), or "error"/"crashed". */
  reason: z.string().optional(),
  requestId: z.string().optional(),
  tokenId: z.string().optional(),
  /**
   * Set when the user was invited in one batch with others: the run that sent the batch (its
   * evidence has the invite screenshots), its user, and how many users the batch held.
   */
  batch: z.object({ runId: z.string(), userId: z.string(), size: z.number().int().positive() }).optional(),
  /**
   * Set when "nothing to do" was decided from the connection's member list instead of a search:
   * the run that read the list (its evidence has the list's screens) and when its read began.
   */
  memberList: z.object({ runId: z.string(), readAt: z.string() }).optional(),
  /** The run this one took over from after a worker crash. */
  previousRunId: z.string().optional(),
  /** Which worker process ran it: host:pid. */
  worker: z.string(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  evidence: z
    .object({
      /** Run folder relative to the recordings dir: `<connection>/<YYYY-MM-DD>/<runId>`. */
      dir: z.string(),
      files: z.array(z.string()),
      /** Present once the manifest is sealed. */
      manifest: z.string().optional(),
    })
    .optional(),
});

export type RunRecord = z.infer<typeof runRecordSchema>;

export const listRunsQuerySchema = z.object({
  userId: z.string().optional(),
  status: runStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** A runId: list runs older than it (the previous page's last runId). */
  before: z.string().optional(),
});

export type ListRunsQuery = z.input<typeof listRunsQuerySchema>;
