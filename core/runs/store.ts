/**
 * Run records in Redis: `<prefix>:run:<runId>` holds the JSON; per connection a sorted set lists
 * run ids newest first, and one per user serves the user filter. Run ids start with their start
 * time in fixed-width base 36, so all members share score 0 and lexicographic order is time order:
 * `before` paging is then exact (ZREVRANGEBYLEX), even for runs started in the same millisecond.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { runKeys } from '../store/keys.ts';
import { listRunsQuerySchema, runRecordSchema, type ListRunsQuery, type RunRecord } from './schema.ts';

export type { ListRunsQuery, RunRecord, RunStatus } from './schema.ts';

/** Runs kept per connection before the oldest records are dropped. Default 20 000. */
const DEFAULT_MAX_RUNS = 20_000;
const SCAN_BATCH = 200;

// KEYS: run, connection index, user index (or ''). ARGV: runId, json, max, run key prefix, user index prefix.
const CREATE_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
if KEYS[3] ~= '' then redis.call('ZADD', KEYS[3], 0, ARGV[1]) end
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if excess > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do
    local raw = redis.call('GET', ARGV[4] .. id)
    if raw then
      local user = cjson.decode(raw).userId
      if user then redis.call('ZREM', ARGV[5] .. user, id) end
    end
    redis.call('DEL', ARGV[4] .. id)
    redis.call('ZREM', KEYS[2], id)
  end
end
return 1`;

/** A new run id: time-sortable (`run-<ms base36, 10 wide>-<random>`) and safe as a folder name. */
export function newRunId(now = Date.now()): string {
  return `run-${now.toString(36).padStart(10, '0')}-${randomBytes(5).toString('hex')}`;
}

/** When a run id was made (newRunId), in ms since the epoch; undefined for an id of another shape. */
export function runIdTime(runId: string): number | undefined {
  const match = /^run-([0-9a-z]{10})-/.exec(runId);
  return match ? parseInt(match[1]!, 36) : undefined;
}

export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxPerConnection = DEFAULT_MAX_RUNS,
  ) {}

  private runKey(runId: string) {
    return runKeys(this.prefix).run(runId);
  }
  private indexKey(connectionId: string) {
    return runKeys(this.prefix).index(connectionId);
  }
  private userIndexPrefix(connectionId: string) {
    return `${this.indexKey(connectionId)}:u:`;
  }

  async create(record: RunRecord): Promise<RunRecord> {
    const run = runRecordSchema.parse(record);
    await this.redis.eval(
      CREATE_SCRIPT, 3, this.runKey(run.runId), this.indexKey(run.connectionId),
      run.userId === undefined ? '' : this.userIndexPrefix(run.connectionId) + run.userId,
      run.runId, JSON.stringify(run), this.maxPerConnection, this.runKey(''), this.userIndexPrefix(run.connectionId),
    );
    return run;
  }

  /** Merges `patch` into the stored run (only the worker running it writes a run: no race). */
  async update(runId: string, patch: Partial<RunRecord>): Promise<RunRecord | null> {
    const current = await this.get(runId);
    if (!current) return null;
    const next = runRecordSchema.parse({ ...current, ...patch, runId });
    // XX: a run trimmed away meanwhile is not brought back without its index entry.
    await this.redis.set(this.runKey(runId), JSON.stringify(next), 'XX');
    return next;
  }

  async get(runId: string): Promise<RunRecord | null> {
    const raw = await this.redis.get(this.runKey(runId));
    return raw ? runRecordSchema.parse(JSON.parse(raw)) : null;
  }

  /** Newest first; `before` is the last runId of the previous page. */
  async list(connectionId: string, query: ListRunsQuery = {}): Promise<RunRecord[]> {
    const { userId, status, limit, before } = listRunsQuerySchema.parse(query);
    const index = userId === undefined ? this.indexKey(connectionId) : this.userIndexPrefix(connectionId) + userId;
    const out: RunRecord[] = [];
    let max = before === undefined ? '+' : `(${before}`;
    while (out.length < limit) {
      const ids = await this.redis.zrevrangebylex(index, max, '-', 'LIMIT', 0, SCAN_BATCH);
      if (ids.length === 0) break;
      const raws = await this.redis.mget(...ids.map((id) => this.runKey(id)));
      for (const raw of raws) {
        if (!raw) continue;
        const run = runRecordSchema.parse(JSON.parse(raw));
        if (status === undefined || run.status === status) out.push(run);
        if (out.length === limit) break;
      }
      max = `(${ids[ids.length - 1]}`;
      if (ids.length < SCAN_BATCH) break;
    }
    return out;
  }
}
