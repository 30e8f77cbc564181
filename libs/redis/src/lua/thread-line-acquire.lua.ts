import { LuaScript } from '../lua-script';

/**
 * Takes the thread's turn for a message when it is first in line and nobody holds the turn, and
 * returns the messages waiting behind it (at most take - 1), which the turn may answer together
 * with it: the range read that finds the head costs the same for one or ten.
 * The message normally joined the line at ingestion; it joins here too for a job stored without
 * one. A message that was not in line and whose progress says done had its turn already (it was
 * answered, perhaps together with an earlier message, while its job was on its way here): it does
 * not join again. Only then is the progress read, so the common case costs nothing more.
 * A head older than staleBefore while nobody holds the turn is dropped, so one lost job cannot
 * block a thread forever. KEYS: line, lock, progress. ARGV: member, score, holder, ttl ms,
 * staleBefore, take. Returns {1, waiting...} when taken, 0 when busy, -1 when already done.
 */
export const threadLineAcquire = new LuaScript(
  'threadLineAcquire',
  3,
  `
local line, lock, progress = KEYS[1], KEYS[2], KEYS[3]
local member, score, holder, ttl, staleBefore = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local take = tonumber(ARGV[6] or '1')
if redis.call('ZADD', line, 'NX', score, member) == 1 then
  local saved = redis.call('GET', progress)
  if saved then
    local ok, p = pcall(cjson.decode, saved)
    if ok and type(p) == 'table' and p.done == true then
      redis.call('ZREM', line, member)
      return -1
    end
  end
end
redis.call('PEXPIRE', line, 86400000)
local head = redis.call('ZRANGE', line, 0, take - 1, 'WITHSCORES')
if head[1] ~= member then
  if redis.call('EXISTS', lock) == 0 and tonumber(head[2]) < staleBefore then
    redis.call('ZREM', line, head[1])
  end
  return 0
end
local current = redis.call('GET', lock)
if current == false or current == holder then
  redis.call('SET', lock, holder, 'PX', ttl)
  local taken = {1}
  for i = 3, #head, 2 do taken[#taken + 1] = head[i] end
  return taken
end
return 0
`,
);
