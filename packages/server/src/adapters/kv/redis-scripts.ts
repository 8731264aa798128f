// Lua scripts for the Redis KV operations that must be atomic; each mirrors the in-process code exactly.
// Numbers cross the Lua boundary as '%.17g' strings: Redis truncates Lua numbers to integers, and 17
// significant digits round-trip a double, so both implementations compute the same values.

/** KEYS[1] bucket hash {tokens, at}; ARGV perSecond, burst, nowMs, slackMs → {allowed 0|1, tokens}. */
export const TAKE_TOKEN_LUA = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + (math.max(0, now - at) / 1000) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local left = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 'tokens', left, 'at', string.format('%.17g', math.max(at, now)))
redis.call('PEXPIRE', KEYS[1], math.ceil(((burst - tokens) / rate) * 1000) + tonumber(ARGV[4]))
return {allowed, left}
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
