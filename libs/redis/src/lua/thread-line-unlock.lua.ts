import { LuaScript } from '../lua-script';

/** Frees the thread's turn if this holder has it; the message stays first in line. KEYS: lock. ARGV: holder. */
export const threadLineUnlock = new LuaScript(
  'threadLineUnlock',
  1,
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`,
);
