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
  /** the SCIM document's version the name was read from */
  v?: string;
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
local function listMembers(keys, id)
  local out = { email = {}, name = {}, changed = {} }
  for _, g in ipairs(keys.g or {}) do
    out.email[g .. LNUL .. keys.e .. LNUL .. id] = true
    out.name[g .. LNUL .. keys.n .. LNUL .. id] = true
    out.changed[g .. LNUL .. keys.c .. LNUL .. id] = true
  end
  return out
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
  local keys = nil
  if f[1] then
    -- The document is decoded only when its version moved (a group change bumps many users at once).
    local docKey = base .. ':user:' .. id
    local version = redis.call('HGET', docKey, 'v')
    local display
    if old and version and old.v == version then display = old.d
    else
      display = listNameOf(docKey)
      if not display and old and old.d then display = old.d end
    end
    if not at then
      local t = redis.call('TIME')
      at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    end
    keys = {
      e = string.lower(listClean(f[2] or id)),
      n = display and string.lower(listClean(display)) or NAMELESS,
      c = string.format('%013.0f', tonumber(at)),
      g = { '*', f[1] },
    }
    if display then keys.d = listClean(display) end
    if version then keys.v = version end
    if f[1] == 'pending' and f[3] and f[3] ~= '' then keys.g[3] = 'retrying' end
  end
  -- Only members that differ are written: most changes move the last-change key alone.
  local before = old and listMembers(old, id) or { email = {}, name = {}, changed = {} }
  local after = keys and listMembers(keys, id) or { email = {}, name = {}, changed = {} }
  for set, members in pairs(before) do
    for m in pairs(members) do if not after[set][m] then redis.call('ZREM', list .. set, m) end end
  end
  for set, members in pairs(after) do
    for m in pairs(members) do if not before[set][m] then redis.call('ZADD', list .. set, 0, m) end end
  end
  if keys then redis.call('HSET', prov, 'listKeys', cjson.encode(keys))
  else redis.call('HDEL', prov, 'listKeys') end
end
local function indexListedFromStates(statePrefix, id)
  indexListed(string.sub(statePrefix, 1, #statePrefix - ${STATE_SUFFIX.length}), id, nil)
end
`;

/** ARGV: base, then (id, at ms) pairs. */
const REBUILD_SCRIPT = `${LIST_INDEX_LUA}
for i = 2, #ARGV, 2 do
  -- Built from scratch: members a stale listKeys names are not trusted to be there.
  redis.call('HDEL', ARGV[1] .. ':prov:' .. ARGV[i], 'listKeys')
  indexListed(ARGV[1], ARGV[i], tonumber(ARGV[i + 1]))
end
return 1`;

/** ARGV: base, id. Takes a forgotten user off the list (before its hash is deleted). */
const FORGET_SCRIPT = `${LIST_INDEX_LUA}
redis.call('HDEL', ARGV[1] .. ':prov:' .. ARGV[2], 'state')
indexListed(ARGV[1], ARGV[2], nil)
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
