import { LuaScript } from '../lua-script';

/** Is this message first in line with nobody holding the turn? KEYS: line, lock. ARGV: member. */
export const threadLineReady = new LuaScript(
  'threadLineReady',
  2,
  `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
if head[1] == ARGV[1] then return 1 end
return 0
`,
);
