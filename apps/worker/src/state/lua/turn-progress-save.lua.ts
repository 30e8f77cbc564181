import { LuaScript } from '@app/redis';

/**
 * Saves a turn's progress (and the own-message mark of a reply part just posted) only while the
 * queue's lock on the job is still the caller's. KEYS: progress, BullMQ job lock, own-message
 * mark ('' for none). ARGV: progress JSON, ttl s, lock token, mark ttl s. Returns 1 when saved.
 */
export const turnProgressSave = new LuaScript(
  'turnProgressSave',
  3,
  `
if redis.call('GET', KEYS[2]) ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if KEYS[3] ~= '' then redis.call('SET', KEYS[3], '1', 'EX', ARGV[4]) end
return 1
`,
);
