/**
 * A connection's health (issue 10, points 3 and 4): whether it needs a person's attention because
 * its screens stopped matching, and the last canary check. One small hash under the connection's
 * key space (deleting the connection deletes it). Written by the runner, read by the admin API,
 * the console and /metrics; holds run ids, times and already-redacted words, never a secret.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { connectionKeys } from '../store/keys.ts';

/**
 * Screen mismatches in a row (any users, same screen) before a connection is marked. Three: one
 * could be a page caught mid-deploy, two could be one user's odd data; three different runs that
 * miss the same thing on the same screen is the screen itself.
 */
export const ATTENTION_THRESHOLD = 3;

export const attentionSchema = z.object({
  since: z.string(),
  screen: z.string(),
  missing: z.string(),
  /** The run whose evidence shows the broken screen. */
  runId: z.string(),
  userId: z.string().optional(),
  /** How it was found: mismatches in a row, or a failed canary check. */
  cause: z.enum(['mismatches', 'check']),
});
export type Attention = z.infer<typeof attentionSchema>;

export const lastCheckSchema = z.object({
  runId: z.string(),
  at: z.string(),
  ok: z.boolean(),
  observations: z.array(z.string()).optional(),
  error: z.string().optional(),
});
export type LastCheck = z.infer<typeof lastCheckSchema>;

export interface Mismatch {
  screen: string;
  missing: string;
  runId: string;
  userId?: string;
}

// KEYS: health hash. ARGV: screen, mismatch JSON, threshold, attention JSON.
// The streak counts one screen; a mismatch on another screen starts a new streak.
const MISMATCH_SCRIPT = `
if redis.call('HGET', KEYS[1], 'streakScreen') ~= ARGV[1] then
  redis.call('HSET', KEYS[1], 'streakScreen', ARGV[1], 'streak', 0)
end
local n = redis.call('HINCRBY', KEYS[1], 'streak', 1)
if n >= tonumber(ARGV[3]) and redis.call('HEXISTS', KEYS[1], 'attention') == 0 then
  redis.call('HSET', KEYS[1], 'attention', ARGV[4])
end
return n`;

export function healthKey(prefix: string, connectionId: string): string {
  return `${connectionKeys(prefix, connectionId).base}:health`;
}

export class HealthStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(connectionId: string) {
    return healthKey(this.prefix, connectionId);
  }

  async get(connectionId: string): Promise<{ attention?: Attention; lastCheck?: LastCheck; streak: number }> {
    const raw = await this.redis.hgetall(this.key(connectionId));
    const attention = raw.attention ? attentionSchema.safeParse(JSON.parse(raw.attention)) : undefined;
    const lastCheck = raw.lastCheck ? lastCheckSchema.safeParse(JSON.parse(raw.lastCheck)) : undefined;
    return {
      ...(attention?.success ? { attention: attention.data } : {}),
      ...(lastCheck?.success ? { lastCheck: lastCheck.data } : {}),
      streak: Number(raw.streak ?? 0),
    };
  }

  async attention(connectionId: string): Promise<Attention | undefined> {
    const raw = await this.redis.hget(this.key(connectionId), 'attention');
    const parsed = raw ? attentionSchema.safeParse(JSON.parse(raw)) : undefined;
    return parsed?.success ? parsed.data : undefined;
  }

  /** Counts a screen mismatch; returns the streak. Marks the connection at `threshold` in a row. */
  async recordMismatch(connectionId: string, mismatch: Mismatch, threshold = ATTENTION_THRESHOLD, now = new Date()): Promise<number> {
    const attention: Attention = { since: now.toISOString(), ...mismatch, cause: 'mismatches' };
    const n = await this.redis.eval(MISMATCH_SCRIPT, 1, this.key(connectionId), mismatch.screen, JSON.stringify(mismatch), String(Math.max(1, threshold)), JSON.stringify(attentionSchema.parse(attention)));
    return Number(n);
  }

  /** Marks the connection at once (a failed check), replacing an older mark. */
  async mark(connectionId: string, attention: Attention): Promise<void> {
    await this.redis.hset(this.key(connectionId), 'attention', JSON.stringify(attentionSchema.parse(attention)));
  }

  /** A run that got through, a passing check or a person resuming: the streak ends, the mark is lifted. */
  async clear(connectionId: string): Promise<boolean> {
    const removed = await this.redis.hdel(this.key(connectionId), 'attention');
    await this.redis.hdel(this.key(connectionId), 'streak', 'streakScreen');
    return removed > 0;
  }

  /** Records a check's result; the schedule's claim ends with it (the next one counts from `at`). */
  async recordCheck(connectionId: string, check: LastCheck): Promise<void> {
    await this.redis.multi()
      .hset(this.key(connectionId), 'lastCheck', JSON.stringify(lastCheckSchema.parse(check)))
      .del(`${this.key(connectionId)}:claim`)
      .exec();
  }

  /** One scheduled check per connection per `ttlMs` across every worker process. */
  async claimCheck(connectionId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.key(connectionId)}:claim`, '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }

  /** The schedule's baseline for a connection never checked: the first writer wins. */
  async baseline(connectionId: string, now: number): Promise<number> {
    await this.redis.hsetnx(this.key(connectionId), 'seenAt', String(now));
    return Number(await this.redis.hget(this.key(connectionId), 'seenAt'));
  }
}

/** The attention mark in words, for the admin API and the console alike. */
export function attentionMessage(a: Attention): string {
  const how = a.cause === 'check' ? 'the canary check failed' : `${ATTENTION_THRESHOLD} runs in a row failed on the same screen`;
  return `Needs attention since ${a.since}: ${a.screen}: ${a.missing} (${how}). User jobs wait until a check passes or someone retries.`;
}
