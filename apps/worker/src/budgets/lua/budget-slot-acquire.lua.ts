import { LuaScript } from '@app/redis';
import { NOW } from './budget-now';

/**
 * A counting semaphore of leases (score = expiry): expired leases of crashed workers free
 * themselves. KEYS: semaphore. ARGV: limit, lease id, ttl ms. Returns 1 when acquired.
 */
export const budgetSlotAcquire = new LuaScript(
  'budgetSlotAcquire',
  1,
  `${NOW}
local key, limit, id, ttl = KEYS[1], tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + ttl, id)
  redis.call('PEXPIRE', key, ttl)
  return 1
end
return 0
`,
);
