/**
 * Page slots per connection, across all worker processes (issue 16 item 2, issue 17 finding 3): a
 * distributed semaphore in Redis with `settings.parallelPages` slots. A slot is a lease renewed
 * while its job runs, so a killed worker's slot frees itself when the lease lapses; release is
 * owner-checked (a random token per lease).
 *
 * Besides a slot, a job claims names no other job of the connection may hold meanwhile: its user
 * (`u:<id>`) and the addresses it works on (`e:<email>`), so one user's changes never run at once
 * and two SCIM ids of one address stay apart (shared-email.ts); tasks and checks claim the whole
 * connection (`*`). Batch invites claim their peers too before inviting them.
 *
 * Waiting costs nothing: a job that finds no slot takes a place in the connection's line (removals
 * first) and parks itself in BullMQ's delayed set far in the future. Whoever frees a slot grants it
 * to the first in line whose names are free and promotes that job; a janitor in every worker does
 * the same for slots freed by lapsed leases or the end of a back-off pause. The far delay is only a
 * safety net, so a waiting job logs one line, not one per second.
 *
 * Back-off (item 2, "the app's limits"): a job the app answered with a rate limit or a transient
 * failure halves the connection's open slots (at least one) and, from the second in a row or on a
 * 429, pauses all of them; successes give slots back one by one.
 */
import { randomUUID } from 'node:crypto';
import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.ts';
import { connectionSlotKeys, slotWaitersKey } from '../core/store/keys.ts';
import { everyInterval } from './periodic.ts';
import { SLOTS_SCRIPT } from './slots-script.ts';

export interface ConnectionSlotsOptions {
  redis: Redis;
  prefix: string;
  /** Lease lifetime without renewal; renewed every third of it. Default 30 000 ms. */
  ttlMs?: number;
  /** How long a slot is kept for a woken job before it goes to the next. Default: ttlMs. */
  grantTtlMs?: number;
  /** Pause after the second failure in a row, doubled per further one. Default 1 000 ms. */
  backoffBaseMs?: number;
  /** Longest pause. Default 60 000 ms. */
  backoffMaxMs?: number;
}

export interface SlotRequest {
  jobId: string;
  /** The connection's parallelPages. */
  slots: number;
  /** Names to hold with the slot (see the file comment). */
  names: string[];
  /** A removal waits ahead of everything else (job-priority.ts). */
  removal: boolean;
}

export interface HeldSlot {
  /** Aborts when the lease is lost (renewal found it gone, or failed past its lifetime). */
  readonly lost: AbortSignal;
  /** Claims more names for this lease, all or none; false when another job holds one. */
  claim(names: string[]): Promise<boolean>;
  release(): Promise<void>;
}

/** Wakes jobs granted a slot: promotes them out of the delayed set. */
export type Waker = (connectionId: string, jobIds: string[]) => Promise<void>;

/** Names a converge job holds: its user and the addresses it may touch. */
export function userNames(userId: string, emails: Array<string | undefined>): string[] {
  return [`u:${userId}`, ...new Set(emails.filter((e): e is string => Boolean(e)).map((e) => `e:${e.toLowerCase()}`))];
}

/** A task or check holds the whole connection. */
export const WHOLE_CONNECTION = ['*'];

const PLACE_BAND = 1e13; // above any ms timestamp: removals (band 0) before all others (band 1)

export class ConnectionSlots {
  private readonly ttlMs: number;
  private readonly grantTtlMs: number;
  private waker: Waker = async () => {};

  constructor(private readonly options: ConnectionSlotsOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.grantTtlMs = options.grantTtlMs ?? this.ttlMs;
  }

  /** Wakes granted jobs through this queue: promoted when parked, forgotten when gone. */
  wakeThrough(queue: Queue): void {
    this.waker = async (connectionId, jobIds) => {
      for (const jobId of jobIds) {
        const job = await Job.fromId(queue, jobId);
        if (!job) await this.wake(connectionId, await this.run(connectionId, 'forget', 0, jobId));
        else if (await job.isDelayed()) await job.promote().catch(() => {}); // came back meanwhile
      }
    };
  }

  private async run(connectionId: string, mode: string, slots: number, ...args: Array<string | number>): Promise<string[]> {
    const k = connectionSlotKeys(this.options.prefix, connectionId);
    const out = await this.options.redis.eval(
      SLOTS_SCRIPT, 6, k.holders, k.claims, k.tokenClaims, k.waiting, k.waiterClaims, k.throttle,
      mode, Date.now(), slots, this.grantTtlMs, ...args,
    );
    return (Array.isArray(out) ? out : [out]).map(String);
  }

