/**
 * The ordered, time-bounded shutdown shared by `npm start` (bin/start.ts, through compose.ts) and
 * the standalone worker (bin/worker.ts): stop taking jobs, let the running one finish or close its
 * browser under it, then the rest; the whole of it bounded by SHUTDOWN_LIMIT_MS.
 */
import type { Logger } from '../core/logger.ts';
import type { RunningWorker } from '../runner/worker.ts';

/** How long a running job may finish on shutdown before its browser is closed under it. */
export const JOB_GRACE_MS = 10_000;
/** The whole shutdown, whatever hangs (bin/start.ts exits after it). */
export const SHUTDOWN_LIMIT_MS = 30_000;

/**
 * Shutdown in order while Redis is still up: stop taking jobs; let the running one finish for
 * `graceMs`; then close the browser under it, so its step fails, its run is closed as failed and
 * BullMQ retries the job later (every job is idempotent); then the rest of the worker.
 */
export async function closeWorker(worker: RunningWorker, graceMs: number, logger: Logger): Promise<void> {
  const drained = worker.worker.close();
  if (!(await settlesWithin(drained, graceMs))) {
    logger.warn({ graceMs }, 'shutdown: a job is still running; closing the browser, the job will be retried');
    await worker.sessions.close().catch((error: unknown) => logger.warn({ error }, 'closing the browser failed'));
    await settlesWithin(drained, 5_000);
  }
  if (!(await settlesWithin(worker.close(), 5_000))) logger.warn('shutdown: the worker did not close in time');
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  return Promise.race([promise.then(() => true, () => true), late]).finally(() => clearTimeout(timer));
}

/** Shutdown is bounded: a stuck step cannot keep the process alive; a second signal ends it at once. */
export function onSignals(started: { stop(): Promise<void> }): void {
  let received = false;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    received = true;
    setTimeout(() => {
      process.stderr.write(`shutdown took longer than ${SHUTDOWN_LIMIT_MS / 1000} s: exiting\n`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    void started.stop().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
