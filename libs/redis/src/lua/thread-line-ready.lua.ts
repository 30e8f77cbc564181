import { LuaScript } from '../lua-script';

/**
 * May this waiting message run now? Yes when it is first in line with nobody holding the turn, and
 * when it is no longer in line at all: an earlier message's turn answered it together with its own
 * (and tried to start it while its job was still on its way to waiting), so it runs now to finish.
 * KEYS: line, lock. ARGV: member.
 */
export const threadLineReady = new LuaScript(
  'threadLineReady',
  2,
  `
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if rank == false then return 1 end
if rank ~= 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
return 1
`,
);
