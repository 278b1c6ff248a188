/**
 * BullMQ's queue moved from `<prefix>:bull` (layout 1) to the hash-tagged `{<prefix>:bull}`
 * (core/store/keys.ts bullPrefix). Jobs still waiting under the old prefix are added again under
 * the new one (same job id, name, data and options, without their delay), then the old queue is
 * obliterated. Converge jobs carry only "converge user U of connection C", so running one early
 * or twice loses nothing; finished jobs' BullMQ history is dropped (runs keep their records).
 * Cheap when there is nothing to move (two EXISTS), so every gateway and worker calls it at start.
 */
import { Queue, type JobType } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullPrefix } from '../core/store/keys.ts';
import { QUEUE_NAME } from './jobs.ts';

const PENDING: JobType[] = ['active', 'wait', 'prioritized', 'delayed', 'waiting-children'];
const PAGE = 500;

/** Moves layout-1 jobs to the new prefix; returns how many were moved. */
export async function moveOldQueue(redis: Redis, prefix: string): Promise<number> {
  const oldPrefix = `${prefix}:bull`;
  // One key per EXISTS: on a Cluster the two old keys hash to different slots.
  if ((await redis.exists(`${oldPrefix}:${QUEUE_NAME}:meta`)) + (await redis.exists(`${oldPrefix}:${QUEUE_NAME}:id`)) === 0) return 0;
  const connection = redis.duplicate({ maxRetriesPerRequest: null });
  const from = new Queue(QUEUE_NAME, { connection, prefix: oldPrefix });
  const to = new Queue(QUEUE_NAME, { connection, prefix: bullPrefix(prefix) });
  let moved = 0;
  try {
    for (const type of PENDING) {
      for (let start = 0; ; start += PAGE) {
        const jobs = (await from.getJobs([type], start, start + PAGE - 1, true)).filter((job) => job?.id);
        await to.addBulk(jobs.map((job) => {
          const { delay: _delay, ...opts } = job.opts;
          return { name: job.name, data: job.data, opts: { ...opts, jobId: job.id! } };
        }));
        moved += jobs.length;
        if (jobs.length < PAGE) break;
      }
    }
    // force: a job still active under an old worker is dropped too; it was added again above.
    await from.obliterate({ force: true });
  } finally {
    await from.close();
    await to.close();
    connection.disconnect();
  }
  return moved;
}
