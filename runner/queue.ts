/**
 * The gateway's ConvergeQueue on BullMQ. Requests carry no payload beyond the user: the worker
 * reads the desired state when it runs (converge, don't replay), so coalescing loses nothing.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConvergeQueue, ConvergeRequest } from '../core/queue.ts';
import { appEmail } from '../core/provisioning/desired.ts';
import type { ResourceStore } from '../core/store/resource-store.ts';
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
  /**
   * Where the users' emails are read so converge jobs carry one for Bull Board's job names (one
   * pipelined read per batch). Without it jobs show only the user id. Never used by the worker.
   */
  resources?: Pick<ResourceStore, 'getMany'>;
}

/** Each request's user email, when its user is still there; by job id. */
async function emailsOf(resources: BullConvergeQueueOptions['resources'], unique: Map<string, ConvergeRequest>): Promise<Map<string, string>> {
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
      // A name to show is no reason to lose a request: without the emails the jobs still go in.
      const emails = await emailsOf(options.resources, unique).catch(() => new Map<string, string>());
      await queue.addBulk([...unique].map(([jobId, request]) => ({
        name: CONVERGE_JOB,
        data: convergeJobSchema.parse({ connectionId: request.connectionId, userId: request.userId, ...(emails.has(jobId) ? { email: emails.get(jobId) } : {}) }),
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
