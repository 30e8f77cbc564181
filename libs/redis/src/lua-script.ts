import type { ChainableCommander, Redis } from 'ioredis';

type WithCommands = Redis & Record<string, (...args: (string | number)[]) => Promise<unknown>>;
type PipelineWithCommands = ChainableCommander & Record<string, (...args: (string | number)[]) => ChainableCommander>;

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
    return (this.define(redis) as WithCommands)[this.name](...keysThenArgs);
  }

  /** Defines the command on a connection (once); pipelines made from it afterwards have it too. */
  define(redis: Redis): Redis {
    if (typeof (redis as WithCommands)[this.name] !== 'function') {
      redis.defineCommand(this.name, { numberOfKeys: this.numberOfKeys, lua: this.lua });
    }
    return redis;
  }

  /** Queues a call on a pipeline of a connection this script was `define`d on before the pipeline was made. */
  queue(pipeline: ChainableCommander, ...keysThenArgs: (string | number)[]): ChainableCommander {
    return (pipeline as PipelineWithCommands)[this.name](...keysThenArgs);
  }
}
