/**
 * Scheduled rotation of app tokens (`settings.app.appTokenRotationDays`, spekit.md): every
 * `intervalMs` it asks core/app-token-schedule.ts which connections are due and enqueues their
 * connector's `rotate` task. It also listens to the worker's task jobs and records how each ended
 * (core/connections/setup-state.ts), which is both the rotation clock and what the admin API shows.
 * Safe with several worker processes: a per-connection claim lets one of them enqueue, and the
 * task job id coalesces a rotation already waiting.
 */
import type { ConvergeQueue } from '../core/queue.ts';
import type { Job, Worker } from 'bullmq';
import { dueForRotation, rotationDays, type RotationCandidate } from '../core/app-token-schedule.ts';
import { TaskStateStore, type TaskOutcome } from '../core/connections/setup-state.ts';
import type { RunnerDeps } from './deps.ts';
import { TASK_JOB, taskJobSchema } from './jobs.ts';
import { everyInterval } from './periodic.ts';
import type { JobProgress } from './process.ts';

export interface AppTokenSchedulerOptions {
  /** How often due connections are looked for. Default 600 000 ms (10 minutes). */
  intervalMs?: number;
  /** After enqueueing a rotation, how long before the same connection may be enqueued again
   *  (the wait before a failed rotation is tried again). Default 3 600 000 ms (1 hour). */
  retryMs?: number;
  /** The clock the schedule reads, in ms since the epoch. Default Date.now (tests move it). */
  now?: () => number;
  /** Length of a "day" of appTokenRotationDays. Default 86 400 000 ms. */
  dayMs?: number;
}

export interface AppTokenSchedulerInput {
  deps: Pick<RunnerDeps, 'redis' | 'prefix' | 'connections' | 'connectors' | 'runs' | 'logger' | 'provisioning'>;
  queue: Pick<ConvergeQueue, 'enqueue'> & { enqueueTask(connectionId: string, task: string): Promise<void> };
  /** The BullMQ worker whose task jobs are recorded. */
  worker: Pick<Worker, 'on' | 'off'>;
}

export interface AppTokenScheduler {
  /** One look now; returns the connections it enqueued a rotation for. */
  tick(): Promise<string[]>;
  stop(): void;
}

/** The candidates: connections with a rotation setting whose connector can rotate. */
async function candidates(input: AppTokenSchedulerInput, store: TaskStateStore, now: number): Promise<RotationCandidate[]> {
  const out: RotationCandidate[] = [];
  for (const connection of await input.deps.connections.list()) {
    const days = rotationDays(connection.settings.app);
    if (days === undefined || !input.deps.connectors.get(connection.connector)?.operations.tasks?.rotate) continue;
    const state = await store.get(connection.id);
    // Never seen issued (set up before this scheduler ran, or not yet): count from now, don't rotate at once.
    const lastIssuedAt = state.issuedAt ?? state.seenAt ?? (await store.baseline(connection.id, now));
    out.push({ connectionId: connection.id, rotationDays: days, lastIssuedAt });
  }
  return out;
}

/** How a task job ended, from its run record (already redacted); undefined for other jobs. */
async function outcomeOf(input: AppTokenSchedulerInput, job: Job | undefined, failed: boolean, now: number): Promise<[string, TaskOutcome] | undefined> {
  if (!job || job.name !== TASK_JOB) return undefined;
  const data = taskJobSchema.safeParse(job.data);
  if (!data.success) return undefined;
  const runId = (typeof job.progress === 'object' ? (job.progress as JobProgress) : {}).runId;
  const run = runId ? await input.deps.runs.get(runId) : null;
  const status = !failed ? 'succeeded' : run?.status === 'retrying' ? 'retrying' : 'failed';
  return [data.data.connectionId, {
    task: data.data.task, status, at: new Date(now).toISOString(),
    ...(runId ? { runId } : {}),
    ...(failed && run?.error ? { error: run.error } : {}),
    ...(failed && run?.reason ? { reason: run.reason } : {}),
  }];
}

/**
 * Users whose runs failed because the connection was not set up yet (e.g. Spekit before SSO) can
 * converge now: a permanent failure is not retried by the queue, so ask for them again.
 */
async function retryBlockedUsers(input: AppTokenSchedulerInput, connectionId: string): Promise<void> {
  const index = await input.deps.provisioning.stateIndex(connectionId);
  const ids = await index.ids(connectionId, 'failed');
  const states = await input.deps.provisioning.getMany(connectionId, ids);
  const blocked = ids.filter((id) => {
    const state = states.get(id);
    return state?.state === 'failed' && state.lastErrorReason === 'setup_required';
  });
  if (blocked.length > 0) await input.queue.enqueue(blocked.map((userId) => ({ connectionId, userId })));
}

export function startAppTokenScheduler(input: AppTokenSchedulerInput, options: AppTokenSchedulerOptions = {}): AppTokenScheduler {
  const { deps, queue, worker } = input;
  const now = options.now ?? Date.now;
  const retryMs = options.retryMs ?? 3_600_000;
  const store = new TaskStateStore(deps.redis, deps.prefix);
  const logger = deps.logger.child({ component: 'app-token-scheduler' });

  const record = (job: Job | undefined, failed: boolean) => {
    void outcomeOf(input, job, failed, now())
      .then(async (found) => {
        if (!found) return;
        await store.record(found[0], found[1], now());
        if (found[1].status === 'succeeded') await retryBlockedUsers(input, found[0]);
      })
      .catch((error: unknown) => logger.warn({ error: (error as Error).message }, 'task outcome not recorded'));
  };
  const onCompleted = (job: Job) => record(job, false);
  const onFailed = (job: Job | undefined) => record(job, true);
  worker.on('completed', onCompleted);
  worker.on('failed', onFailed);

  const tick = async (): Promise<string[]> => {
    const at = now();
    const due = dueForRotation(await candidates(input, store, at), at, options.dayMs);
    const enqueued: string[] = [];
    for (const connectionId of due) {
      if (!(await store.claimRotation(connectionId, retryMs))) continue;
      await queue.enqueueTask(connectionId, 'rotate');
      logger.info({ connectionId }, 'app token due for its scheduled rotation; rotate task enqueued');
      enqueued.push(connectionId);
    }
    return enqueued;
  };
  const stopLooking = everyInterval(options.intervalMs ?? 600_000, tick, logger, 'app token schedule failed');

  return {
    tick,
    stop() {
      stopLooking();
      worker.off('completed', onCompleted);
      worker.off('failed', onFailed);
    },
  };
}
