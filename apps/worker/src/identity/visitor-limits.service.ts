import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';
import { VisitorLimitsConfig } from '../config/config-sections';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import type { VisitorLimit } from './identity-metrics.service';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface VisitorCount {
  /** The limit this message passed, if any. */
  limited?: VisitorLimit;
  /** True the first time in the window that this visitor is told so (later messages stay silent). */
  firstNotice: boolean;
}

/**
 * Per-visitor limits on the public chat: turns per hour and distinct threads per day, counted per
 * visitor actor id (`V-…`) across all workers, in one Redis transaction per message.
 */
@Injectable()
export class VisitorLimits {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly limits: VisitorLimitsConfig,
  ) {}

  async count(ref: ThreadRef, visitorId: string, now = Date.now()): Promise<VisitorCount> {
    const { turnsPerHour, threadsPerDay } = this.limits;
    if (turnsPerHour === 0 && threadsPerDay === 0) return { firstNotice: false };
    const base = RedisKeys.visitor(ref.portalId, visitorId);
    const turns = `${base}:turns:${Math.floor(now / HOUR_MS)}`;
    const threads = `${base}:threads:${Math.floor(now / DAY_MS)}`;
    const results = (await this.redis
      .multi()
      .incr(turns)
      .pexpire(turns, HOUR_MS)
      .sadd(threads, ref.threadId)
      .pexpire(threads, DAY_MS)
      .scard(threads)
      .exec()) as [Error | null, number][];
    const turnCount = Number(results[0][1]);
    const threadCount = Number(results[4][1]);
    const limited: VisitorLimit | undefined =
      turnsPerHour > 0 && turnCount > turnsPerHour
        ? 'turns'
        : threadsPerDay > 0 && threadCount > threadsPerDay
          ? 'threads'
          : undefined;
    if (!limited) return { firstNotice: false };
    const notice = await this.redis.set(
      `${base}:notice:${limited}`,
      '1',
      'PX',
      limited === 'turns' ? HOUR_MS : DAY_MS,
      'NX',
    );
    return { limited, firstNotice: notice === 'OK' };
  }
}
