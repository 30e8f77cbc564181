import { LuaScript } from '../lua-script';

/**
 * Takes the thread's turn for a message when it is first in line and nobody holds the turn.
 * The message normally joined the line at ingestion; it joins here too for a job stored without
 * one. A head older than staleBefore while nobody holds the turn is dropped, so one lost job
 * cannot block a thread forever. KEYS: line, lock. ARGV: member, score, holder, ttl ms, staleBefore.
 * Returns 1 when taken.
 */
export const threadLineAcquire = new LuaScript(
  'threadLineAcquire',
  2,
  `
local line, lock = KEYS[1], KEYS[2]
local member, score, holder, ttl, staleBefore = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZADD', line, 'NX', score, member)
redis.call('PEXPIRE', line, 86400000)
local head = redis.call('ZRANGE', line, 0, 0, 'WITHSCORES')
if head[1] ~= member then
  if redis.call('EXISTS', lock) == 0 and tonumber(head[2]) < staleBefore then
    redis.call('ZREM', line, head[1])
  end
  return 0
end
local current = redis.call('GET', lock)
if current == false or current == holder then
  redis.call('SET', lock, holder, 'PX', ttl)
  return 1
end
return 0
`,
);
