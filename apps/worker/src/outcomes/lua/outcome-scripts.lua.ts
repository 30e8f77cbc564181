import { LuaScript } from '@app/redis';

/**
 * Takes a thread off its portal's pending set only if it is still due (new activity since it was
 * read moved it later: it stays). The one caller that gets 1 counts the outcome in the metrics, so
 * a redelivered sweep counts nothing twice. KEYS: pending set. ARGV: thread id, now ms.
 */
export const outcomeClaim = new LuaScript(
  'outcomeClaim',
  1,
  `
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`,
);

/**
 * Counts one feedback tap once per visitor message (a redelivered turn finds the marker).
 * KEYS: tap marker, signals hash (one thread: one slot). ARGV: kind, retention s, counter field.
 */
export const feedbackTap = new LuaScript(
  'feedbackTap',
  2,
  `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
return 1
`,
);
