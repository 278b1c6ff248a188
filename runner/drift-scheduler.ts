/**
 * Scheduled drift scans: every `intervalMs` it looks for connections whose connector can list its
 * members and whose last scan (or, never scanned, the time the scheduler first saw them) is
 * `settings.driftScanHours` old (default 24; 0 = off), and enqueues a scan. A per-connection claim
 * held for one interval keeps several worker processes from enqueueing the same scan twice.
 */
import { DEFAULT_DRIFT_SCAN_HOURS } from '../core/drift/schema.ts';
import { newRunId } from '../core/runs/store.ts';
import type { RunnerDeps } from './deps.ts';
import { driftStore } from './drift-scan.ts';
import { everyInterval } from './periodic.ts';
import type { BullConvergeQueue } from './queue.ts';

export interface DriftSchedulerOptions {
  /** How often due connections are looked for. Default 600 000 ms (10 minutes). */
  intervalMs?: number;
  /** Length of an "hour" of driftScanHours (tests shorten it). Default 3 600 000 ms. */
  hourMs?: number;
  now?: () => number;
}

export function driftScanHours(settings: { driftScanHours?: number | undefined }): number {
  return settings.driftScanHours ?? DEFAULT_DRIFT_SCAN_HOURS;
}

export function startDriftScheduler(
  deps: Pick<RunnerDeps, 'redis' | 'prefix' | 'connections' | 'connectors' | 'logger'>,
  queue: Pick<BullConvergeQueue, 'enqueueDriftScan'>, options: DriftSchedulerOptions = {},
): { tick(): Promise<string[]>; stop(): void } {
  const now = options.now ?? Date.now;
  const hourMs = options.hourMs ?? 3_600_000;
  const store = driftStore(deps);
  const logger = deps.logger.child({ component: 'drift-scheduler' });
  const tick = async (): Promise<string[]> => {
    const enqueued: string[] = [];
    for (const connection of await deps.connections.list()) {
      const every = driftScanHours(connection.settings) * hourMs;
      if (every <= 0 || !deps.connectors.get(connection.connector)?.capabilities.listUsers) continue;
      const at = now();
      const last = await store.lastScan(connection.id);
      const due = (last ? Date.parse(last.at) : await store.baseline(connection.id, at)) + every;
      if (at < due || !(await store.claim(connection.id, every))) continue;
      await queue.enqueueDriftScan(connection.id, newRunId(at));
      logger.info({ connectionId: connection.id }, 'drift scan due; enqueued');
      enqueued.push(connection.id);
    }
    return enqueued;
  };
  const stop = everyInterval(options.intervalMs ?? 600_000, tick, logger, 'drift schedule failed');
  return { tick, stop };
}
