import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ReadinessCheck } from '@app/health';
import { REDIS_CONNECTION } from './redis.constants';

@Injectable()
export class RedisHealthIndicator implements ReadinessCheck {
  readonly name = 'redis';

  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  async check(): Promise<void> {
    if (this.redis.status !== 'ready') throw new Error(`connection ${this.redis.status}`);
    await this.redis.ping();
  }
}
