import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';
import { AirtableConfig, MappingConfig } from '../config/config-sections';
import { MAPPING_STORE, type MappingStore } from './mapping-store';

export interface ThreadRef {
  portalId: string;
  threadId: string;
}

/**
 * HubSpot thread ↔ the engine's conversation id. Read through a Redis cache (a known thread costs
 * no store call); a new thread gets a conversation from the engine, then the mapping is upserted. Callers hold the
 * thread's turn lock, so two first messages cannot create two conversations.
 */
@Injectable()
export class ThreadMapping implements OnApplicationBootstrap {
  private readonly logger = new Logger(ThreadMapping.name);

  constructor(
    @Inject(MAPPING_STORE) private readonly store: MappingStore,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly mapping: MappingConfig,
    @Optional() private readonly airtable?: AirtableConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.store.kind === 'redis') {
      this.logger.log('Airtable is not configured: thread mappings are stored in Redis');
    } else {
      this.logger.log(`thread mappings are stored in Airtable table "${this.airtable?.table}"`);
    }
  }

  async find(ref: ThreadRef): Promise<string | undefined> {
    const cached = await this.redis.get(cacheKey(ref));
    if (cached) return cached;
    const stored = await this.store.find(ref);
    if (stored) await this.cache(ref, stored);
    return stored;
  }

  /**
   * The thread's conversation; creates (with the engine's `create`) and records one when the
   * thread is new. `onCreated` persists the new id before the mapping write, so a crash in between
   * cannot orphan it; `beforeCreate` runs first (e.g. to check this run still owns its job).
   */
  async resolve(
    ref: ThreadRef,
    opts: {
      known?: string;
      create: () => Promise<string>;
      onCreated?: (conversationId: string) => Promise<void>;
      beforeCreate?: () => Promise<void>;
    },
  ): Promise<{ conversationId: string; created: boolean }> {
    const existing = opts.known ?? (await this.find(ref));
    if (existing) {
      if (opts.known) await this.saveIfMissing(ref, opts.known);
      return { conversationId: existing, created: false };
    }
    await opts.beforeCreate?.();
    const conversationId = await opts.create();
    await opts.onCreated?.(conversationId);
    await this.store.save(ref, conversationId);
    await this.cache(ref, conversationId);
    return { conversationId, created: true };
  }

  /** Stores a mapping whose save may not have happened before a crash (idempotent upsert). */
  private async saveIfMissing(ref: ThreadRef, conversationId: string): Promise<void> {
    if ((await this.redis.get(cacheKey(ref))) === conversationId) return;
    await this.store.save(ref, conversationId);
    await this.cache(ref, conversationId);
  }

  private async cache(ref: ThreadRef, conversationId: string): Promise<void> {
    await this.redis.set(cacheKey(ref), conversationId, 'EX', this.mapping.cacheTtlSeconds);
  }
}

const cacheKey = RedisKeys.mappingCache;
