/**
 * The gateway's ConvergeQueue on BullMQ. Requests carry no payload beyond the user: the worker
 * reads the desired state when it runs (converge, don't replay), so coalescing loses nothing.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConvergeQueue, ConvergeRequest } from '../core/queue.ts';
import {
  CHECK_JOB, CONVERGE_JOB, QUEUE_NAME, TASK_JOB, checkJobId, checkJobSchema, convergeJobId, convergeJobSchema, jobOptions,
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
    close: () => queue.close(),
  };
}
