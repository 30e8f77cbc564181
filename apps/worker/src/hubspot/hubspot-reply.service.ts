import { Injectable } from '@nestjs/common';
import { HubSpotConfig } from '../config/config-sections';
import { HubSpotApiClient } from './hubspot-api.client';
import type { HubSpotMessage, QuickReply } from './hubspot.types';
import { toPlainText, toRichText } from './markdown-reply';

/** Posts messages into a thread as the configured bot agent, on the visitor's own channel. */
@Injectable()
export class HubSpotReply {
  constructor(
    private readonly api: HubSpotApiClient,
    private readonly hubspot: HubSpotConfig,
  ) {}

  /** Sends one message replying to `incoming`; returns the id HubSpot gave it. */
  async send(threadId: string, incoming: HubSpotMessage, text: string, quickReplies?: QuickReply[]): Promise<string> {
    const sender = incoming.senders?.[0];
    const body = {
      type: 'MESSAGE',
      text: toPlainText(text),
      richText: toRichText(text),
      senderActorId: this.hubspot.botActorId,
      channelId: incoming.channelId,
      channelAccountId: incoming.channelAccountId,
      recipients: sender
        ? [
            {
              actorId: sender.actorId,
              ...(sender.deliveryIdentifier ? { deliveryIdentifier: sender.deliveryIdentifier } : {}),
            },
          ]
        : [],
      attachments: quickReplies?.length ? [{ type: 'QUICK_REPLIES', quickReplies }] : [],
    };
    const created = await this.api.request<{ id: string }>(
      'POST',
      `/conversations/v3/conversations/threads/${encodeURIComponent(threadId)}/messages`,
      body,
      [200, 201],
    );
    return created.id;
  }

  /**
   * Posts an internal note (COMMENT): agents see it, the visitor never does. Reference §8: only
   * type, text and attachments are required; no sender, channel or recipients.
   */
  async comment(threadId: string, text: string): Promise<string> {
    // Our own plain text (quoted visitor words included): stored as written, never parsed as Markdown.
    const richText = `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>`;
    const body = { type: 'COMMENT', text, richText, attachments: [] };
    const created = await this.api.request<{ id: string }>(
      'POST',
      `/conversations/v3/conversations/threads/${encodeURIComponent(threadId)}/messages`,
      body,
      [200, 201],
    );
    return created.id;
  }
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
