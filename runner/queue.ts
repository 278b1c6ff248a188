/**
 * The gateway's ConvergeQueue on BullMQ. Requests carry no payload beyond the user: the worker
 * reads the desired state when it runs (converge, don't replay), so coalescing loses nothing.
 */
import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConvergeQueue, ConvergeRequest, NextTry } from '../core/queue.ts';
import { appEmail } from '../core/provisioning/desired.ts';
import type { ResourceStore } from '../core/store/resource-store.ts';
import {
  CHECK_JOB, CONVERGE_JOB, DEFAULT_ATTEMPTS, DRIFT_JOB, QUEUE_NAME, TASK_JOB, checkJobId, checkJobSchema, convergeJobId, convergeJobSchema,
  driftJobId, driftJobSchema, jobOptions, taskJobId, taskJobSchema,
} from './jobs.ts';
import { NORMAL_PRIORITY, removalRequests } from './job-priority.ts';

export interface BullConvergeQueueOptions {
  /** An ioredis client; the queue never closes it (quit it yourself). */
  connection: Redis;
  /** BullMQ key prefix, e.g. `{sw:bull}` (hash-tagged for Cluster: core/store/keys.ts bullPrefix). Every worker of the deployment must use the same one. */
  prefix: string;
  /** Tries per job. Default 8. */
  attempts?: number;
  /**
   * The app's key prefix (config.redisPrefix), to tell removals from other requests (job-priority.ts).
   * Default: `prefix` without its braces and `:bull` suffix, as bullQueuePrefix (worker.ts) builds it.
   */
  appPrefix?: string;
  /**
   * Where the users' emails are read so converge jobs carry one for Bull Board's job names (one
   * pipelined read per batch). Without it jobs show only the user id. Never used by the worker.
   */
  resources?: Pick<ResourceStore, 'getMany'>;
}

/** Each request's user email, when its user is still there; by job id. */
async function emailsOf(resources: BullConvergeQueueOptions['resources'], unique: readonly ConvergeRequest[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!resources) return out;
  const byConnection = new Map<string, string[]>();
  for (const r of unique.values()) byConnection.set(r.connectionId, [...(byConnection.get(r.connectionId) ?? []), r.userId]);
  for (const [connectionId, ids] of byConnection) {
    for (const { resource } of await resources.getMany(connectionId, 'User', ids)) {
      const email = appEmail(resource as Parameters<typeof appEmail>[0]);
      if (email && typeof resource.id === 'string') out.set(convergeJobId(connectionId, resource.id), email.slice(0, 320));
    }
  }
  return out;
}

export interface BullConvergeQueue extends ConvergeQueue {
  enqueueTask(connectionId: string, task: string): Promise<void>;
  enqueueCheck(connectionId: string, runId: string): Promise<void>;
  enqueueDriftScan(connectionId: string, runId: string): Promise<void>;
  nextTries(connectionId: string, userIds: string[]): Promise<Map<string, NextTry>>;
  readonly queue: Queue;
  close(): Promise<void>;
}

