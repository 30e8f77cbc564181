import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { budgetReservations } from '../../apps/worker/src/budgets/budget-reservations';
import { RateBudget, RateBudgetExhaustedError } from '../../apps/worker/src/budgets/rate-budget.service';
import { WorkerMetrics } from '../../apps/worker/src/metrics/worker-metrics.service';
import { TestRedisServer } from '../support/redis-server';

/** calls of EVAL and EVALSHA so far, from INFO commandstats. */
async function commandCalls(redis: Redis): Promise<{ eval: number; evalsha: number }> {
  const info = await redis.info('commandstats');
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return { eval: calls('eval'), evalsha: calls('evalsha') };
}

describe('RateBudget (Redis sliding window shared by processes)', () => {
  let server: TestRedisServer;
  let a: Redis;
  let b: Redis;
  const metrics = new WorkerMetrics(new Registry());
  beforeAll(async () => {
    server = await TestRedisServer.start();
    a = new Redis(server.url);
    b = new Redis(server.url);
  });
  afterAll(async () => {
    await a.quit();
    await b.quit();
    await server.destroy();
  });

  it('is shared across connections (two workers) and never exceeds the limit in any window', async () => {
    const spec = { name: 'test:shared', limit: 4, windowMs: 400 };
    const workers = [new RateBudget(a, metrics), new RateBudget(b, metrics)];
    const taken: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        await workers[i % 2].take(spec);
        taken.push(Date.now());
      }),
    );
    taken.sort((x, y) => x - y);
    for (let i = spec.limit; i < taken.length; i++) {
      // Any limit+1 consecutive grants span at least one window.
      expect(taken[i] - taken[i - spec.limit]).toBeGreaterThanOrEqual(spec.windowMs - 5);
    }
  });

  it('scripts are sent once (EVALSHA) and survive a flushed script cache (a restarted Redis)', async () => {
    const budget = new RateBudget(a, metrics);
    const spec = { name: 'test:sha', limit: 100, windowMs: 1000 };
    await budget.take(spec); // the first use on a server may load the script (NOSCRIPT → EVAL)
    const before = await commandCalls(a);
    for (let i = 0; i < 5; i++) await budget.take(spec);
    await a.script('FLUSH');
    await budget.take(spec);
    const after = await commandCalls(a);
    expect(after.evalsha - before.evalsha).toBe(6);
    // Only the call that met NOSCRIPT sent the script text again.
    expect(after.eval - before.eval).toBe(1);
    expect(await a.zcard('budget:test:sha')).toBe(7);
  });

  it('a limit of 0 is no budget: nothing is counted and nothing waits', async () => {
    const budget = new RateBudget(a, metrics);
    const before = await a.keys('budget:test:off*');
    for (let i = 0; i < 50; i++) await budget.take({ name: 'test:off', limit: 0, windowMs: 10_000 });
    expect(await budget.spend({ name: 'test:off-spend', limit: 0, windowMs: 10_000 }, () => Promise.resolve(7))).toBe(
      7,
    );
    const inFlight = await Promise.all(
      Array.from({ length: 20 }, () =>
        budget.withSlot({ name: 'test:off-slot', limit: 0, leaseMs: 1000 }, () => Promise.resolve(1)),
      ),
    );
    expect(inFlight).toHaveLength(20);
    expect(await a.keys('budget:test:off*')).toEqual(before);
  });

  it('waits briefly in process, and beyond 2 s hands back how long to wait', async () => {
    const budget = new RateBudget(a, metrics);
    const spec = { name: 'test:slow', limit: 1, windowMs: 5000 };
    await budget.take(spec);
    const err = await budget.take(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateBudgetExhaustedError);
    expect((err as RateBudgetExhaustedError).retryAfterMs).toBeGreaterThan(4000);
    expect((err as RateBudgetExhaustedError).retryAfterMs).toBeLessThanOrEqual(5500);
  });

  it('a job that must wait reserves the next unit in order, comes back for it and uses it (no herd)', async () => {
    const budget = new RateBudget(a, metrics);
    const other = new RateBudget(b, metrics);
    const spec = { name: 'test:reserve', limit: 2, windowMs: 3000 }; // the budget's window: 3.3 s
    const inJob = <T>(jobId: string, fn: () => Promise<T>) => budgetReservations.run({ reservationId: jobId }, fn);
    await budget.take(spec);
    await budget.take(spec);
    // Full: each waiting job gets its own unit, one after the other, not the same freed one.
    const first = (await inJob('job:1', () => budget.take(spec)).catch((e: unknown) => e)) as RateBudgetExhaustedError;
    const second = (await inJob('job:2', () => other.take(spec)).catch((e: unknown) => e)) as RateBudgetExhaustedError;
    const third = (await inJob('job:3', () => other.take(spec)).catch((e: unknown) => e)) as RateBudgetExhaustedError;
    for (const e of [first, second, third]) expect(e).toMatchObject({ reserved: true });
    expect(first.retryAfterMs).toBeGreaterThan(2000);
    expect(second.retryAfterMs).toBeGreaterThanOrEqual(first.retryAfterMs - 50);
    // Two units per window: the third unit goes a whole window after the first.
    expect(third.retryAfterMs).toBeGreaterThanOrEqual(first.retryAfterMs + 3300 - 100);
    // Coming back early: still reserved, the same moment (nothing new is placed).
    const early = (await inJob('job:1', () => budget.take(spec)).catch((e: unknown) => e)) as RateBudgetExhaustedError;
    expect(early).toMatchObject({ reserved: true });
    expect(early.retryAfterMs).toBeLessThanOrEqual(first.retryAfterMs);
    expect(await a.zcard('budget:test:reserve')).toBe(5);
    // Due: the job uses its unit; a job without one still waits behind the reservations.
    await new Promise((r) => setTimeout(r, early.retryAfterMs + 5));
    await inJob('job:1', () => budget.take(spec));
    const latecomer = (await inJob('job:4', () => budget.take(spec)).catch(
      (e: unknown) => e,
    )) as RateBudgetExhaustedError;
    // Two units per window: the latecomer shares the third's moment, never an earlier one.
    expect(latecomer.retryAfterMs).toBeGreaterThanOrEqual(third.retryAfterMs - early.retryAfterMs - 100);
    const at = async (member: string) => Number(await a.zscore('budget:test:reserve', member));
    expect(await at('job:4')).toBeGreaterThanOrEqual(await at('job:3'));
    expect(await a.zscore('budget:test:reserve', 'job:1')).toBeNull();
  });

  it('a reservation its job comes back for too late is dropped (the unit would count too early) and taken anew', async () => {
    const budget = new RateBudget(a, metrics);
    const spec = { name: 'test:late', limit: 1, windowMs: 3000 }; // late tolerance: 240 ms
    const inJob = <T>(fn: () => Promise<T>) => budgetReservations.run({ reservationId: 'job:late' }, fn);
    await budget.take(spec);
    const reserved = (await inJob(() => budget.take(spec)).catch((e: unknown) => e)) as RateBudgetExhaustedError;
    expect(reserved).toMatchObject({ reserved: true });
    // Back 700 ms after the unit was due: its window has passed; a fresh unit is taken now.
    await new Promise((r) => setTimeout(r, reserved.retryAfterMs + 700));
    await inJob(() => budget.take(spec));
    const members = await a.zrange('budget:test:late', 0, -1);
    expect(members).not.toContain('job:late');
    expect(members).toHaveLength(1);
  });

  it('spend() counts a call while it runs and for a window after it ended', async () => {
    const budget = new RateBudget(a, metrics);
    const spec = { name: 'test:spend', limit: 1, windowMs: 300 };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const started = Date.now();
    let firstEnded = 0;
    let secondAt = 0;
    await Promise.all([
      budget.spend(spec, async () => {
        await sleep(500);
        firstEnded = Date.now();
      }),
      sleep(20).then(() => budget.spend(spec, () => Promise.resolve(void (secondAt = Date.now())))),
    ]);
    // Not a window after the first grant (take() would allow that), but a window after the first call ended.
    expect(firstEnded - started).toBeGreaterThanOrEqual(490);
    expect(secondAt - firstEnded).toBeGreaterThanOrEqual(300);
  });
});
