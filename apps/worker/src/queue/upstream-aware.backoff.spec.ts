import { UpstreamError } from '../errors/upstream.error';
import { upstreamAwareBackoff } from './upstream-aware.backoff';

const job = { opts: { backoff: { delay: 1000 } } };

describe('upstreamAwareBackoff', () => {
  it('grows exponentially with jitter', () => {
    for (const [attempts, expected] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
    ] as const) {
      const d = upstreamAwareBackoff(attempts, 'upstream-aware', new Error('x'), job);
      expect(d).toBeGreaterThanOrEqual(expected * 0.8);
      expect(d).toBeLessThanOrEqual(expected * 1.2);
    }
  });

  it('waits at least what Retry-After asked', () => {
    const err = new UpstreamError('openai', 'rate limited', true, 429, 30_000);
    expect(upstreamAwareBackoff(1, 'upstream-aware', err, job)).toBe(30_000);
  });

  it('is capped', () => {
    expect(upstreamAwareBackoff(30, 'upstream-aware', new Error('x'), job)).toBe(600_000);
  });

  it('leaves other backoff types to BullMQ', () => {
    expect(upstreamAwareBackoff(1, 'exponential', new Error('x'), job)).toBe(-1);
  });
});
