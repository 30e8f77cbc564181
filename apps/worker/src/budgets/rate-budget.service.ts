import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LuaScript, REDIS_CONNECTION } from '@app/redis';
import { WorkerMetrics } from '../metrics/worker-metrics.service';

// Redis's clock, not the caller's: a worker's Date.now() goes stale while its EVAL waits in the
// client's and the server's queues, and workers on different hosts disagree.
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// A sliding-window log per budget, shared by every worker process: drop entries older than the
// window; under the limit → record this call; otherwise say when the oldest entry leaves.
// An entry's score is when the call counts from: the grant, or (spend) grant + lease while the call
// is in flight, then its completion. A window full of calls in flight frees up a window after they end.
const TAKE = new LuaScript(
  'budgetTake',
  1,
  `${NOW}
local key, window, limit, id, lease = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + lease, id)
  if redis.call('PTTL', key) < window + lease then redis.call('PEXPIRE', key, window + lease) end
  return 0
end
local oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
if oldest > now then return window end
return math.max(1, oldest + window - now)
`,
);

// A call of spend() ended: it counts from now on, for one window.
const SETTLE = new LuaScript(
  'budgetSettle',
  1,
  `${NOW}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[1], now, ARGV[1]) end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`,
);

export interface BudgetSpec {
  /** Redis key suffix: what is limited (e.g. `hubspot:standard`, `airtable:appXYZ`). */
  name: string;
  limit: number;
  windowMs: number;
}

// A counting semaphore of leases (score = expiry): expired leases of crashed workers free themselves.
const ACQUIRE = new LuaScript(
  'budgetAcquire',
  1,
  `${NOW}
local key, limit, id, ttl = KEYS[1], tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + ttl, id)
  redis.call('PEXPIRE', key, ttl)
  return 1
end
return 0
`,
);

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
/** spend(): how long a call in flight counts as if it had just arrived, should its worker die mid-call. */
const IN_FLIGHT_LEASE_MS = 30_000;
let sequence = 0;

/**
 * Provider rate limits as budgets shared by all workers through Redis, so a burst is absorbed by
 * waiting (briefly in process, otherwise as a delayed job) instead of by 429s from the provider.
 */
@Injectable()
export class RateBudget {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly metrics: WorkerMetrics,
  ) {}

  /**
   * Takes one unit of `spec`, counted from now (the window is 10 % longer than the provider's to
   * cover the request's way there), waiting up to MAX_INLINE_WAIT_MS; throws RateBudgetExhaustedError beyond.
   */
  async take(spec: BudgetSpec): Promise<void> {
    if (spec.limit <= 0) return; // 0 = no budget (configured off)
    await this.takeUnit(spec, 0);
  }

  /**
   * Runs `fn` as one unit of `spec` that counts while `fn` runs and for a window after it settled:
   * the provider saw the request before it answered, so no delay between the grant and the
   * request's arrival (event-loop lag, a GC pause, connection set-up) can put one request too many
   * into the provider's window. For providers that punish a violation hard (Airtable: 30 s).
   * Waits like take(). One budget should use either take() or spend(), not both.
   */
  async spend<T>(spec: BudgetSpec, fn: () => Promise<T>): Promise<T> {
    if (spec.limit <= 0) return fn();
    const id = await this.takeUnit(spec, IN_FLIGHT_LEASE_MS);
    try {
      return await fn();
    } finally {
      await SETTLE.run(this.redis, `budget:${spec.name}`, id, String(this.windowOf(spec) + IN_FLIGHT_LEASE_MS)).catch(
        () => undefined,
      ); // unsettled, the unit still frees itself when its lease ends
    }
  }

  /** The unit's id once taken. */
  private async takeUnit(spec: BudgetSpec, leaseMs: number): Promise<string> {
    const started = Date.now();
    const deadline = started + MAX_INLINE_WAIT_MS;
    for (let round = 0; ; round++) {
      const id = `${process.pid}-${Date.now()}-${(sequence = (sequence + 1) % 1e9)}`;
      const waitMs = await this.tryTake(spec, id, leaseMs);
      if (waitMs === 0) {
        this.taken(spec.name, round > 0 ? started : undefined);
        return id;
      }
      if (Date.now() + waitMs > deadline) throw this.exhausted(spec.name, round > 0 ? started : undefined, waitMs);
      await new Promise((r) => setTimeout(r, waitMs + Math.floor(Math.random() * 20)));
    }
  }

  /**
   * Runs `fn` holding one of `spec.limit` slots shared by all workers (e.g. concurrent model calls).
   * Waits for a slot like take(); the slot is released when `fn` settles.
   */
  async withSlot<T>(spec: ConcurrencySpec, fn: () => Promise<T>): Promise<T> {
    if (spec.limit <= 0) return fn();
    const id = `${process.pid}-${Date.now()}-${(sequence = (sequence + 1) % 1e9)}`;
    const key = `budget:${spec.name}`;
    const started = Date.now();
    const deadline = started + MAX_INLINE_WAIT_MS;
    let waited = false;
    for (; ; waited = true) {
      const got = await ACQUIRE.run(this.redis, key, String(spec.limit), id, String(spec.leaseMs));
      if (got === 1) break;
      if (Date.now() + SLOT_POLL_MS > deadline) throw this.exhausted(spec.name, waited ? started : undefined, 1000);
      await new Promise((r) => setTimeout(r, SLOT_POLL_MS + Math.floor(Math.random() * 20)));
    }
    this.taken(spec.name, waited ? started : undefined);
    try {
      return await fn();
    } finally {
      await this.redis.zrem(key, id);
    }
  }

  /** `waitedSince`: when the wait began, if this call had to wait at all. */
  private taken(budget: string, waitedSince?: number): void {
    this.metrics.observeBudgetTake(budget, waitedSince === undefined ? 0 : (Date.now() - waitedSince) / 1000);
  }

  private exhausted(budget: string, waitedSince: number | undefined, retryAfterMs: number): RateBudgetExhaustedError {
    this.taken(budget, waitedSince);
    this.metrics.countBudgetExhausted(budget);
    return new RateBudgetExhaustedError(budget, retryAfterMs);
  }

  private windowOf(spec: BudgetSpec): number {
    return Math.ceil(spec.windowMs * WINDOW_SLACK);
  }

  /** 0 when taken, else how long until a unit frees up (ms). */
  private async tryTake(spec: BudgetSpec, id: string, leaseMs: number): Promise<number> {
    const result = await TAKE.run(
      this.redis,
      `budget:${spec.name}`,
      String(this.windowOf(spec)),
      String(spec.limit),
      id,
      String(leaseMs),
    );
    return Number(result);
  }
}
