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
 * kept in its provisioning hash (`listKeys`) so the next change can take the old members out.
 */
import type { Redis } from 'ioredis';
import { connectionKeys } from '../store/keys.ts';

export const SORT_KEYS = ['email', 'name', 'changed', 'state'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type ListGroup = '*' | 'pending' | 'in_sync' | 'failed' | 'removed' | 'retrying';

/** What `indexListed` stores in the hash: lower-cased sort keys, the name as written, the groups. */
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
 * document; `at` (ms, optional) is its last change, the server's time when nil.
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
local function indexListed(base, id, at)
  local prov = base .. ':prov:' .. id
  local list = base .. ':prov-list:'
  local f = redis.call('HMGET', prov, 'state', 'userName', 'lastError', 'listKeys')
  local old = nil
  if f[4] then
    local ok, decoded = pcall(cjson.decode, f[4])
    if ok and type(decoded) == 'table' then old = decoded end
  end
  if old then
    for _, g in ipairs(old.g or {}) do
      redis.call('ZREM', list .. 'email', g .. LNUL .. old.e .. LNUL .. id)
      redis.call('ZREM', list .. 'name', g .. LNUL .. old.n .. LNUL .. id)
      redis.call('ZREM', list .. 'changed', g .. LNUL .. old.c .. LNUL .. id)
    end
  end
  if not f[1] then redis.call('HDEL', prov, 'listKeys') return end
  local display = listNameOf(base .. ':user:' .. id)
  if not display and old and old.d then display = old.d end
  if not at then
    local t = redis.call('TIME')
    at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  local keys = {
    e = string.lower(listClean(f[2] or id)),
    n = display and string.lower(listClean(display)) or NAMELESS,
    c = string.format('%013.0f', tonumber(at)),
    g = { '*', f[1] },
  }
  if display then keys.d = listClean(display) end
  if f[1] == 'pending' and f[3] and f[3] ~= '' then keys.g[3] = 'retrying' end
  for _, g in ipairs(keys.g) do
    redis.call('ZADD', list .. 'email', 0, g .. LNUL .. keys.e .. LNUL .. id)
    redis.call('ZADD', list .. 'name', 0, g .. LNUL .. keys.n .. LNUL .. id)
    redis.call('ZADD', list .. 'changed', 0, g .. LNUL .. keys.c .. LNUL .. id)
  end
  redis.call('HSET', prov, 'listKeys', cjson.encode(keys))
end
local function indexListedFromStates(statePrefix, id)
  indexListed(string.sub(statePrefix, 1, #statePrefix - ${STATE_SUFFIX.length}), id, nil)
end
`;

/** ARGV: base, then (id, at ms) pairs. */
const REBUILD_SCRIPT = `${LIST_INDEX_LUA}
for i = 2, #ARGV, 2 do indexListed(ARGV[1], ARGV[i], tonumber(ARGV[i + 1])) end
return 1`;

/** ARGV: base, id. Takes a forgotten user off the list (before its hash is deleted). */
const FORGET_SCRIPT = `${LIST_INDEX_LUA}
redis.call('HDEL', ARGV[1] .. ':prov:' .. ARGV[2], 'state')
indexListed(ARGV[1], ARGV[2], nil)
return 1`;

/**
 * ARGV: base, needle (lower case), most matches. Ids of everyone whose email, name or id contains
 * the needle (keys are stored lower case; ids are compared as written), read from the sort sets: one pass over 2·N short strings inside Redis, no state read.
 */
const SEARCH_SCRIPT = `
local LNUL = string.char(0)
local found, seen = {}, {}
local limit = tonumber(ARGV[3])
for _, set in ipairs({ 'email', 'name' }) do
  local key = ARGV[1] .. ':prov-list:' .. set
  local n = redis.call('ZLEXCOUNT', key, '[*' .. LNUL, '(*' .. string.char(1))
  for start = 0, n - 1, 2000 do
    local chunk = redis.call('ZRANGE', key, start, math.min(start + 1999, n - 1))
    for _, m in ipairs(chunk) do
      local rest = string.sub(m, 3)
      local cut = string.find(rest, LNUL, 1, true)
      local id = string.sub(rest, cut + 1)
      if not seen[id] and string.find(rest, ARGV[2], 1, true) then
        seen[id] = true
        found[#found + 1] = id
        if #found > limit then return found end
      end
    end
  end
end
return found`;

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
        if (args.length > 0) await this.redis.eval(REBUILD_SCRIPT, 0, this.base(connectionId), ...args);
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
    await this.redis.eval(FORGET_SCRIPT, 0, this.base(connectionId), userId);
  }

  /** How many users are listed in the group. */
  async count(connectionId: string, group: ListGroup): Promise<number> {
    return this.redis.zlexcount(this.key(connectionId, 'email'), `[${group}${NUL}`, `(${group}\u0001`);
  }

  /** One page of ids in the asked order. */
  async page(connectionId: string, query: ListQuery): Promise<ListPage> {
    const key = this.key(connectionId, query.sort);
    const range = query.sort === 'state' && query.group === '*'
      ? STATE_RANGE
      : { min: `[${query.group}${NUL}`, max: `(${query.group}\u0001` };
    const [members, total] = await Promise.all([
      query.dir === 'asc'
        ? this.redis.zrangebylex(key, range.min, range.max, 'LIMIT', query.offset, query.limit)
        : this.redis.zrevrangebylex(key, range.max, range.min, 'LIMIT', query.offset, query.limit),
      this.redis.zlexcount(key, range.min, range.max),
    ]);
    return { ids: members.map(idOf), total };
  }

  /** Users whose email, name or id contains `needle` (case-insensitive), in the group, sorted and paged. */
  async search(connectionId: string, needle: string, query: ListQuery): Promise<ListPage> {
    const clean = needle.toLowerCase().replaceAll(NUL, ' ');
    const found = (await this.redis.eval(SEARCH_SCRIPT, 0, this.base(connectionId), clean, SEARCH_LIMIT)) as string[];
    const truncated = found.length > SEARCH_LIMIT;
    const keys = await this.keysOf(connectionId, found.slice(0, SEARCH_LIMIT));
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
    for (const id of ids) pipeline.hget(keys.prov(id), 'listKeys');
    const rows = (await pipeline.exec()) ?? [];
    const out = new Map<string, ListKeys>();
    rows.forEach(([error, raw], i) => {
      if (error || typeof raw !== 'string') return;
      try {
        out.set(ids[i]!, JSON.parse(raw) as ListKeys);
      } catch {
        // A hash written by hand; the user is left off the page rather than breaking it.
      }
    });
    return out;
  }
}

/** Byte order, as Redis sorts members (localeCompare would disagree with the index). */
function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
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
