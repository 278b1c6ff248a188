/**
 * A look taken every `intervalMs` by the runner's schedulers (canary checks, drift scans, app-token
 * rotation), and the per-connection "due every N hours" schedule the first two share.
 * One look at a time: a slow Redis must not pile looks up; a failed look is logged and the next
 * one is taken on time. The timer never keeps the process alive.
 */
import type { StoredConnection } from '../core/connections/schema.ts';
import type { Logger } from '../core/logger.ts';
import { newRunId } from '../core/runs/store.ts';

export function everyInterval(intervalMs: number, look: () => Promise<unknown>, logger: Logger, failure: string): () => void {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= look()
      .catch((error: unknown) => logger.error({ error: (error as Error).message }, failure))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** A per-connection job that falls due a number of "hours" after its last run (canary checks, drift scans). */
export interface ConnectionSchedule {
  /** Hours between runs for this connection; 0 or less: not scheduled. */
  hours(connection: StoredConnection): number;
  /** Its last run, in ms since the epoch; undefined when it never ran. */
  lastAt(connectionId: string): Promise<number | undefined>;
  /** When the scheduler first saw the connection (stored on first call, `at` then). */
  baseline(connectionId: string, at: number): Promise<number>;
  /** Held for `ms`: a job still waiting in the queue is not asked for again, by any process. */
  claim(connectionId: string, ms: number): Promise<boolean>;
  enqueue(connectionId: string, runId: string): Promise<unknown>;
  /** Log words, e.g. 'canary check'. */
  what: string;
}

export interface ScheduleOptions {
  /** How often due connections are looked for. Default 600 000 ms (10 minutes). */
  intervalMs?: number;
  /** Length of an "hour" of the schedule's setting (tests shorten it). Default 3 600 000 ms. */
  hourMs?: number;
  now?: () => number;
}

export interface ScheduleLoop {
  /** One look now; returns the connections it enqueued a job for. */
  tick(): Promise<string[]>;
  stop(): void;
}

export function startConnectionSchedule(
  connections: { list(): Promise<StoredConnection[]> }, schedule: ConnectionSchedule, logger: Logger, options: ScheduleOptions = {},
): ScheduleLoop {
  const now = options.now ?? Date.now;
  const hourMs = options.hourMs ?? 3_600_000;
  const tick = async (): Promise<string[]> => {
    const enqueued: string[] = [];
    for (const connection of await connections.list()) {
      const every = schedule.hours(connection) * hourMs;
      if (every <= 0) continue;
      const at = now();
      const from = (await schedule.lastAt(connection.id)) ?? (await schedule.baseline(connection.id, at));
      if (at < from + every || !(await schedule.claim(connection.id, every))) continue;
      await schedule.enqueue(connection.id, newRunId(at));
      logger.info({ connectionId: connection.id }, `${schedule.what} due; enqueued`);
      enqueued.push(connection.id);
    }
    return enqueued;
  };
  const stop = everyInterval(options.intervalMs ?? 600_000, tick, logger, `${schedule.what} schedule failed`);
  return { tick, stop };
}
