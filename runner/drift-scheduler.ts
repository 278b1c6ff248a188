/**
 * Scheduled drift scans: every `intervalMs` it looks for connections whose connector can list its
 * members and whose last scan (or, never scanned, the time the scheduler first saw them) is
 * `settings.driftScanHours` old (default 24; 0 = off), and enqueues a scan. A per-connection claim
 * held for one interval keeps several worker processes from enqueueing the same scan twice.
 */
import { DEFAULT_DRIFT_SCAN_HOURS } from '../core/drift/schema.ts';
import type { RunnerDeps } from './deps.ts';
import { driftStore } from './drift-scan.ts';
import { startConnectionSchedule, type ScheduleLoop, type ScheduleOptions } from './periodic.ts';
import type { BullConvergeQueue } from './queue.ts';

export type DriftSchedulerOptions = ScheduleOptions;

export function driftScanHours(settings: { driftScanHours?: number | undefined }): number {
  return settings.driftScanHours ?? DEFAULT_DRIFT_SCAN_HOURS;
}

export function startDriftScheduler(
  deps: Pick<RunnerDeps, 'redis' | 'prefix' | 'connections' | 'connectors' | 'logger'>,
  queue: Pick<BullConvergeQueue, 'enqueueDriftScan'>, options: DriftSchedulerOptions = {},
): ScheduleLoop {
  const store = driftStore(deps);
  return startConnectionSchedule(deps.connections, {
    what: 'drift scan',
    hours: (c) => (deps.connectors.get(c.connector)?.capabilities.listUsers ? driftScanHours(c.settings) : 0),
    lastAt: async (id) => {
      const last = await store.lastScan(id);
      return last ? Date.parse(last.at) : undefined;
    },
    baseline: (id, at) => store.baseline(id, at),
    claim: (id, ms) => store.claim(id, ms),
    enqueue: (id, runId) => queue.enqueueDriftScan(id, runId),
  }, deps.logger.child({ component: 'drift-scheduler' }), options);
}
