import { LuaScript } from '@app/redis';
import { NOW } from './budget-now';

/** A spend() call ended: its unit counts from now on, for one window. KEYS: budget. ARGV: unit id, key ttl ms. */
export const budgetSettle = new LuaScript(
  'budgetSettle',
  1,
  `${NOW}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[1], now, ARGV[1]) end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`,
);
