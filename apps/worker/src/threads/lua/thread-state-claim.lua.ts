import { LuaScript } from '@app/redis';

/**
 * Sets a field and its owner field together, only if the field is not set yet, so the winner of a
 * once-only action (a handoff) is known even after a crash. KEYS: the thread state hash. ARGV:
 * field, value, owner field, owner, ttl s. Returns 1 when this call set them.
 */
export const threadStateClaim = new LuaScript(
  'threadStateClaim',
  1,
  `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
`,
);
