/**
 * The Lua behind runner/connection-slots.ts: one script, one connection's keys, so every change of
 * holders, claims and the waiting line is atomic (and touches one Cluster slot).
 *
 * KEYS: holders, claims, tokenClaims, waiting, waiterClaims, throttle (core/store/keys.ts).
 * ARGV: mode, now (ms), configured slots (0: the last one stored), grant lifetime (ms), then per mode:
 *   acquire  jobId, token, lease ms, place, names ("\n"-joined)  → {1|0, waiting, woken…}
 *   release  token                                              → {0, waiting, woken…}
 *   tick     –                                                  → {0, waiting, woken…}
 *   forget   jobId                                              → {0, waiting, woken…}
 *   renew    token, lease ms                                    → 1 | 0
 *   claim    token, names                                       → 1 | 0 (all or none)
 *   slow     retry-after ms, base ms, max ms                    → {slots, until}
 *   ok       –                                                  → {0, waiting, woken…}
 * A name is claimed by one holder at a time: `u:<user>`, `e:<address>`, or `*` (the whole
 * connection, for tasks and checks). A woken waiter gets a grant (`g:<jobId>`): its slot and names
 * are kept for it until it comes back or the grant lapses.
 */
export const SLOTS_SCRIPT = `
local holders, claims, tokenClaims, waiting, waiterClaims, throttle = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local mode, now, grantTtl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[4])

local configured = tonumber(ARGV[3])
if configured > 0 then redis.call('HSET', throttle, 'configured', configured)
else configured = tonumber(redis.call('HGET', throttle, 'configured') or '1') end

local function split(text)
  local out = {}
  for name in string.gmatch(text or '', '[^\\n]+') do out[#out + 1] = name end
  return out
end

local function freeToken(token)
  for _, name in ipairs(split(redis.call('HGET', tokenClaims, token))) do
    if redis.call('HGET', claims, name) == token then redis.call('HDEL', claims, name) end
  end
  redis.call('HDEL', tokenClaims, token)
  redis.call('ZREM', holders, token)
end

local function cleanup()
  for _, token in ipairs(redis.call('ZRANGEBYSCORE', holders, '-inf', now)) do freeToken(token) end
end

-- Slots open now: none while the app asked us to pause, fewer while slowed down.
local function slots()
  local t = redis.call('HMGET', throttle, 'until', 'limit')
  if t[1] and tonumber(t[1]) > now then return 0 end
  if t[2] then return math.min(configured, tonumber(t[2])) end
  return configured
end

local function canClaim(names, token)
  local whole = redis.call('HGET', claims, '*')
  if whole and whole ~= token then return false end
  for _, name in ipairs(names) do
    if name == '*' then
      if redis.call('ZCARD', holders) > 0 then return false end
    else
      local by = redis.call('HGET', claims, name)
      if by and by ~= token then return false end
    end
  end
  return true
end

local function hold(token, names, expiry)
  redis.call('ZADD', holders, expiry, token)
  local all = split(redis.call('HGET', tokenClaims, token))
  for _, name in ipairs(names) do
    if redis.call('HGET', claims, name) ~= token then
      redis.call('HSET', claims, name, token)
      all[#all + 1] = name
    end
  end
  if #all > 0 then redis.call('HSET', tokenClaims, token, table.concat(all, '\\n')) end
end

-- Hands open slots to the waiters first in line whose names are free; an exclusive one that
-- cannot go yet stops the line, so it is not passed over for ever.
local function grant()
  local woken, open = {}, slots()
  for _, jobId in ipairs(redis.call('ZRANGE', waiting, 0, 99)) do
    if redis.call('ZCARD', holders) >= open then break end
    local names = split(redis.call('HGET', waiterClaims, jobId))
    if canClaim(names, nil) then
      hold('g:' .. jobId, names, now + grantTtl)
      redis.call('ZREM', waiting, jobId)
      redis.call('HDEL', waiterClaims, jobId)
      woken[#woken + 1] = jobId
    elseif names[1] == '*' then break end
  end
  return woken
end

local function answer(acquired, woken)
  local out = { acquired, redis.call('ZCARD', waiting) }
  for _, jobId in ipairs(woken) do out[#out + 1] = jobId end
  return out
end

if mode == 'renew' then
  if redis.call('ZSCORE', holders, ARGV[5]) then
    redis.call('ZADD', holders, now + tonumber(ARGV[6]), ARGV[5])
    return 1
  end
  return 0
end
if mode == 'claim' then
  local names = split(ARGV[6])
  if not redis.call('ZSCORE', holders, ARGV[5]) or not canClaim(names, ARGV[5]) then return 0 end
  hold(ARGV[5], names, tonumber(redis.call('ZSCORE', holders, ARGV[5])))
  return 1
end
if mode == 'slow' then
  local strikes = redis.call('HINCRBY', throttle, 'strikes', 1)
  local limit = math.max(1, math.floor(tonumber(redis.call('HGET', throttle, 'limit') or configured) / 2))
  local pause = tonumber(ARGV[5])
  if strikes >= 2 then pause = math.max(pause, math.min(tonumber(ARGV[7]), tonumber(ARGV[6]) * 2 ^ (strikes - 2))) end
  redis.call('HSET', throttle, 'limit', limit, 'until', now + pause)
  return { limit, now + pause }
end

cleanup()
if mode == 'release' then freeToken(ARGV[5]) end
if mode == 'forget' then
  redis.call('ZREM', waiting, ARGV[5])
  redis.call('HDEL', waiterClaims, ARGV[5])
  freeToken('g:' .. ARGV[5])
end
if mode == 'ok' then
  redis.call('HDEL', throttle, 'strikes')
  local limit = redis.call('HGET', throttle, 'limit')
  if limit and tonumber(limit) + 1 >= configured then redis.call('HDEL', throttle, 'limit')
  elseif limit then redis.call('HSET', throttle, 'limit', tonumber(limit) + 1) end
end
if mode ~= 'acquire' then return answer(0, grant()) end

local jobId, token, lease, names = ARGV[5], ARGV[6], tonumber(ARGV[7]), split(ARGV[9])
local granted = redis.call('ZSCORE', holders, 'g:' .. jobId)
if granted then freeToken('g:' .. jobId) end
if granted and redis.call('ZCARD', holders) < slots() and canClaim(names, nil) then
  hold(token, names, now + lease)
  redis.call('ZREM', waiting, jobId)
  redis.call('HDEL', waiterClaims, jobId)
  return answer(1, grant())
end
redis.call('ZADD', waiting, 'LT', tonumber(ARGV[8]), jobId)
redis.call('HSET', waiterClaims, jobId, ARGV[9])
local woken, others = grant(), {}
local mine = false
for _, id in ipairs(woken) do
  if id == jobId then mine = true else others[#others + 1] = id end
end
if mine then
  freeToken('g:' .. jobId)
  hold(token, names, now + lease)
end
return answer(mine and 1 or 0, others)
`;
