/**
 * The per-user writes of a write that touches many users (a group of 5,000 members: each
 * member's reverse-membership set, provisioning bump, state and list index), applied after the
 * commit in short scripts instead of inside it. One script of 5,000 bumps held Redis for
 * 450–830 ms, and /healthz and every connection with it (issue 11).
 *
 * - Staged: the items are pushed, in chunks, to a fresh staging list (it expires if the writer
 *   dies); the save script renames it to the resource's fan-out list in the commit itself, so
 *   a refused write leaves nothing and a committed one always has its fan-out recorded.
 * - Applied: each batch pops items and applies them in one script, so every item is applied
 *   exactly once, in order (a user's set change comes before its bump: a converge that reads
 *   the new bump sees the new membership). A batch stops after BATCH_BUDGET_US of Redis time.
 * - Finished by anyone: the writer, the next write to the same resource (the save answers
 *   `pending` until the list is gone), or `finishAll` after a crash (the registry hash
 *   `fanOuts` names every list still to apply, with its context).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ConnectionKeys } from './keys.ts';
import { EFFECTS_LUA, type ProvisioningBump, type SetChange } from './save-script.ts';

/** Effects of up to this many items are written inline by the save script (a few ms at most). */
export const INLINE_ITEMS = 64;
/** Items per staging push. */
const STAGE_CHUNK = 500;
/** Redis time one batch may take; a bump costs ~0.1 ms, so a batch is a few dozen users. */
const BATCH_BUDGET_US = 4_000;
/** Items one batch applies at most, whatever the clock says. */
export const BATCH_ITEMS = 200;
/** A staging list outlives its writer by this long at most. */
const STAGING_TTL_S = 3_600;

type Item = { s: SetChange } | { b: ProvisioningBump };

/** ARGV: fan-out list, registry hash, max items, budget (µs). Answers {applied, finished (0/1)}. */
export const FAN_OUT_SCRIPT = `${EFFECTS_LUA}
local list, registry = ARGV[1], ARGV[2]
local maxItems, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local head = redis.call('HGET', registry, list)
if not head then return {0, redis.call('EXISTS', list) == 0 and 1 or 0} end
local ctx = cjson.decode(head)
local function clock() local t = redis.call('TIME') return tonumber(t[1]) * 1000000 + tonumber(t[2]) end
local started = clock()
local done = 0
while done < maxItems do
  local items = redis.call('LPOP', list, math.min(16, maxItems - done))
  if not items then break end
  for _, raw in ipairs(items) do
    local item = cjson.decode(raw)
    if item.s then applySet(item.s) else applyBump(item.b, ctx) end
  end
  done = done + #items
  if clock() - started >= budget then break end
end
if redis.call('EXISTS', list) == 0 then
  redis.call('HDEL', registry, list)
  return {done, 1}
end
return {done, 0}`;

interface WithApply {
  scimwrightFanOut(slotKey: string, list: string, registry: string, maxItems: string, budget: string): Promise<[number, number]>;
}

export interface Effects {
  sets?: SetChange[];
  bump?: ProvisioningBump[];
}

export function itemCount(effects: Effects): number {
  return (effects.sets?.length ?? 0) + (effects.bump?.length ?? 0);
}

/** The items of a save's effects, set changes first (see the ordering note above). */
function item(effects: Effects, i: number): string {
  const sets = effects.sets ?? [];
  const one: Item = i < sets.length ? { s: sets[i]! } : { b: effects.bump![i - sets.length]! };
  return JSON.stringify(one);
}

export class FanOuts {
  private readonly redis: Redis & WithApply;

  constructor(redis: Redis) {
    // KEYS[1] is only the connection's base: it sends the call to that connection's slot on a Cluster.
    if (!('scimwrightFanOut' in redis)) redis.defineCommand('scimwrightFanOut', { numberOfKeys: 1, lua: FAN_OUT_SCRIPT });
    this.redis = redis as Redis & WithApply;
  }

  /**
   * Pushes the items of `effects` to a fresh staging list: a chunk per command, each encoded
   * while the previous one travels, so neither Redis nor the loop holds for long.
   */
  async stage(keys: ConnectionKeys, effects: Effects): Promise<string> {
    const key = keys.staging(randomUUID());
    const total = itemCount(effects);
    for (let start = 0; start < total; start += STAGE_CHUNK) {
      const chunk: string[] = [];
      for (let i = start; i < Math.min(total, start + STAGE_CHUNK); i++) chunk.push(item(effects, i));
      if (start === 0) await this.redis.multi().rpush(key, ...chunk).expire(key, STAGING_TTL_S).exec();
      else await this.redis.rpush(key, ...chunk);
    }
    return key;
  }

  /** Drops a staging list whose write did not commit (the save script drops it on a refusal). */
  async discard(staging: string): Promise<void> {
    await this.redis.del(staging);
  }

  /** Applies a fan-out list to the end, batch by batch; returns at once when there is none. */
  async finish(keys: ConnectionKeys, list: string): Promise<void> {
    for (;;) {
      const [applied, finished] = await this.redis.scimwrightFanOut(keys.base, list, keys.fanOuts, String(BATCH_ITEMS), String(BATCH_BUDGET_US));
      if (finished) return;
      // Only a list without its registry entry gives neither; no write makes one.
      if (applied === 0) throw new Error(`fan-out ${list} has no recorded context`);
    }
  }

  /** Finishes every fan-out of the connection still recorded (after a crash mid-way). */
  async finishAll(keys: ConnectionKeys): Promise<number> {
    const lists = await this.redis.hkeys(keys.fanOuts);
    for (const list of lists) await this.finish(keys, list);
    return lists.length;
  }
}