export function createBullConvergeQueue(options: BullConvergeQueueOptions): BullConvergeQueue {
  const queue = new Queue(QUEUE_NAME, { connection: options.connection, prefix: options.prefix });
  const appPrefix = options.appPrefix ?? /^\{(.+):bull\}$/.exec(options.prefix)?.[1] ?? options.prefix.replace(/:bull$/, '');
  return {
    queue,
    async enqueue(requests: ConvergeRequest[]) {
      if (requests.length === 0) return;
      // One job per user even when the same batch names a user twice.
      const unique = [...new Map(requests.map((r) => [convergeJobId(r.connectionId, r.userId), r])).values()];
      const removal = await removalRequests(options.connection, appPrefix, unique);
      // A name to show is no reason to lose a request: without the emails the jobs still go in.
      const emails = await emailsOf(options.resources, unique).catch(() => new Map<string, string>());
      await queue.addBulk(unique.map((request, i) => {
        const jobId = convergeJobId(request.connectionId, request.userId);
        return {
          name: CONVERGE_JOB,
          data: convergeJobSchema.parse({ connectionId: request.connectionId, userId: request.userId, ...(emails.has(jobId) ? { email: emails.get(jobId) } : {}) }),
          opts: { ...jobOptions(jobId, options.attempts), ...(removal[i] ? {} : { priority: NORMAL_PRIORITY }) },
        };
      }));
      // A request coalesced into a job already waiting keeps that job's priority: a user who left
      // while their invite or retry was queued moves their job to the front.
      await Promise.all(unique.filter((_, i) => removal[i]).map((r) => hurry(queue, convergeJobId(r.connectionId, r.userId))));
    },
    async enqueueTask(connectionId: string, task: string) {
      const data = taskJobSchema.parse({ connectionId, task });
      await queue.add(TASK_JOB, data, { ...jobOptions(taskJobId(connectionId, task), options.attempts), priority: NORMAL_PRIORITY });
    },
    async enqueueCheck(connectionId: string, runId: string) {
      const data = checkJobSchema.parse({ connectionId, runId });
      // One try: a check observes; a failure is its answer, not something to retry.
      await queue.add(CHECK_JOB, data, { ...jobOptions(checkJobId(connectionId, runId), 1), priority: NORMAL_PRIORITY });
    },
    async enqueueDriftScan(connectionId: string, runId: string) {
      const data = driftJobSchema.parse({ connectionId, runId });
      // Retried like a task: a scan that could not read the list has found nothing yet.
      await queue.add(DRIFT_JOB, data, { ...jobOptions(driftJobId(connectionId, runId), options.attempts), priority: NORMAL_PRIORITY });
    },
    nextTries: (connectionId, userIds) => nextTries(queue, options.connection, connectionId, userIds, options.attempts),
    close: () => queue.close(),
  };
}

/**
 * Drops the priority of a waiting or delayed job (an active one is already running), and ends the
 * delay of one backing off from its invite's failure: the leaver does not wait for that retry.
 */
async function hurry(queue: Queue, jobId: string): Promise<void> {
  const job = await Job.fromId(queue, jobId);
  if (!job || !job.opts.priority) return;
  await job.changePriority({ priority: 0, lifo: true }).catch(() => {}); // gone or running meanwhile
  if (await job.isDelayed()) await job.promote().catch(() => {});
}

/**
 * Reads each user's job and, when it is delayed, its due time: BullMQ scores the delayed set by
 * `due ms · 0x1000 + n` (getDelayedScore.lua), so the time is the score's high part.
 */
async function nextTries(queue: Queue, client: Redis, connectionId: string, userIds: string[], attempts?: number): Promise<Map<string, NextTry>> {
  const pipeline = client.pipeline();
  for (const userId of userIds) {
    const jobId = convergeJobId(connectionId, userId);
    pipeline.hmget(queue.toKey(jobId), 'atm', 'opts', 'processedOn', 'finishedOn').zscore(queue.toKey('delayed'), jobId).lpos(queue.toKey('active'), jobId);
  }
  const rows = (await pipeline.exec()) ?? [];
  const out = new Map<string, NextTry>();
  userIds.forEach((userId, i) => {
    const [fields, score, active] = [rows[3 * i]?.[1], rows[3 * i + 1]?.[1], rows[3 * i + 2]?.[1]] as [Array<string | null> | undefined, string | null, number | null];
    if (!fields || fields.every((f) => f === null)) return;
    const opts = safeJson(fields[1]);
    const due = score === null || score === undefined ? undefined : Math.floor(Number(score) / 0x1000);
    out.set(userId, {
      ...(due ? { at: new Date(due).toISOString() } : {}),
      running: active !== null && active !== undefined,
      attemptsMade: Number(fields[0] ?? 0),
      attempts: typeof opts?.attempts === 'number' ? opts.attempts : attempts ?? DEFAULT_ATTEMPTS,
    });
  });
  return out;
}

function safeJson(text: string | null | undefined): Record<string, unknown> | undefined {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
