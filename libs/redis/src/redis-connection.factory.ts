import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * `producer`: fail fast while Redis is unreachable (no offline queue, bounded commands), so the
 * webhook can answer 503 inside HubSpot's 5 s budget instead of hanging.
 * `consumer`: BullMQ workers need blocking commands that wait forever (`maxRetriesPerRequest: null`).
 */
export type RedisRole = 'producer' | 'consumer';

export interface RedisConnectionOptions {
  url: string;
  role: RedisRole;
  connectionName: string;
  /** Producer only: upper bound for one command, ms. */
  commandTimeoutMs?: number;
}

export function createRedisConnection(options: RedisConnectionOptions): Redis {
  const shared: RedisOptions = {
    connectionName: options.connectionName,
    // Reconnect forever, at most every 2 s: Redis restarts must heal without a process restart.
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
  const roleOptions: RedisOptions =
    options.role === 'producer'
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          commandTimeout: options.commandTimeoutMs ?? 2000,
        }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true };

  const redis = new Redis(options.url, { ...shared, ...roleOptions });
  const logger = new Logger(`Redis:${options.connectionName}`);
  let lastError = '';
  // Without a listener ioredis prints every reconnect failure as an unhandled error.
  redis.on('error', (err: Error) => {
    if (err.message !== lastError) logger.warn(`connection error: ${err.message}`);
    lastError = err.message;
  });
  redis.on('ready', () => {
    if (lastError) logger.log('connection restored');
    lastError = '';
  });
  return redis;
}
