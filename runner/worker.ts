/**
 * Starts the converge worker: a BullMQ Worker over the `converge` queue, one Chromium per process,
 * page slots per connection across processes (connection-slots.ts), and the pending-change sweep. `npm start` runs it
 * embedded; `npm run worker` (bin/worker.ts) runs it alone for scale-out.
 */
import { randomBytes } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../core/config.ts';
import { ConnectionStore } from '../core/connections/store.ts';
import type { SecretBox } from '../core/crypto.ts';
import type { Logger } from '../core/logger.ts';
import { ProvisioningStore } from '../core/provisioning/state.ts';
import { RunLiveness } from '../core/runs/liveness.ts';
import { RunStore, type RunRecord } from '../core/runs/store.ts';
import { ResourceStore } from '../core/store/resource-store.ts';
import { bullPrefix } from '../core/store/keys.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { SessionPool, type SessionPoolOptions } from './browser/sessions.ts';
import { ConnectionSlots, type ConnectionSlotsOptions } from './connection-slots.ts';
import { toRegistryMap, type ConnectorRegistry, type RunnerDeps } from './deps.ts';
import { createFsEvidenceStore } from './evidence/store.ts';
import { BACKOFF_TYPE, CONVERGE_JOB, QUEUE_NAME, convergeJobSchema } from './jobs.ts';
import { createProcessor } from './process.ts';
import { createBullConvergeQueue, type BullConvergeQueue } from './queue.ts';
import { defaultWorkerId } from './run-scope.ts';
import { scheduleSweep, sweepOnce, type SweepOptions } from './sweep.ts';
import { MemberSnapshots } from './member-snapshot.ts';
import { startAppTokenScheduler } from './app-token-scheduler.ts';
import { BATCH_LIMIT } from './invite-batch.ts';
import { ATTENTION_THRESHOLD } from '../core/connections/health.ts';
import { ATTENTION_PAUSE_MS } from './attention.ts';
import { startCheckScheduler, type CheckSchedulerOptions } from './check-scheduler.ts';
import { startReaper } from './reaper.ts';
import { startDriftScheduler, type DriftSchedulerOptions } from './drift-scheduler.ts';

export interface WorkerTiming {
  /** BullMQ job lock; must outlast the slowest step between renewals. Default 60 000 ms. */
  lockDurationMs?: number;
  /** How often stalled jobs (their worker died) are looked for. Default 30 000 ms. */
  stalledIntervalMs?: number;
  /** Stalls before a job fails instead of being recovered. Default 2. */
  maxStalledCount?: number;
  /** Page slot lease lifetime without renewal (a killed worker's slot frees after it). Default 30 000 ms. */
  connectionLockTtlMs?: number;
  /** How often each worker grants slots freed by lapsed leases or ended pauses. Default 1 000 ms. */
  slotJanitorMs?: number;
  /** Pause of a connection after its second app failure in a row, doubled per further one. Default 1 000 ms. */
  appBackoffBaseMs?: number;
  /** Longest pause of a connection the app pushes back on. Default 60 000 ms. */
  appBackoffMaxMs?: number;
  /** @deprecated Ignored: a job waiting for a page slot no longer polls (connection-slots.ts). */
  busyDelayMs?: number;
  backoff?: BackoffOptions;
  /** Tries per job for jobs this process enqueues. Default 8. */
  attempts?: number;
  /** How long a connection-needs-attention user job waits before it looks again. Default 60 000 ms (± 25 %). */
  attentionPauseMs?: number;
  /** Worker heartbeat lifetime; a worker silent this long has its open runs closed as crashed. Default 30 000 ms. */
  heartbeatTtlMs?: number;
}

