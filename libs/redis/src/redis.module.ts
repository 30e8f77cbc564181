import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedisConnection, type RedisConnectionOptions } from './redis-connection.factory';
import { REDIS_CONNECTION } from './redis.constants';
import { RedisHealthIndicator } from './redis-health.indicator';

/** One ioredis connection per process, shared by BullMQ and the health check. */
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  static forRoot(options: RedisConnectionOptions): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [
        { provide: REDIS_CONNECTION, useFactory: () => createRedisConnection(options) },
        RedisHealthIndicator,
      ],
      exports: [REDIS_CONNECTION, RedisHealthIndicator],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    // quit() waits for replies to commands already sent; disconnect() if Redis is gone.
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
