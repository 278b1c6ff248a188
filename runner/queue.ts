/**
 * The gateway's ConvergeQueue on BullMQ. Requests carry no payload beyond the user: the worker
 * reads the desired state when it runs (converge, don't replay), so coalescing loses nothing.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConvergeQueue, ConvergeRequest, NextTry } from '../core/queue.ts';
import {
  CHECK_JOB, CONVERGE_JOB, DEFAULT_ATTEMPTS, QUEUE_NAME, TASK_JOB, checkJobId, checkJobSchema, convergeJobId, convergeJobSchema, jobOptions,
  taskJobId, taskJobSchema,
} from './jobs.ts';

export interface BullConvergeQueueOptions {
  /** An ioredis client; the queue never closes it (quit it yourself). */
  connection: Redis;
  /** BullMQ key prefix, e.g. `sw:bull`. Every worker of the deployment must use the same one. */
  prefix: string;
  /** Tries per job. Default 8. */
  attempts?: number;
}

export interface BullConvergeQueue extends ConvergeQueue {
  enqueueTask(connectionId: string, task: string): Promise<void>;
  enqueueCheck(connectionId: string, runId: string): Promise<void>;
  nextTries(connectionId: string, userIds: string[]): Promise<Map<string, NextTry>>;
  readonly queue: Queue;
  close(): Promise<void>;
}

export function createBullConvergeQueue(options: BullConvergeQueueOptions): BullConvergeQueue {
  const queue = new Queue(QUEUE_NAME, { connection: options.connection, prefix: options.prefix });
  return {
    queue,
    async enqueue(requests: ConvergeRequest[]) {
      if (requests.length === 0) return;
      // One job per user even when the same batch names a user twice.
      const unique = new Map(requests.map((r) => [convergeJobId(r.connectionId, r.userId), r]));
      await queue.addBulk([...unique].map(([jobId, request]) => ({
        name: CONVERGE_JOB,
        data: convergeJobSchema.parse({ connectionId: request.connectionId, userId: request.userId }),
        opts: jobOptions(jobId, options.attempts),
      })));
    },
    async enqueueTask(connectionId: string, task: string) {
      const data = taskJobSchema.parse({ connectionId, task });
      await queue.add(TASK_JOB, data, jobOptions(taskJobId(connectionId, task), options.attempts));
    },
    async enqueueCheck(connectionId: string, runId: string) {
      const data = checkJobSchema.parse({ connectionId, runId });
      // One try: a check observes; a failure is its answer, not something to retry.
      await queue.add(CHECK_JOB, data, jobOptions(checkJobId(connectionId, runId), 1));
    },
    nextTries: (connectionId, userIds) => nextTries(queue, options.connection, connectionId, userIds, options.attempts),
    close: () => queue.close(),
  };
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
