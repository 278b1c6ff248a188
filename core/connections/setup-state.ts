/**
 * A connection's setup state in words, for GET /admin/v1/connections/:id (spekit.md, "Admin API"):
 * the last outcome of its token tasks (setup, rotate), when the app token was last issued and when
 * the next scheduled rotation falls due. Kept in one small hash per connection, written by the
 * runner when a task job ends; it holds times, run ids and already-redacted error text — never a
 * token (the token lives only in the connector's sealed vault).
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DAY_MS, nextRotationAt, rotationDays, TOKEN_TASKS } from '../app-token-schedule.ts';
import { connectionKeys } from '../store/keys.ts';
import type { StoredConnection } from './schema.ts';

export const taskOutcomeSchema = z.object({
  task: z.string(),
  status: z.enum(['succeeded', 'retrying', 'failed']),
  /** ISO time the outcome was recorded. */
  at: z.string(),
  runId: z.string().optional(),
  /** The run's error, already redacted by the runner. */
  error: z.string().optional(),
  /** Stable reason code of a permanent failure, e.g. setup_required. */
  reason: z.string().optional(),
});
export type TaskOutcome = z.infer<typeof taskOutcomeSchema>;

export interface TaskState {
  last?: TaskOutcome;
  /** When a token task last succeeded (ms since the epoch). */
  issuedAt?: number;
  /** When the rotation scheduler first saw the connection without an issue time (its baseline). */
  seenAt?: number;
}

// Keeps the larger of the stored and the new time: workers with skewed clocks never move it back.
const MAX_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1`;

/** Under the connection's key space, so deleting the connection deletes it too. */
export function taskStateKey(prefix: string, connectionId: string): string {
  return `${connectionKeys(prefix, connectionId).base}:app-tasks`;
}

export class TaskStateStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async get(connectionId: string): Promise<TaskState> {
    const raw = await this.redis.hgetall(taskStateKey(this.prefix, connectionId));
    const last = raw.last ? taskOutcomeSchema.safeParse(JSON.parse(raw.last)) : undefined;
    return {
      ...(last?.success ? { last: last.data } : {}),
      ...(raw.issuedAt ? { issuedAt: Number(raw.issuedAt) } : {}),
      ...(raw.seenAt ? { seenAt: Number(raw.seenAt) } : {}),
    };
  }

  /** Records how a task ended; a succeeded token task restarts the rotation clock at `now`. */
  async record(connectionId: string, outcome: TaskOutcome, now: number): Promise<void> {
    const key = taskStateKey(this.prefix, connectionId);
    await this.redis.hset(key, 'last', JSON.stringify(taskOutcomeSchema.parse(outcome)));
    if (outcome.status === 'succeeded' && TOKEN_TASKS.includes(outcome.task)) {
      await this.redis.eval(MAX_SCRIPT, 1, key, 'issuedAt', String(now));
    }
  }

  /** The scheduler's baseline for a connection it knows no issue time of; the first writer wins. */
  async baseline(connectionId: string, now: number): Promise<number> {
    const key = taskStateKey(this.prefix, connectionId);
    await this.redis.hsetnx(key, 'seenAt', String(now));
    return Number(await this.redis.hget(key, 'seenAt'));
  }

  /** One enqueue per connection per `ttlMs` across every worker process (a failed rotation waits that long). */
  async claimRotation(connectionId: string, ttlMs: number): Promise<boolean> {
    const key = `${taskStateKey(this.prefix, connectionId)}:claim`;
    return (await this.redis.set(key, '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }
}

export type SetupStatus = 'not set up' | 'ready' | 'retrying' | 'failed';

export interface SetupStateView {
  state: SetupStatus;
  /** One sentence for a person: what happened last and what to do. */
  message: string;
  lastTask?: string;
  lastRunId?: string;
  lastError?: string;
  reason?: string;
  tokenIssuedAt?: string;
  nextRotationAt?: string;
}

/** "PermanentAppError: Set up SSO …" → "Set up SSO …": the class name means nothing to a reader. */
function inWords(error: string | undefined): string | undefined {
  return error?.replace(/^[A-Za-z]*Error:\s*/, '');
}

function taskWord(task: string): string {
  return task === 'rotate' ? 'Token rotation' : task === 'setup' ? 'Setup' : `Task "${task}"`;
}

/** The state in words; pure, so the admin API and the console say the same thing. */
export function describeSetupState(state: TaskState, app: Record<string, unknown> | undefined, dayMs = DAY_MS): SetupStateView {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const days = rotationDays(app);
  const issued = iso(state.issuedAt);
  const next = days !== undefined && state.issuedAt !== undefined ? iso(nextRotationAt({ rotationDays: days, lastIssuedAt: state.issuedAt }, dayMs)) : undefined;
  const times = { ...(issued ? { tokenIssuedAt: issued } : {}), ...(next ? { nextRotationAt: next } : {}) };
  const last = state.last;
  if (!last) {
    return { state: 'not set up', message: 'Not set up yet: setup runs when the connection is created; POST …/setup runs it again.', ...times };
  }
  const about = { lastTask: last.task, ...(last.runId ? { lastRunId: last.runId } : {}), ...times };
  const error = inWords(last.error);
  const still = issued ? ` The token issued at ${issued} is still in use.` : '';
  if (last.status === 'succeeded') {
    const done = last.task === 'rotate' ? `the app token was rotated at ${issued ?? last.at}` : `the app token was issued at ${issued ?? last.at}`;
    return { state: 'ready', message: `Ready: ${done}.${next ? ` Next scheduled rotation at ${next}.` : ''}`, ...about };
  }
  const problem = { ...(error ? { lastError: error } : {}), ...(last.reason ? { reason: last.reason } : {}) };
  if (last.status === 'retrying') {
    return { state: issued ? 'ready' : 'retrying', message: `${taskWord(last.task)} failed at ${last.at} and will be tried again: ${error ?? 'unknown error'}.${still}`, ...about, ...problem };
  }
  return { state: issued ? 'ready' : 'failed', message: `${taskWord(last.task)} failed at ${last.at}: ${error ?? 'unknown error'}.${still}`, ...about, ...problem };
}

/** What the reader needs from the gateway's services (the api's `app.scimwright` fits). */
export interface SetupStateDeps {
  redis: Redis;
  config: { redisPrefix: string };
}

/**
 * The `setup` block of a connection's admin view, or undefined when its connector has no setup
 * task (`tasks`: the connector's declared task names).
 */
export async function readSetupState(deps: SetupStateDeps, connection: StoredConnection, tasks: readonly string[]): Promise<SetupStateView | undefined> {
  if (!tasks.includes('setup')) return undefined;
  const state = await new TaskStateStore(deps.redis, deps.config.redisPrefix).get(connection.id);
  return describeSetupState(state, connection.settings.app);
}
