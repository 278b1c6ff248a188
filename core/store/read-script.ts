/**
 * Reads many resources in one script call, with per-resource keys beside them (a user's groups,
 * its provisioning state), answered as ONE JSON text: stored bodies are JSON already and are
 * spliced in as they are, so a page of 100 users is one reply to decode and one JSON.parse,
 * instead of 300 replies, 300 command objects and 100 parses (issue 13: that bookkeeping, not
 * the round trips, was most of a page's cost).
 * Keys are derived from ARGV like the save script's (single-node Redis).
 */
import type { Redis } from 'ioredis';

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
  /** Answer as lines instead (see parseReadText): bodies reach the caller as text, unparsed. */
  text?: boolean;
}

/** One resource as read: body, version, then one value per join (string[] or (string | null)[]). */
export type ReadRow = [body: Record<string, unknown>, version: number, ...joined: unknown[]];

// The answer: [total (the list's size, or -1 for explicit ids), [row, …]]; a missing id is left out.
// With op.text, lines instead: the total, then per row its body, its version, its recorded shape
// (core/store/body-shape.ts; empty when none), one line per join.
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
local text = op.text
if text then put(tostring(total)) else put('[' .. total .. ',[') end
local first = true
for _, id in ipairs(ids) do
  local doc = redis.call('HMGET', op.doc .. id, 'body', 'v', 'shape')
  if doc[1] and doc[2] then
    if text then put('\\n') elseif first then put('[') else put(',[') end
    first = false
    put(doc[1]); put(text and '\\n' or ','); put(doc[2])
    if text then put('\\n'); put(doc[3] or '') end
    for _, j in ipairs(op.joins) do
      put(text and '\\n' or ',')
      if j.kind == 'set' then
        local members = redis.call('SMEMBERS', j.prefix .. id)
        -- An empty Lua table would encode as {}.
        put(#members == 0 and '[]' or encode(members))
      else
        local values = redis.call('HMGET', j.prefix .. id, unpack(j.fields))
        for i = 1, #j.fields do put(i == 1 and '[' or ','); put(values[i] and encode(values[i]) or 'null') end
        put(']')
      end
    end
    if not text then put(']') end
  end
end
if not text then put(']]') end
return table.concat(out)`;

/** One resource as read in text mode: its stored body as text, its version, its joins parsed. */
export interface ReadTextRow {
  body: string;
  version: number;
  /** The shape recorded with the body, or '' (core/store/body-shape.ts). */
  shape: string;
  joined: unknown[];
}

/**
 * The text-mode answer: the total, then per resource its body, its version, its shape and one line
 * per join.
 * Lines split safely: stored bodies and cjson's encodings are JSON texts, which escape every
 * control character, so none holds a raw newline.
 */
export function parseReadText(raw: unknown, joins: number): { total: number; rows: ReadTextRow[] } {
  const lines = String(raw).split('\n');
  const rows: ReadTextRow[] = [];
  const stride = 3 + joins;
  for (let i = 1; i + stride <= lines.length; i += stride) {
    const joined: unknown[] = [];
    for (let j = 0; j < joins; j++) joined.push(JSON.parse(lines[i + 3 + j]!));
    rows.push({ body: lines[i]!, version: Number(lines[i + 1]), shape: lines[i + 2]!, joined });
  }
  return { total: Number(lines[0]), rows };
}

export function parseReadResult(raw: unknown): { total: number; rows: ReadRow[] } {
  const [total, rows] = JSON.parse(String(raw)) as [number, ReadRow[]];
  return { total, rows };
}

/**
 * Reads in text mode (a list page rendered as text, never parsed: issue 13). The command is the
 * one ResourceStore registers; defined here too when this client has not met a store yet.
 */
export async function readText(redis: Redis, slotKey: string, op: Omit<ReadOp, 'text'>): Promise<{ total: number; rows: ReadTextRow[] }> {
  // KEYS[1] is only the connection's base: it sends the call to that connection's slot on a Cluster.
  if (!('scimwrightRead' in redis)) redis.defineCommand('scimwrightRead', { numberOfKeys: 1, lua: READ_SCRIPT });
  const raw = await (redis as unknown as { scimwrightRead(slotKey: string, op: string): Promise<unknown> })
    .scimwrightRead(slotKey, JSON.stringify({ ...op, text: true }));
  return parseReadText(raw, op.joins.length);
}
