import type { Redis } from 'ioredis';

type WithCommands = Redis & Record<string, (...args: (string | number)[]) => Promise<unknown>>;

/**
 * A Lua script defined once per connection with ioredis' `defineCommand`: calls send EVALSHA (the
 * script text crosses the wire once, not on every call) and fall back to EVAL after a NOSCRIPT
 * (a restarted Redis). Names are unique per process.
 */
export class LuaScript {
  constructor(
    readonly name: string,
    readonly numberOfKeys: number,
    readonly lua: string,
  ) {}

  /** `keys` first, then the arguments, as `redis.eval` takes them after the key count. */
  run(redis: Redis, ...keysThenArgs: (string | number)[]): Promise<unknown> {
    const r = redis as WithCommands;
    if (typeof r[this.name] !== 'function') {
      redis.defineCommand(this.name, { numberOfKeys: this.numberOfKeys, lua: this.lua });
    }
    return r[this.name](...keysThenArgs);
  }
}
