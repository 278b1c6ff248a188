/**
 * The console's users list, sorted and paged in Redis: one lexicographic sorted set per sort key
 * (`<base>:prov-list:<email|name|changed>`, every score 0), each member `group NUL key NUL id`.
 * A user is listed under the group `*` (everyone), under its state, and under `retrying` while it
 * is pending after a failed attempt. A page is then one ZRANGEBYLEX over a group's range:
 * O(log N + offset + rows), never a read of every user, so it stays fast at 100,000 users per
 * connection. Members are unique (the id ends them), so every order is total and paging is stable.
 *
 * `indexListed` runs inside the scripts that move a user between states (state-index.ts
 * `moveState`), so the list changes atomically with the state. The keys a user is listed under are
 * kept in its provisioning hash (`lkE` email, `lkN` name, `lkD` name as written, `lkV` document
 * version, `lkG` groups, `lkC` last change) so the next change can take the old members out.
 */
import type { Redis } from 'ioredis';
import { connectionKeys } from '../store/keys.ts';

export const SORT_KEYS = ['email', 'name', 'changed', 'state'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type ListGroup = '*' | 'pending' | 'in_sync' | 'failed' | 'removed' | 'retrying';

/** What `indexListed` keeps in the hash, as read back: lower-cased sort keys, the name as written, the groups. */
export interface ListKeys {
  /** email (userName), lower case */
  e: string;
  /** name, lower case (or NAMELESS) */
  n: string;
  /** the name as the IdP wrote it, when there is one */
  d?: string;
  /** last change, ms since the epoch, zero-padded to 13 digits so that lex order is time order */
  c: string;
  g: ListGroup[];
}

const NUL = '\u0000';
/** U+10FFFF: sorts after every name, so users without one come last (ascending). */
const NAMELESS = '\u{10ffff}';
/** `stateSetPrefix` is `<base>:prov-state:`; the list keys hang off the same base. */
const STATE_SUFFIX = ':prov-state:';

/**
 * Lua: `indexListed(base, id, at)` re-lists user `id` from its provisioning hash and SCIM
 * document; `at` (ms) is its last change: the score moveState was given (the change's or the
 * run's time).
 */
export const LIST_INDEX_LUA = `
local LNUL = string.char(0)
local NAMELESS = '${NAMELESS}'
local function listClean(s) return string.sub(string.gsub(s, '%z', ' '), 1, 256) end
local function listNameOf(docKey)
  local body = redis.call('HGET', docKey, 'body')
  if not body then return nil end
  local ok, doc = pcall(cjson.decode, body)
  if not ok or type(doc) ~= 'table' then return nil end
  local function str(v) if type(v) == 'string' and string.find(v, '%S') then return v end return nil end
  local n = type(doc.name) == 'table' and doc.name or {}
  local name = str(doc.displayName) or str(n.formatted)
  if not name then
    local parts = {}
    if str(n.givenName) then parts[#parts + 1] = n.givenName end
    if str(n.familyName) then parts[#parts + 1] = n.familyName end
    if #parts > 0 then name = table.concat(parts, ' ') end
  end
  return name
end
local function listGroups(text)
  local out = {}
  for g in string.gmatch(text or '', '[^,]+') do out[#out + 1] = g end
  return out
end
local function listMove(cmd, list, groups, e, n, c, id)
  for _, g in ipairs(groups) do
    if cmd == 'ZADD' then
      redis.call('ZADD', list .. 'email', 0, g .. LNUL .. e .. LNUL .. id)
      redis.call('ZADD', list .. 'name', 0, g .. LNUL .. n .. LNUL .. id)
      redis.call('ZADD', list .. 'changed', 0, g .. LNUL .. c .. LNUL .. id)
    else
      redis.call('ZREM', list .. 'email', g .. LNUL .. e .. LNUL .. id)
      redis.call('ZREM', list .. 'name', g .. LNUL .. n .. LNUL .. id)
      redis.call('ZREM', list .. 'changed', g .. LNUL .. c .. LNUL .. id)
    end
  end
end
local function indexListed(base, id, at)
  local prov = base .. ':prov:' .. id
  local list = base .. ':prov-list:'
  local f = redis.call('HMGET', prov, 'state', 'userName', 'lastError', 'lkE', 'lkN', 'lkD', 'lkV', 'lkG', 'lkC')
  local oldE, oldN, oldD, oldV, oldG, oldC = f[4], f[5], f[6], f[7], f[8], f[9]
  if not f[1] then
    if oldE then listMove('ZREM', list, listGroups(oldG), oldE, oldN, oldC, id) end
    redis.call('HDEL', prov, 'lkE', 'lkN', 'lkD', 'lkV', 'lkG', 'lkC')
    return
  end
  local docKey = base .. ':user:' .. id
  local version = redis.call('HGET', docKey, 'v') or ''
  local display = oldD or nil
  -- The document is decoded only when its version moved (a group change bumps many users at once);
  -- a deleted document keeps the name it had.
  if not (oldE and oldV == version) then display = listNameOf(docKey) or display end
  local e = string.lower(listClean(f[2] or id))
  local n = display and string.lower(listClean(display)) or NAMELESS
  local c = string.format('%013.0f', tonumber(at))
  local g = '*,' .. f[1]
  if f[1] == 'pending' and f[3] and f[3] ~= '' then g = g .. ',retrying' end
  if oldE and oldE == e and oldN == n and oldG == g then
    -- Same groups, email and name: only the last change moves.
    if oldC ~= c then
      for _, grp in ipairs(listGroups(g)) do
        redis.call('ZREM', list .. 'changed', grp .. LNUL .. oldC .. LNUL .. id)
        redis.call('ZADD', list .. 'changed', 0, grp .. LNUL .. c .. LNUL .. id)
      end
    end
    redis.call('HSET', prov, 'lkC', c, 'lkV', version)
    return
  end
  if oldE then listMove('ZREM', list, listGroups(oldG), oldE, oldN, oldC, id) end
  listMove('ZADD', list, listGroups(g), e, n, c, id)
  redis.call('HSET', prov, 'lkE', e, 'lkN', n, 'lkV', version, 'lkG', g, 'lkC', c)
  if display then redis.call('HSET', prov, 'lkD', listClean(display)) else redis.call('HDEL', prov, 'lkD') end
end
local function indexListedFromStates(statePrefix, id, at)
  indexListed(string.sub(statePrefix, 1, #statePrefix - ${STATE_SUFFIX.length}), id, at)
end
`;

/** ARGV: base, then (id, at ms) pairs. */
const REBUILD_SCRIPT = `${LIST_INDEX_LUA}
for i = 2, #ARGV, 2 do
  -- Built from scratch: members that stale list fields name are not trusted to be there.
  redis.call('HDEL', ARGV[1] .. ':prov:' .. ARGV[i], 'lkE', 'lkN', 'lkD', 'lkV', 'lkG', 'lkC')
  indexListed(ARGV[1], ARGV[i], tonumber(ARGV[i + 1]))
end
return 1`;

/** ARGV: base, id. Takes a forgotten user off the list (before its hash is deleted). */
const FORGET_SCRIPT = `${LIST_INDEX_LUA}
redis.call('HDEL', ARGV[1] .. ':prov:' .. ARGV[2], 'state')
indexListed(ARGV[1], ARGV[2], 0)
return 1`;

const BATCH = 500;
const SEARCH_LIMIT = 1000;

export interface ListQuery {
  sort: SortKey;
  dir: 'asc' | 'desc';
  group: ListGroup;
  offset: number;
  limit: number;
}

export interface ListPage {
  ids: string[];
  /** Users in the group (or matching the search). */
  total: number;
  /** The search matched more than it reads; `total` is then a lower bound. */
  truncated?: boolean;
}

/** The states a sort by state walks, in the order their group names sort (the set's own order). */
const STATE_RANGE = { min: `[failed${NUL}`, max: `(removed\u0001` };

export class ProvisioningListIndex {
  private readonly ready = new Set<string>();

  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private base(connectionId: string): string {
    return connectionKeys(this.prefix, connectionId).base;
  }

  private key(connectionId: string, sort: SortKey): string {
    return `${this.base(connectionId)}:prov-list:${sort === 'state' ? 'email' : sort}`;
  }

  /** Lists users stored before this index existed, once per connection; later changes list themselves. */
  async ensure(connectionId: string, userIds: () => Promise<string[]>, changedAt: (ids: string[]) => Promise<Map<string, number>>): Promise<void> {
    if (this.ready.has(connectionId)) return;
    const readyKey = `${this.base(connectionId)}:prov-list-index`;
    if (!(await this.redis.exists(readyKey)) && !(await this.complete(connectionId))) {
      const ids = await userIds();
      for (let i = 0; i < ids.length; i += BATCH) {
        const times = await changedAt(ids.slice(i, i + BATCH));
        const args = [...times].flatMap(([id, at]) => [id, String(at)]);
        if (args.length > 0) await this.redis.eval(REBUILD_SCRIPT, 1, this.base(connectionId), this.base(connectionId), ...args);
      }
      await this.redis.set(readyKey, '1');
    }
    this.ready.add(connectionId);
  }

  /** Every user with a state is listed: a connection made since this index exists needs no build. */
  private async complete(connectionId: string): Promise<boolean> {
    const [listed, users] = await Promise.all([this.count(connectionId, '*'), this.redis.scard(connectionKeys(this.prefix, connectionId).provIndex)]);
    return listed === users;
  }

  async forget(connectionId: string, userId: string): Promise<void> {
    await this.redis.eval(FORGET_SCRIPT, 1, this.base(connectionId), this.base(connectionId), userId);
  }

  /** How many users are listed in the group. */
  async count(connectionId: string, group: ListGroup): Promise<number> {
    return this.redis.zlexcount(this.key(connectionId, 'email'), `[${group}${NUL}`, `(${group}\u0001`);
  }

  /**
   * One page of ids in the asked order. The range's first rank is counted (ZLEXCOUNT, O(log N))
   * and the page read by rank, so a deep page costs what page 1 does.
   */
  async page(connectionId: string, query: ListQuery): Promise<ListPage> {
    const key = this.key(connectionId, query.sort);
    const range = query.sort === 'state' && query.group === '*'
      ? STATE_RANGE
      : { min: `[${query.group}${NUL}`, max: `(${query.group}\u0001` };
    const [before, total] = await Promise.all([
      this.redis.zlexcount(key, '-', `(${range.min.slice(1)}`),
      this.redis.zlexcount(key, range.min, range.max),
    ]);
    if (query.offset >= total || query.limit <= 0) return { ids: [], total };
    const count = Math.min(query.limit, total - query.offset);
    const start = query.dir === 'asc' ? before + query.offset : before + total - query.offset - count;
    const read = await this.redis.zrange(key, String(start), String(start + count - 1));
    // Counted and read apart: a write in between may shift a rank, so members outside the range are dropped.
    const members = read.filter((m) => bytesIn(m, range.min.slice(1), range.max.slice(1)));
    if (query.dir === 'desc') members.reverse();
    return { ids: members.map(idOf), total };
  }

  /**
   * Users whose email or name starts with `prefix` (case-insensitive), or whose id it is, in the
   * group, sorted and paged: two range reads of the sort sets, O(log N + matches), so a search
   * costs what it finds. (A part from the middle of an email is not found: that would be a scan.)
   */
  async search(connectionId: string, prefix: string, query: ListQuery): Promise<ListPage> {
    const clean = prefix.toLowerCase().replaceAll(NUL, ' ');
    const ranges = await Promise.all(['email', 'name'].map((set) => this.redis.zrangebylex(
      `${this.base(connectionId)}:prov-list:${set}`, Buffer.from(`[*${NUL}${clean}`), Buffer.concat([Buffer.from(`(*${NUL}${clean}`), Buffer.from([0xff])]), 'LIMIT', 0, SEARCH_LIMIT + 1,
    )));
    const found = new Set([...ranges.flat().map(idOf), prefix]);
    const truncated = ranges.some((r) => r.length > SEARCH_LIMIT);
    const keys = await this.keysOf(connectionId, [...found]);
    const rows = [...keys].filter(([, k]) => k.g.includes(query.group));
    const sortKey = (k: ListKeys) => (query.sort === 'email' ? k.e : query.sort === 'name' ? k.n : query.sort === 'changed' ? k.c : `${k.g[1]}${NUL}${k.e}`);
    rows.sort(([a, ka], [b, kb]) => compare(sortKey(ka), sortKey(kb)) || compare(a, b));
    if (query.dir === 'desc') rows.reverse();
    return { ids: rows.slice(query.offset, query.offset + query.limit).map(([id]) => id), total: rows.length, ...(truncated ? { truncated } : {}) };
  }

  /** The list keys of each user (name as written, last change), for the rows of a page. */
  async keysOf(connectionId: string, ids: string[]): Promise<Map<string, ListKeys>> {
    const keys = connectionKeys(this.prefix, connectionId);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(keys.prov(id), 'lkE', 'lkN', 'lkD', 'lkG', 'lkC');
    const rows = (await pipeline.exec()) ?? [];
    const out = new Map<string, ListKeys>();
    rows.forEach(([error, raw], i) => {
      const [e, n, d, g, c] = (raw ?? []) as Array<string | null>;
      if (error || !e || n == null || !g || !c) return;
      out.set(ids[i]!, { e, n, c, g: g.split(',') as ListGroup[], ...(d ? { d } : {}) });
    });
    return out;
  }
}

/** Byte order, as Redis sorts members (localeCompare would disagree with the index). */
function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** min ≤ member < max in Redis's byte order. */
function bytesIn(member: string, min: string, max: string): boolean {
  return compare(member, min) >= 0 && compare(member, max) < 0;
}

function idOf(member: string): string {
  return member.slice(member.lastIndexOf(NUL) + 1);
}

/** A ListKeys `c` as an ISO time. */
export function changedIso(keys: ListKeys | undefined): string | undefined {
  const ms = Number(keys?.c);
  return keys && Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

export { NAMELESS };
