import { Injectable } from '@nestjs/common';
import { HubSpotApiClient } from './hubspot-api.client';
import type { HubSpotMessage, HubSpotThread } from './hubspot.types';

const BASE = '/conversations/v3/conversations/threads';

/** Reads messages and threads (HubSpot Conversations v3). */
@Injectable()
export class HubSpotConversations {
  constructor(private readonly api: HubSpotApiClient) {}

  getMessage(threadId: string, messageId: string): Promise<HubSpotMessage> {
    return this.api.request<HubSpotMessage>('GET', `${BASE}/${enc(threadId)}/messages/${enc(messageId)}`);
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
