import { LuaScript } from '../lua-script';

/**
 * A message's turn is over: it leaves the line (with the messages its turn answered together with
 * it) and the turn is freed. Returns the message now first in line (to be started at once) when
 * nobody holds the turn, else false. KEYS: line, lock. ARGV: member, holder, answered members...
 */
export const threadLineFinish = new LuaScript(
  'threadLineFinish',
  2,
  `
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[1], ARGV[1], unpack(ARGV, 3))
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
return head[1] or false
`,
);
