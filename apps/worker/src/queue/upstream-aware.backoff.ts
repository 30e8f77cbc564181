import { UPSTREAM_AWARE_BACKOFF } from '@app/contracts';
import { UpstreamError } from '../errors/upstream.error';

const MAX_DELAY_MS = 10 * 60 * 1000;

/**
 * BullMQ `backoffStrategy`: exponential from the job's configured delay with ±20 % jitter, never
 * shorter than an upstream's Retry-After. Other backoff types fall back to BullMQ's own.
 */
export function upstreamAwareBackoff(
  attemptsMade: number,
  type: string | undefined,
  err: Error | undefined,
  job: { opts: { backoff?: number | { delay?: number } } } | undefined,
): number {
  if (type !== UPSTREAM_AWARE_BACKOFF) return -1;
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 5000);
  const exponential = base * 2 ** Math.max(0, attemptsMade - 1);
  const jittered = exponential * (0.8 + Math.random() * 0.4);
  const asked = err instanceof UpstreamError ? (err.retryAfterMs ?? 0) : 0;
  return Math.round(Math.min(MAX_DELAY_MS, Math.max(jittered, asked)));
}
