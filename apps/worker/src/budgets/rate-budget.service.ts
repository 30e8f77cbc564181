import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';
import { budgetReservations } from './budget-reservations';
import { budgetSettle } from './lua/budget-settle.lua';
import { budgetSlotAcquire } from './lua/budget-slot-acquire.lua';
import { budgetTake } from './lua/budget-take.lua';
import { WorkerMetrics } from '../metrics/worker-metrics.service';

export interface BudgetSpec {
  /** Redis key suffix: what is limited (e.g. `hubspot:standard`, `airtable:appXYZ`). */
  name: string;
  limit: number;
  windowMs: number;
}

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
    /** A unit is reserved for the job at that moment: come back exactly then. */
    readonly reserved = false,
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
/** budgetTake's answers. */
const [TAKEN, TAKEN_AT, RESERVED] = [0, 1, 2];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
      await budgetSettle
        .run(this.redis, RedisKeys.budget(spec.name), id, String(this.windowOf(spec) + IN_FLIGHT_LEASE_MS))
        .catch(() => undefined); // unsettled, the unit still frees itself when its lease ends
    }
  }

  /**
   * The unit's id once taken. A unit free now is taken; otherwise the next one in order is placed
   * for this call: a short wait is slept in process; a longer one inside a job reserves the unit
   * for that job, which waits as a delayed job until it is due (RateBudgetExhaustedError with the
   * exact time) and uses it when it comes back.
   */
  private async takeUnit(spec: BudgetSpec, leaseMs: number): Promise<string> {
    const started = Date.now();
    const deadline = started + MAX_INLINE_WAIT_MS;
    const reservationId = leaseMs === 0 ? (budgetReservations.getStore()?.reservationId ?? '') : '';
    for (let round = 0; ; round++) {
      const id = `${process.pid}-${Date.now()}-${(sequence = (sequence + 1) % 1e9)}`;
      const [code, waitMs] = (await budgetTake.run(
        this.redis,
        RedisKeys.budget(spec.name),
        String(this.windowOf(spec)),
        String(spec.limit),
        id,
        String(leaseMs),
        String(Math.max(0, deadline - Date.now())),
        reservationId,
        String(this.lateToleranceOf(spec)),
      )) as [number, number];
      if (code === TAKEN_AT) await sleep(waitMs);
      if (code === TAKEN || code === TAKEN_AT) {
        this.taken(spec.name, round > 0 || code === TAKEN_AT ? started : undefined);
        return id;
      }
      if (code === RESERVED || Date.now() + waitMs > deadline) {
        throw this.exhausted(spec.name, round > 0 ? started : undefined, waitMs, code === RESERVED);
      }
      await sleep(waitMs + Math.floor(Math.random() * 20));
    }
  }

  /**
   * How late a job may come back for its reserved unit: most of the window's slack (a unit that
   * counts from its reserved moment is safe while the call reaches the provider within the slack);
   * the rest covers the request's way there.
   */
  private lateToleranceOf(spec: BudgetSpec): number {
    return Math.floor(spec.windowMs * (WINDOW_SLACK - 1) * 0.8);
  }

  /**
   * Runs `fn` holding one of `spec.limit` slots shared by all workers (e.g. concurrent model calls).
   * Waits for a slot like take(); the slot is released when `fn` settles.
   */
  async withSlot<T>(spec: ConcurrencySpec, fn: () => Promise<T>): Promise<T> {
    if (spec.limit <= 0) return fn();
    const id = `${process.pid}-${Date.now()}-${(sequence = (sequence + 1) % 1e9)}`;
    const key = RedisKeys.budget(spec.name);
    const started = Date.now();
    const deadline = started + MAX_INLINE_WAIT_MS;
    let waited = false;
    for (; ; waited = true) {
      const got = await budgetSlotAcquire.run(this.redis, key, String(spec.limit), id, String(spec.leaseMs));
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

  private exhausted(
    budget: string,
    waitedSince: number | undefined,
    retryAfterMs: number,
    reserved = false,
  ): RateBudgetExhaustedError {
    this.taken(budget, waitedSince);
    this.metrics.countBudgetExhausted(budget);
    return new RateBudgetExhaustedError(budget, retryAfterMs, reserved);
  }

  private windowOf(spec: BudgetSpec): number {
    return Math.ceil(spec.windowMs * WINDOW_SLACK);
  }
}
