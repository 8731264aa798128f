// Lua scripts for the Redis KV operations that must be atomic; each mirrors the in-process code exactly.
// Numbers cross the Lua boundary as '%.17g' strings: Redis truncates Lua numbers to integers, and 17
// significant digits round-trip a double, so both implementations compute the same values.

/**
 * KEYS: bucket hashes {tokens, at}; ARGV: nowMs, slackMs, then perSecond and burst for each key.
 * Takes a token from every bucket or from none → {refusedIndex (1-based, 0 = allowed), tokens...}.
 */
export const TAKE_TOKENS_LUA = `
local now = tonumber(ARGV[1])
local slack = tonumber(ARGV[2])
local tokens, ats = {}, {}
for i = 1, #KEYS do
  local rate = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local t = tonumber(state[1])
  local at = tonumber(state[2])
  if t == nil or at == nil then
    t = burst
    at = now
  end
  tokens[i] = math.min(burst, t + (math.max(0, now - at) / 1000) * rate)
  ats[i] = math.max(at, now)
end
local refused = 0
for i = 1, #KEYS do
  if tokens[i] < 1 then
    refused = i
    break
  end
end
local out = {refused}
for i = 1, #KEYS do
  if refused == 0 then tokens[i] = tokens[i] - 1 end
  local rate = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  redis.call('HSET', KEYS[i], 'tokens', string.format('%.17g', tokens[i]), 'at', string.format('%.17g', ats[i]))
  redis.call('PEXPIRE', KEYS[i], math.ceil(((burst - tokens[i]) / rate) * 1000) + slack)
  out[#out + 1] = string.format('%.17g', tokens[i])
end
return out
`;

/** KEYS[1] buckets hash {start → total}; ARGV bucketStartMs, by, ttlMs → the bucket's total. */
export const INCR_BUCKET_LUA = `
local ttl = tonumber(ARGV[3])
local fresh = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0
local total = redis.call('HINCRBYFLOAT', KEYS[1], ARGV[1], ARGV[2])
if fresh then
  local starts = redis.call('HKEYS', KEYS[1])
  local newest = -math.huge
  for _, s in ipairs(starts) do newest = math.max(newest, tonumber(s)) end
  local stale = {}
  for _, s in ipairs(starts) do
    if tonumber(s) + ttl <= newest then stale[#stale + 1] = s end
  end
  if #stale > 0 then redis.call('HDEL', KEYS[1], unpack(stale)) end
  if tonumber(ARGV[1]) + ttl <= newest then total = '0' end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return total
`;

/** KEYS[1] buckets hash; ARGV fromMs, toMs → the sum of buckets starting in [from, to). */
export const SUM_BUCKETS_LUA = `
local from = tonumber(ARGV[1])
local to = tonumber(ARGV[2])
local kv = redis.call('HGETALL', KEYS[1])
local sum = 0
for i = 1, #kv, 2 do
  local start = tonumber(kv[i])
  if start >= from and start < to then sum = sum + tonumber(kv[i + 1]) end
end
return string.format('%.17g', sum)
`;

// The writes of `writeMany` that take more than one command, one script each so each stays atomic on its
// key. ARGV[1] is the TTL in ms, '' for none; long argument lists are unpacked in slices (Lua's stack).

/** KEYS[1] hash; ARGV ttlMs, then field, value pairs. */
export const HSET_LUA = `
for i = 2, #ARGV, 1000 do redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
if ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 0
`;

/** KEYS[1] hash; ARGV ttlMs, then field, increment pairs (a non-number field fails after those before it). */
export const HINCR_LUA = `
for i = 2, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 0
`;

/** KEYS[1] hash; ARGV field, number pairs: each field raised to at least its number. */
export const HMAX_LUA = `
for i = 1, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]))
  if current == nil or current < tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 0
`;

/** KEYS[1] list; ARGV ttlMs, maxLen, then the values (the last one ends at the head). */
export const LPUSH_TRIM_LUA = `
for i = 3, #ARGV, 1000 do redis.call('LPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
if ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 0
`;
