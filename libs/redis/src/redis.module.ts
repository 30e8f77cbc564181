import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedisConnection, type RedisConnectionOptions } from './redis-connection.factory';
import { REDIS_CONNECTION } from './redis.constants';
import { RedisHealthIndicator } from './redis-health.indicator';

// Boot waits this long for Redis so a normal start serves its first request with a live
// connection; past it the process starts anyway (not ready, reconnecting) rather than crash-looping.
const BOOT_WAIT_MS = 5000;

function waitUntilReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}

/** One ioredis connection per process, shared by BullMQ and the health check. */
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  static forRoot(options: RedisConnectionOptions): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [
        {
          provide: REDIS_CONNECTION,
          useFactory: async () => {
            const redis = createRedisConnection(options);
            await waitUntilReady(redis, BOOT_WAIT_MS);
            return redis;
          },
        },
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
