import type { Redis } from 'ioredis';
import { RedisKeys } from '@app/redis';
import type { MappingStore } from './mapping-store';

/** The embedded default when Airtable is not configured: mappings in Redis, without expiry. */
export class RedisMappingStore implements MappingStore {
  readonly kind = 'redis';

  constructor(private readonly redis: Redis) {}

  async find(threadId: string): Promise<string | undefined> {
    return (await this.redis.hget(RedisKeys.mappingStore(), threadId)) ?? undefined;
  }

  async save(threadId: string, conversationId: string): Promise<void> {
    await this.redis.hset(RedisKeys.mappingStore(), threadId, conversationId);
  }
}
