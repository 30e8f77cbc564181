import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION, RedisKeys, type ThreadKeyRef } from '@app/redis';
import { HubSpotApiClient } from './hubspot-api.client';
import type { HubSpotMessage, HubSpotThread } from './hubspot.types';

const BASE = '/conversations/v3/conversations/threads';
/** Longer than a job's retries and delays last. */
const MESSAGE_CACHE_SECONDS = 24 * 3600;

/** Reads messages and threads (HubSpot Conversations v3). */
@Injectable()
export class HubSpotConversations {
  constructor(
    private readonly api: HubSpotApiClient,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
  ) {}

  /**
   * A sent message does not change: read once, then from Redis, so a turn that waits for rate
   * budget (a delayed job) or is retried does not spend the portal's budget reading it again.
   */
  async getMessage(ref: ThreadKeyRef, messageId: string): Promise<HubSpotMessage> {
    const { threadId } = ref;
    const key = RedisKeys.messageCache(ref, messageId);
    const cached = await this.redis.get(key);
    if (cached) return JSON.parse(cached) as HubSpotMessage;
    const message = await this.api.request<HubSpotMessage>(
      'GET',
      `${BASE}/${enc(threadId)}/messages/${enc(messageId)}`,
    );
    await this.redis.set(key, JSON.stringify(message), 'EX', MESSAGE_CACHE_SECONDS);
    return message;
  }

  getThread(threadId: string): Promise<HubSpotThread> {
    return this.api.request<HubSpotThread>('GET', `${BASE}/${enc(threadId)}`);
  }

  /** Newest messages of a thread (used only to recover after a crash, never on the plain path). */
  async listMessages(threadId: string, limit = 20): Promise<HubSpotMessage[]> {
    const page = await this.api.request<{ results: HubSpotMessage[] }>(
      'GET',
      `${BASE}/${enc(threadId)}/messages?limit=${limit}&sort=-createdAt`,
    );
    return page.results ?? [];
  }
}

const enc = (id: string) => encodeURIComponent(id);
