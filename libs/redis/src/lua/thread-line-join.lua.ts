import { LuaScript } from '../lua-script';

/**
 * At ingestion, in the pipeline that stores the message's job: the message joins its thread's
 * line (ordered by message time) unless its job exists already (a redelivery, or a message whose
 * turn is over: it must not join again). KEYS: job hash, line. ARGV: member, score.
 */
export const threadLineJoin = new LuaScript(
  'threadLineJoin',
  2,
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[2], 'NX', tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], 86400000)
return 1
`,
);
