import { LuaScript } from '@app/redis';

/**
 * Counts one visitor message in its gap group, once (a retried turn counts nothing), and keeps the
 * index bounded by age and size. KEYS: message marker, gap hash, gap index. ARGV: now ms, question,
 * language, profile, thread id, retention s, max groups, gap id, the group's index terms. Returns the group's count, or 0
 * when the message was already counted.
 */
export const knowledgeGapRecord = new LuaScript(
  'knowledgeGapRecord',
  3,
  `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[6]) then return 0 end
local count = redis.call('HINCRBY', KEYS[2], 'count', 1)
if count == 1 then redis.call('HSET', KEYS[2], 'firstSeen', ARGV[1], 'question', ARGV[2], 'terms', ARGV[9]) end
redis.call('HSET', KEYS[2], 'lastSeen', ARGV[1], 'lastQuestion', ARGV[2], 'language', ARGV[3],
  'profile', ARGV[4], 'threadId', ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[8])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[6]) * 1000)
local size = redis.call('ZCARD', KEYS[3])
if size > tonumber(ARGV[7]) then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, size - tonumber(ARGV[7]) - 1) end
return count
`,
);