export interface StartWorkerOptions {
  /** The app's Redis client; the worker duplicates it for BullMQ and never closes it. */
  redis: Redis;
  config: Pick<Config, 'redisPrefix' | 'recordingsDir' | 'workerConcurrency'>;
  box: SecretBox;
  registry: ConnectorRegistry;
  logger: Logger;
  /** BullMQ key prefix. Default `{<redisPrefix>:bull}` (bullQueuePrefix). The gateway's queue must use the same. */
  queuePrefix?: string;
  timing?: WorkerTiming;
  sessions?: Pick<SessionPoolOptions, 'mode' | 'maxJobsPerContext' | 'launch' | 'browser' | 'onSession'>;
  /** The pending-change sweep; false turns it off. Default every 60 s, changes older than 60 s. */
  sweep?: false | { intervalMs?: number; staleMs?: number };
  workerId?: string;
  /** Most users one batch invite may hold (invite-batch.ts); 1 turns batching off. Default 20. */
  inviteBatchLimit?: number;
  /** Told of every run as it closes (e.g. core/metrics.ts runReporter); must not throw. */
  onRunEnd?: (run: RunRecord) => void;
  /** Screen mismatches in a row (same screen, any users) that mark the connection. Default 3. */
  attentionAfter?: number;
  /** Scheduled canary checks (settings.checkIntervalHours); false turns the scheduler off. */
  checks?: false | CheckSchedulerOptions;
  /** Scheduled drift scans (settings.driftScanHours); false turns the scheduler off. */
  drift?: false | DriftSchedulerOptions;
}

export interface RunningWorker {
  readonly worker: Worker;
  readonly queue: BullConvergeQueue;
  readonly sessions: SessionPool;
  readonly deps: RunnerDeps;
  /** One sweep now (also the drift scan: `{ drift: true }`); returns how many users it enqueued. */
  sweep(options?: SweepOptions): Promise<number>;
  /** Stops taking jobs, lets running ones finish, closes the browser and the BullMQ connections. */
  close(): Promise<void>;
}

export function bullQueuePrefix(redisPrefix: string): string {
  return bullPrefix(redisPrefix);
}

export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { redis, config, logger } = options;
  const timing = options.timing ?? {};
  const prefix = config.redisPrefix;
  const bull = redis.duplicate({ maxRetriesPerRequest: null });
  const queue = createBullConvergeQueue({
    connection: bull, prefix: options.queuePrefix ?? bullQueuePrefix(prefix), appPrefix: prefix, resources: new ResourceStore(redis, prefix),
    ...(timing.attempts ? { attempts: timing.attempts } : {}),
  });
  const deps = buildDeps(options, queue);
  // Before taking jobs: the heartbeat covers every run this process opens (reaper.ts).
  const reaper = await startReaper(deps, timing.heartbeatTtlMs);
  deps.slots.wakeThrough(queue.queue);
  const stopJanitor = deps.slots.startJanitor(timing.slotJanitorMs ?? 1_000, logger);
  const worker = new Worker(QUEUE_NAME, createProcessor(deps), {
    connection: bull,
    prefix: options.queuePrefix ?? bullQueuePrefix(prefix),
    concurrency: config.workerConcurrency,
    lockDuration: timing.lockDurationMs ?? 60_000,
    stalledInterval: timing.stalledIntervalMs ?? 30_000,
    maxStalledCount: timing.maxStalledCount ?? 2,
    settings: { backoffStrategy: (attemptsMade, type) => (type === BACKOFF_TYPE ? backoffDelay(attemptsMade, timing.backoff) : 0) },
  });
  const recheck = (job: Job | undefined) => void reenqueueIfChanged(deps, queue, job).catch((error: unknown) => logger.error({ error }, 'recheck failed'));
  worker.on('completed', (job) => recheck(job));
  worker.on('failed', (job, error) => {
    logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, error: error.message }, 'job failed');
    recheck(job);
  });
  worker.on('error', (error) => logger.error({ error: error.message }, 'worker error'));
  const snapshots = new MemberSnapshots(redis, prefix);
  const sweep = (o?: SweepOptions) => sweepOnce({ connections: deps.connections, provisioning: deps.provisioning, queue, snapshots }, { ...sweepDefaults(options), ...o });
  const stopSweep = options.sweep === false ? () => {} : scheduleSweep(
    redis, `${prefix}:lock:sweep`, options.sweep?.intervalMs ?? 60_000, () => sweep(),
    (error) => logger.error({ error }, 'sweep failed'),
  );
  // Connection-level schedules, e.g. Spekit's appTokenRotationDays; also records task outcomes.
  const appTokens = startAppTokenScheduler({ deps, queue, worker });
  const checks = options.checks === false ? undefined : startCheckScheduler(deps, queue, options.checks);
  const drift = options.drift === false ? undefined : startDriftScheduler(deps, queue, options.drift);
  await worker.waitUntilReady();
  logger.info({ concurrency: config.workerConcurrency, workerId: deps.workerId }, 'worker ready');
  let closing: Promise<void> | undefined;
  return {
    worker, queue, sessions: deps.sessions, deps, sweep,
    close: () => (closing ??= (async () => {
      stopSweep();
      stopJanitor();
      appTokens.stop();
      checks?.stop();
      drift?.stop();
      await worker.close();
      await deps.sessions.close();
      await reaper.stop();
      await queue.close();
      await bull.quit().catch(() => bull.disconnect());
      logger.info('worker closed');
    })()),
  };
}

