import { LuaScript } from '@app/redis';

/**
 * For each entry: store it unless its id is already there; either way return the stored one. Entries
 * beyond the cap leave from the head with their ids. Both keys live as long as the thread is active.
 * KEYS: transcript list, entry ids hash. ARGV: ttl s, max entries, then id/JSON pairs.
 */
export const transcriptAppendOnce = new LuaScript(
  'transcriptAppendOnce',
  2,
  `
local stored = {}
for i = 3, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('RPUSH', KEYS[1], ARGV[i + 1])
    stored[#stored + 1] = ARGV[i + 1]
  else
    stored[#stored + 1] = redis.call('HGET', KEYS[2], ARGV[i])
  end
end
local excess = redis.call('LLEN', KEYS[1]) - tonumber(ARGV[2])
for _ = 1, excess do
  local old = redis.call('LPOP', KEYS[1])
  local ok, entry = pcall(cjson.decode, old)
  if ok and entry.id then redis.call('HDEL', KEYS[2], entry.id) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return stored
`,
);
