/**
 * One Lua script writes a resource and every index it touches, so uniqueness checks, version
 * checks and index updates are atomic: ten concurrent creates of one userName give one winner.
 * Keys are derived from ARGV (single-node Redis; the prefix keeps deployments apart).
 */
import { MOVE_STATE_LUA } from '../provisioning/state-index.ts';

export const SAVE_SCRIPT = `${MOVE_STATE_LUA}
local op = cjson.decode(ARGV[1])
local docKey = op.doc
local current = redis.call('HGET', docKey, 'v')
if op.expect == 'absent' then
  if current then return {'exists'} end
elseif op.expect ~= 'any' then
  if not current then return {'missing'} end
  if current ~= tostring(op.expect) then return {'version', current} end
end
local function taken(hash, key)
  if not key then return false end
  local owner = redis.call('HGET', hash, key)
  return owner and owner ~= op.id
end
local function release(hash, key, keep)
  if key and key ~= keep and redis.call('HGET', hash, key) == op.id then redis.call('HDEL', hash, key) end
end
for _, u in ipairs(op.unique or {}) do
  if taken(u.hash, u.set) or taken(u.hash, u.setLegacy) then return {'conflict', u.attr} end
end
for _, u in ipairs(op.unique or {}) do
  release(u.hash, u.unset, u.set)
  release(u.hash, u.unsetLegacy, u.set)
  if u.set then redis.call('HSET', u.hash, u.set, op.id) end
end
for _, l in ipairs(op.lex or {}) do
  if l.unset and l.unset ~= l.set then redis.call('ZREM', l.zset, l.unset) end
  if l.set then redis.call('ZADD', l.zset, 0, l.set) end
end
for _, s in ipairs(op.sets or {}) do
  for _, m in ipairs(s.add or {}) do redis.call('SADD', s.key, m) end
  for _, m in ipairs(s.rem or {}) do redis.call('SREM', s.key, m) end
end
local version = 0
if op.body then
  version = (tonumber(current) or 0) + 1
  redis.call('HSET', docKey, 'body', op.body, 'v', version)
  if op.shape then redis.call('HSET', docKey, 'shape', op.shape) else redis.call('HDEL', docKey, 'shape') end
  if op.expect == 'absent' then
    local seq = redis.call('INCR', op.seqKey)
    redis.call('ZADD', op.listKey, seq, op.id)
  end
else
  redis.call('DEL', docKey)
  redis.call('ZREM', op.listKey, op.id)
end
for _, g in ipairs(op.bump or {}) do
  redis.call('HINCRBY', g.key, 'generation', 1)
  redis.call('HSET', g.key, 'state', 'pending', 'changedAt', op.now)
  if g.fields and #g.fields > 0 then redis.call('HSET', g.key, unpack(g.fields)) end
  redis.call('SADD', op.provIndex, g.id)
  moveState(op.provStatePrefix, g.id, 'pending', op.nowMs, false)
end
return {'ok', tostring(version)}
`;

export interface UniqueChange {
  /** Attribute name reported on conflict. */
  attr: string;
  hash: string;
  set?: string;
  unset?: string;
  /** The keys an older version used (lower case only), still checked and released. */
  setLegacy?: string;
  unsetLegacy?: string;
}

export interface LexChange {
  zset: string;
  set?: string;
  unset?: string;
}

export interface SetChange {
  key: string;
  add?: string[];
  rem?: string[];
}

export interface SaveOp {
  id: string;
  doc: string;
  listKey: string;
  seqKey: string;
  /** 'absent' to create, 'any' to skip the check, or the version the caller read. */
  expect: 'absent' | 'any' | number;
  /** New JSON body; omitted to delete. */
  body?: string;
  /** The body's text shape (core/store/body-shape.ts), for list pages; absent when it has none. */
  shape?: string;
  unique?: UniqueChange[];
  lex?: LexChange[];
  sets?: SetChange[];
  /** Users whose desired state changed: their provisioning generation is bumped. */
  bump?: ProvisioningBump[];
  provIndex: string;
  /** Key prefix of the per-state user sets (core/provisioning/state-index.ts). */
  provStatePrefix: string;
  now: string;
  nowMs: number;
}

export interface ProvisioningBump {
  id: string;
  key: string;
  /** Flat field/value list stored with the bump (e.g. the userName a removal needs later). */
  fields?: string[];
}

export type SaveResult =
  | { kind: 'ok'; version: number }
  | { kind: 'exists' | 'missing' }
  | { kind: 'version'; current: number }
  | { kind: 'conflict'; attr: string };

export function parseSaveResult(raw: unknown): SaveResult {
  const [kind, value] = raw as [string, string | undefined];
  switch (kind) {
    case 'ok': return { kind, version: Number(value) };
    case 'version': return { kind, current: Number(value) };
    case 'conflict': return { kind, attr: String(value) };
    case 'exists': case 'missing': return { kind };
    default: throw new Error(`unexpected save result ${String(kind)}`);
  }
}