function sweepDefaults(options: StartWorkerOptions): SweepOptions {
  return options.sweep && options.sweep.staleMs !== undefined ? { staleMs: options.sweep.staleMs } : {};
}

function buildDeps(options: StartWorkerOptions, queue: BullConvergeQueue): RunnerDeps {
  const { redis, config, box } = options;
  const prefix = config.redisPrefix;
  const workerId = options.workerId ?? defaultWorkerId();
  return {
    redis, prefix, box, queue,
    inviteBatchLimit: options.inviteBatchLimit ?? BATCH_LIMIT,
    attentionAfter: options.attentionAfter ?? ATTENTION_THRESHOLD,
    attentionPauseMs: options.timing?.attentionPauseMs ?? ATTENTION_PAUSE_MS,
    ...(options.onRunEnd ? { onRunEnd: options.onRunEnd } : {}),
    connectors: toRegistryMap(options.registry),
    connections: new ConnectionStore(redis, prefix, box),
    resources: new ResourceStore(redis, prefix),
    provisioning: new ProvisioningStore(redis, prefix),
    runs: new RunStore(redis, prefix),
    evidence: createFsEvidenceStore(config.recordingsDir),
    recordingsDir: config.recordingsDir,
    sessions: new SessionPool({ redis, prefix, box, ...options.sessions }),
    slots: new ConnectionSlots({ redis, prefix, ...slotTiming(options.timing) }),
    logger: options.logger,
    workerId,
    liveness: new RunLiveness(redis, prefix),
    instanceId: `${workerId}.${randomBytes(6).toString('hex')}`,
  };
}

function slotTiming(timing: WorkerTiming = {}): Omit<ConnectionSlotsOptions, 'redis' | 'prefix'> {
  return {
    ...(timing.connectionLockTtlMs ? { ttlMs: timing.connectionLockTtlMs } : {}),
    ...(timing.appBackoffBaseMs ? { backoffBaseMs: timing.appBackoffBaseMs } : {}),
    ...(timing.appBackoffMaxMs ? { backoffMaxMs: timing.appBackoffMaxMs } : {}),
  };
}

/**
 * Closes the gap coalescing leaves: a change that arrived after a job's last generation check
 * but before BullMQ removed the job was dropped as a duplicate. Its bump left the state pending,
 * so it is enqueued again here, after the job is gone.
 */
async function reenqueueIfChanged(deps: RunnerDeps, queue: BullConvergeQueue, job: Job | undefined): Promise<void> {
  if (!job || job.name !== CONVERGE_JOB) return;
  const data = convergeJobSchema.safeParse(job.data);
  if (!data.success) return;
  const state = await deps.provisioning.get(data.data.connectionId, data.data.userId);
  if (state?.state === 'pending' && state.generation > state.appliedGeneration) await queue.enqueue([data.data]);
}