  private async wake(connectionId: string, answer: string[]): Promise<void> {
    const woken = answer.slice(2);
    if (woken.length > 0) await this.waker(connectionId, woken);
  }

  /** A held slot, or null: then the job is in line and must park itself (see parked()). */
  async acquire(connectionId: string, request: SlotRequest): Promise<HeldSlot | null> {
    const token = randomUUID();
    const place = (request.removal ? 0 : PLACE_BAND) + Date.now();
    const answer = await this.run(connectionId, 'acquire', request.slots, request.jobId, token, this.ttlMs, place, request.names.join('\n'));
    await this.wake(connectionId, answer);
    if (answer[0] !== '1') {
      await this.options.redis.sadd(slotWaitersKey(this.options.prefix), connectionId);
      return null;
    }
    return this.held(connectionId, token);
  }

  /** True when a removal is in this connection's line for a slot (removals take places below PLACE_BAND). */
  async removalWaiting(connectionId: string): Promise<boolean> {
    const k = connectionSlotKeys(this.options.prefix, connectionId);
    return (await this.options.redis.zcount(k.waiting, '-inf', `(${PLACE_BAND}`)) > 0;
  }

  /**
   * After the job parked itself: true when a slot was granted to it in between (the releaser's
   * promote found it still active), so it must promote itself.
   */
  async grantedMeanwhile(connectionId: string, jobId: string): Promise<boolean> {
    const k = connectionSlotKeys(this.options.prefix, connectionId);
    return (await this.options.redis.zscore(k.holders, `g:${jobId}`)) !== null;
  }

  private held(connectionId: string, token: string): HeldSlot {
    const controller = new AbortController();
    let lastRenewed = Date.now();
    const timer = setInterval(() => {
      this.run(connectionId, 'renew', 0, token, this.ttlMs).then(([renewed]) => {
        if (renewed === '1') lastRenewed = Date.now();
        else controller.abort(new Error(`lost the page slot of connection ${connectionId}`));
      }, () => {
        if (Date.now() - lastRenewed > this.ttlMs) controller.abort(new Error(`could not renew the page slot of connection ${connectionId}`));
      });
    }, Math.max(100, Math.floor(this.ttlMs / 3)));
    timer.unref();
    return {
      lost: controller.signal,
      claim: async (names) => names.length === 0 || (await this.run(connectionId, 'claim', 0, token, names.join('\n')))[0] === '1',
      release: async () => {
        clearInterval(timer);
        await this.wake(connectionId, await this.run(connectionId, 'release', 0, token));
      },
    };
  }

  /** The app pushed back (429, failures): fewer open slots, and a pause from the second strike. */
  async slowDown(connectionId: string, retryAfterMs = 0): Promise<{ slots: number; until: number }> {
    const [slots, until] = await this.run(connectionId, 'slow', 0, retryAfterMs, this.options.backoffBaseMs ?? 1_000, this.options.backoffMaxMs ?? 60_000);
    return { slots: Number(slots), until: Number(until) };
  }

  /** A job went through: one more slot back, and the strikes start again from none. */
  async wentWell(connectionId: string): Promise<void> {
    await this.wake(connectionId, await this.run(connectionId, 'ok', 0));
  }

  /** One janitor look: grants slots freed by lapsed leases or an ended pause. Returns jobs woken. */
  async tick(): Promise<number> {
    const key = slotWaitersKey(this.options.prefix);
    let woken = 0;
    for (const connectionId of await this.options.redis.smembers(key)) {
      const answer = await this.run(connectionId, 'tick', 0);
      woken += answer.length - 2;
      await this.wake(connectionId, answer);
      if (answer[1] !== '0') continue;
      await this.options.redis.srem(key, connectionId);
      // A job that took its place meanwhile keeps the connection on the janitor's list.
      if ((await this.options.redis.zcard(connectionSlotKeys(this.options.prefix, connectionId).waiting)) > 0) {
        await this.options.redis.sadd(key, connectionId);
      }
    }
    return woken;
  }

  /** Runs tick() every `intervalMs` until the returned stop is called. */
  startJanitor(intervalMs: number, logger: Logger): () => void {
    return everyInterval(intervalMs, () => this.tick(), logger, 'slot janitor failed');
  }
}
