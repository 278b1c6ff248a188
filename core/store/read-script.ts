/**
 * Reads many resources in one script call, with per-resource keys beside them (a user's groups,
 * its provisioning state), answered as ONE JSON text: stored bodies are JSON already and are
 * spliced in as they are, so a page of 100 users is one reply to decode and one JSON.parse,
 * instead of 300 replies, 300 command objects and 100 parses (issue 13: that bookkeeping, not
 * the round trips, was most of a page's cost).
 * Keys are derived from ARGV like the save script's (single-node Redis).
 */

/** A key read for every resource, named `prefix + id`: a set's members, or some fields of a hash. */
export type ReadJoin = { kind: 'set'; prefix: string } | { kind: 'hash'; prefix: string; fields: string[] };

export interface ReadOp {
  /** Hash key of a resource is `doc + id` (fields body, v). */
  doc: string;
  joins: ReadJoin[];
  /** Either explicit ids, in this order… */
  ids?: string[];
  /** …or a range of the creation list: 0-based, inclusive, as decimal strings. */
  list?: string;
  start?: string;
  stop?: string;
}

/** One resource as read: body, version, then one value per join (string[] or (string | null)[]). */
export type ReadRow = [body: Record<string, unknown>, version: number, ...joined: unknown[]];

// The answer: [total (the list's size, or -1 for explicit ids), [row, …]]; a missing id is left out.
// Pieces go into one table joined once at the end (per-row joins cost a third of the script).
// `v` is written by the save script as an integer, so it is spliced in as a JSON number.
export const READ_SCRIPT = `
local op = cjson.decode(ARGV[1])
local encode = cjson.encode
local out, n = {}, 0
local function put(s) n = n + 1; out[n] = s end
local total = -1
local ids = op.ids
if not ids then
  total = redis.call('ZCARD', op.list)
  if tonumber(op.start) >= total or tonumber(op.stop) < tonumber(op.start) then ids = {}
  else ids = redis.call('ZRANGE', op.list, op.start, op.stop) end
end
put('[' .. total .. ',[')
local first = true
for _, id in ipairs(ids) do
  local doc = redis.call('HMGET', op.doc .. id, 'body', 'v')
  if doc[1] and doc[2] then
    put(first and '[' or ',[')
    first = false
    put(doc[1]); put(','); put(doc[2])
    for _, j in ipairs(op.joins) do
      if j.kind == 'set' then
        local members = redis.call('SMEMBERS', j.prefix .. id)
        -- An empty Lua table would encode as {}.
        put(#members == 0 and ',[]' or ',' .. encode(members))
      else
        local values = redis.call('HMGET', j.prefix .. id, unpack(j.fields))
        for i = 1, #j.fields do put(i == 1 and ',[' or ','); put(values[i] and encode(values[i]) or 'null') end
        put(']')
      end
    end
    put(']')
  end
end
put(']]')
return table.concat(out)`;

export function parseReadResult(raw: unknown): { total: number; rows: ReadRow[] } {
  const [total, rows] = JSON.parse(String(raw)) as [number, ReadRow[]];
  return { total, rows };
}
