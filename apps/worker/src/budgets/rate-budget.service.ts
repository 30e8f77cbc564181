import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION } from '@app/redis';

// A sliding-window log per budget, shared by every worker process: drop entries older than the
// window; under the limit → record this call; otherwise say when the oldest entry leaves.
const TAKE = `
local key, now, window, limit, id = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, id)
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

export interface BudgetSpec {
  /** Redis key suffix: what is limited (e.g. `hubspot:standard`, `airtable:appXYZ`). */
  name: string;
  limit: number;
  windowMs: number;
}

// A counting semaphore of leases (score = expiry): expired leases of crashed workers free themselves.
const ACQUIRE = `
local key, now, limit, id, ttl = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + ttl, id)
  redis.call('PEXPIRE', key, ttl)
  return 1
end
return 0
`;

export interface ConcurrencySpec {
  name: string;
  limit: number;
  /** A lease outlives the call it guards; a crashed holder's lease frees itself after this. */
  leaseMs: number;
}

/** Waited for longer than a job should sit on a worker slot: the job goes back to the queue. */
export class RateBudgetExhaustedError extends Error {
  constructor(
    readonly budget: string,
    readonly retryAfterMs: number,
  ) {
    super(`rate budget ${budget} exhausted; retry in ${retryAfterMs} ms`);
    this.name = 'RateBudgetExhaustedError';
  }
}

/**
 * The provider counts a request when it arrives, we when we grant it: a 10 % longer window keeps
 * the gap between the two from ever putting one request too many into the provider's window.
 */
const WINDOW_SLACK = 1.1;

/** Longest in-process wait for budget; beyond it the job is delayed instead (no attempt spent). */
const MAX_INLINE_WAIT_MS = 2000;
const SLOT_POLL_MS = 50;
let sequence = 0;

/**
 * Provider rate limits as budgets shared by all workers through Redis, so a burst is absorbed by
 * waiting (briefly in process, otherwise as a delayed job) instead of by 429s from the provider.
 */
@Injectable()
export class RateBudget {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  /** Takes one unit of `spec`, waiting up to MAX_INLINE_WAIT_MS; throws RateBudgetExhaustedError beyond. */
  async take(spec: BudgetSpec): Promise<void> {
    const deadline = Date.now() + MAX_INLINE_WAIT_MS;
    for (;;) {
      const waitMs = await this.tryTake(spec);
      if (waitMs === 0) return;
      if (Date.now() + waitMs > deadline) throw new RateBudgetExhaustedError(spec.name, waitMs);
      await new Promise((r) => setTimeout(r, waitMs + Math.floor(Math.random() * 20)));
    }
  }

  /**
   * Runs `fn` holding one of `spec.limit` slots shared by all workers (e.g. concurrent model calls).
   * Waits for a slot like take(); the slot is released when `fn` settles.
   */
  async withSlot<T>(spec: ConcurrencySpec, fn: () => Promise<T>): Promise<T> {
    const id = `${process.pid}-${Date.now()}-${(sequence = (sequence + 1) % 1e9)}`;
    const key = `budget:${spec.name}`;
    const deadline = Date.now() + MAX_INLINE_WAIT_MS;
    for (;;) {
      const got = await this.redis.eval(
        ACQUIRE,
        1,
        key,
        String(Date.now()),
        String(spec.limit),
        id,
        String(spec.leaseMs),
      );
      if (got === 1) break;
      if (Date.now() + SLOT_POLL_MS > deadline) throw new RateBudgetExhaustedError(spec.name, 1000);
      await new Promise((r) => setTimeout(r, SLOT_POLL_MS + Math.floor(Math.random() * 20)));
    }
    try {
      return await fn();
    } finally {
      await this.redis.zrem(key, id);
    }
  }

  /** 0 when taken, else how long until a unit frees up (ms). */
  private async tryTake(spec: BudgetSpec): Promise<number> {
    const id = `${process.pid}-${Date.now()}-${(sequence = (sequence + 1) % 1e9)}`;
    const result = await this.redis.eval(
      TAKE,
      1,
      `budget:${spec.name}`,
      String(Date.now()),
      String(Math.ceil(spec.windowMs * WINDOW_SLACK)),
      String(spec.limit),
      id,
    );
    return Number(result);
  }
}
