/**
 * Scheduled canary checks: every `intervalMs` it looks for connections whose connector has a
 * `check` and whose last check (or, never checked, the time the scheduler first saw them) is
 * `settings.checkIntervalHours` old (default 24; 0 = off), and enqueues a check. A per-connection
 * claim keeps several worker processes from enqueueing the same check twice.
 */
import { newRunId } from '../core/runs/store.ts';
import { healthStore } from './attention.ts';
import type { RunnerDeps } from './deps.ts';
import { everyInterval } from './periodic.ts';
import type { BullConvergeQueue } from './queue.ts';

export const DEFAULT_CHECK_HOURS = 24;
const HOUR_MS = 3_600_000;

export interface CheckSchedulerOptions {
  /** How often due connections are looked for. Default 600 000 ms (10 minutes). */
  intervalMs?: number;
  /** Length of an "hour" of checkIntervalHours (tests shorten it). Default 3 600 000 ms. */
  hourMs?: number;
  now?: () => number;
}

export interface CheckScheduler {
  /** One look now; returns the connections it enqueued a check for. */
  tick(): Promise<string[]>;
  stop(): void;
}

export function checkIntervalHours(settings: { checkIntervalHours?: number | undefined }): number {
  return settings.checkIntervalHours ?? DEFAULT_CHECK_HOURS;
}

export function startCheckScheduler(
  deps: Pick<RunnerDeps, 'redis' | 'prefix' | 'connections' | 'connectors' | 'logger'>,
  queue: Pick<BullConvergeQueue, 'enqueueCheck'>, options: CheckSchedulerOptions = {},
): CheckScheduler {
  const now = options.now ?? Date.now;
  const hourMs = options.hourMs ?? HOUR_MS;
  const health = healthStore(deps);
  const logger = deps.logger.child({ component: 'check-scheduler' });

  const tick = async (): Promise<string[]> => {
    const enqueued: string[] = [];
    for (const connection of await deps.connections.list()) {
      const hours = checkIntervalHours(connection.settings);
      if (hours <= 0 || !deps.connectors.get(connection.connector)?.operations.check) continue;
      const at = now();
      const last = (await health.get(connection.id)).lastCheck;
      const from = last ? Date.parse(last.at) : await health.baseline(connection.id, at);
      if (at < from + hours * hourMs) continue;
      // Held for one interval: a check still waiting in the queue is not asked for again.
      if (!(await health.claimCheck(connection.id, hours * hourMs))) continue;
      await queue.enqueueCheck(connection.id, newRunId(at));
      logger.info({ connectionId: connection.id }, 'canary check due; enqueued');
      enqueued.push(connection.id);
    }
    return enqueued;
  };
  const stop = everyInterval(options.intervalMs ?? 600_000, tick, logger, 'check schedule failed');
  return { tick, stop };
}
