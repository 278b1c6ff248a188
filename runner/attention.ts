/**
 * Needs attention (issue 10, point 3): user runs that fail on a screen that is not as expected
 * are counted per connection and screen; after a few in a row the connection is marked, and its
 * user jobs wait (delayed, no try used) instead of clicking through the same broken screen for
 * every user. A successful run or a passing check lifts the mark and lets the waiting jobs go.
 */
import type { Job } from 'bullmq';
import { HealthStore } from '../core/connections/health.ts';
import { ScreenMismatchError } from '../core/errors.ts';
import type { RunnerDeps } from './deps.ts';
import { CONVERGE_JOB, convergeJobSchema } from './jobs.ts';

/** Default wait of a marked connection's user jobs before they look again. */
export const ATTENTION_PAUSE_MS = 60_000;

export function healthStore(deps: Pick<RunnerDeps, 'redis' | 'prefix'>): HealthStore {
  return new HealthStore(deps.redis, deps.prefix);
}

/** After a user run: a screen mismatch counts toward the mark, a success lifts it. Never throws. */
export async function noteUserRun(deps: RunnerDeps, connectionId: string, runId: string, userId: string, error: unknown): Promise<void> {
  const health = healthStore(deps);
  try {
    if (error === undefined) {
      await health.clear(connectionId);
    } else if (error instanceof ScreenMismatchError) {
      const n = await health.recordMismatch(connectionId, { screen: error.screen, missing: error.missing, runId, userId }, deps.attentionAfter);
      if (n === deps.attentionAfter) {
        deps.logger.warn({ connectionId, runId, screen: error.screen, missing: error.missing }, 'connection needs attention: the same screen failed several runs in a row; user jobs wait until it is checked');
      }
    }
  } catch (failure) {
    deps.logger.warn({ connectionId, error: (failure as Error).message }, 'attention state not recorded');
  }
}

/** True when the connection is marked: the caller delays the job instead of running it. */
export async function waitsForAttention(deps: RunnerDeps, connectionId: string): Promise<boolean> {
  return (await healthStore(deps).attention(connectionId)) !== undefined;
}

/** Lets the user jobs a mark held back run now rather than at the end of their wait. */
export async function releaseWaitingJobs(deps: RunnerDeps, connectionId: string): Promise<number> {
  let released = 0;
  for (let start = 0; ; start += 500) {
    const jobs: Job[] = await deps.queue.queue.getDelayed(start, start + 499);
    for (const job of jobs) {
      const data = job.name === CONVERGE_JOB ? convergeJobSchema.safeParse(job.data) : undefined;
      if (!data?.success || data.data.connectionId !== connectionId) continue;
      // A job that started meanwhile is not delayed any more: promote refuses it, which is fine.
      if (await job.promote().then(() => true, () => false)) released++;
    }
    if (jobs.length < 500) return released;
  }
}
