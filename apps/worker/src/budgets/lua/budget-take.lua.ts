import { LuaScript } from '@app/redis';
import { NOW } from './budget-now';

/**
 * A sliding-window log per budget, shared by every worker process: drop entries older than the
 * window; under the limit → record this call; otherwise say when the oldest entry leaves.
 * An entry's score is when the call counts from: the grant, or (spend) grant + lease while the call
 * is in flight, then its completion. A window full of calls in flight frees up a window after they end.
 * KEYS: the budget. ARGV: window ms, limit, unit id, lease ms. Returns 0 when taken, else the wait in ms.
 */
export const budgetTake = new LuaScript(
  'budgetTake',
  1,
  `${NOW}
local key, window, limit, id, lease = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + lease, id)
  if redis.call('PTTL', key) < window + lease then redis.call('PEXPIRE', key, window + lease) end
  return 0
end
local oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
if oldest > now then return window end
return math.max(1, oldest + window - now)
`,
);
