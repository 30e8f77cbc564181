import type { Redis } from 'ioredis';
import { LegacyRedisKeys, RedisKeys, type ThreadKeyRef } from '@app/redis';
import type { MappingStore } from './mapping-store';

/** The embedded default when Airtable is not configured: mappings in Redis, per portal, without expiry. */
export class RedisMappingStore implements MappingStore {
  readonly kind = 'redis';

  constructor(private readonly redis: Redis) {}

  async find(ref: ThreadKeyRef): Promise<string | undefined> {
    const found = await this.redis.hget(RedisKeys.mappingStore(ref.portalId), ref.threadId);
    if (found) return found;
    // A thread mapped before the store was per portal: read it there, and keep it under the portal.
    const legacy = await this.redis.hget(LegacyRedisKeys.mappingStore(), ref.threadId);
    if (legacy) await this.save(ref, legacy);
    return legacy ?? undefined;
  }

  async save(ref: ThreadKeyRef, conversationId: string): Promise<void> {
    await this.redis.hset(RedisKeys.mappingStore(ref.portalId), ref.threadId, conversationId);
  }
}
