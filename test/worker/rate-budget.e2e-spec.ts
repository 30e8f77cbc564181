import { Redis } from 'ioredis';
import { RateBudget, RateBudgetExhaustedError } from '../../apps/worker/src/budgets/rate-budget.service';
import { TestRedisServer } from '../support/redis-server';

describe('RateBudget (Redis sliding window shared by processes)', () => {
  let server: TestRedisServer;
  let a: Redis;
  let b: Redis;
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
    const workers = [new RateBudget(a), new RateBudget(b)];
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

  it('waits briefly in process, and beyond 2 s hands back how long to wait', async () => {
    const budget = new RateBudget(a);
    const spec = { name: 'test:slow', limit: 1, windowMs: 5000 };
    await budget.take(spec);
    const err = await budget.take(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateBudgetExhaustedError);
    expect((err as RateBudgetExhaustedError).retryAfterMs).toBeGreaterThan(4000);
    expect((err as RateBudgetExhaustedError).retryAfterMs).toBeLessThanOrEqual(5500);
  });
});
