/**
 * Scheduled canary checks: every `intervalMs` it looks for connections whose connector has a
 * `check` and whose last check (or, never checked, the time the scheduler first saw them) is
 * `settings.checkIntervalHours` old (default 24; 0 = off), and enqueues a check. A per-connection
 * claim keeps several worker processes from enqueueing the same check twice.
 */
import { healthStore } from './attention.ts';
import type { RunnerDeps } from './deps.ts';
import { startConnectionSchedule, type ScheduleLoop, type ScheduleOptions } from './periodic.ts';
import type { BullConvergeQueue } from './queue.ts';

export const DEFAULT_CHECK_HOURS = 24;

export type CheckSchedulerOptions = ScheduleOptions;
export type CheckScheduler = ScheduleLoop;

export function checkIntervalHours(settings: { checkIntervalHours?: number | undefined }): number {
  return settings.checkIntervalHours ?? DEFAULT_CHECK_HOURS;
}

export function startCheckScheduler(
  deps: Pick<RunnerDeps, 'redis' | 'prefix' | 'connections' | 'connectors' | 'logger'>,
  queue: Pick<BullConvergeQueue, 'enqueueCheck'>, options: CheckSchedulerOptions = {},
): CheckScheduler {
  const health = healthStore(deps);
  return startConnectionSchedule(deps.connections, {
    what: 'canary check',
    hours: (c) => (deps.connectors.get(c.connector)?.operations.check ? checkIntervalHours(c.settings) : 0),
    lastAt: async (id) => {
      const last = (await health.get(id)).lastCheck;
      return last ? Date.parse(last.at) : undefined;
    },
    baseline: (id, at) => health.baseline(id, at),
    claim: (id, ms) => health.claimCheck(id, ms),
    enqueue: (id, runId) => queue.enqueueCheck(id, runId),
  }, deps.logger.child({ component: 'check-scheduler' }), options);
}
