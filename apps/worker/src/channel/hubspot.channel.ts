import type { ThreadKeyRef } from '@app/redis';
import { Injectable } from '@nestjs/common';
import { HubSpotConfig } from '../config/config-sections';
import { HubSpotAssignee } from '../hubspot/hubspot-assignee.service';
import { HubSpotConversations } from '../hubspot/hubspot-conversations.service';
import { HubSpotReply } from '../hubspot/hubspot-reply.service';
import { toPlainText } from '../hubspot/markdown-reply';
import type { HubSpotMessage, QuickReply } from '../hubspot/hubspot.types';
import type { AnswerVerdict, ChannelMessage, ChatChannel } from './chat-channel';
import { describeAttachments } from './hubspot-attachments';
import { agentTakeover, checkRole } from './hubspot-role-check';

/** How many recent messages a crash recovery looks through for a reply already posted. */
const RECOVERY_WINDOW = 50;

/** HubSpot Conversations as the chat channel (threads, messages, replies as the bot agent). */
@Injectable()
export class HubSpotChannel implements ChatChannel {
  readonly botId: string;

  constructor(
    private readonly conversations: HubSpotConversations,
    private readonly replies: HubSpotReply,
    private readonly assignee: HubSpotAssignee,
    hubspot: HubSpotConfig,
  ) {
    this.botId = hubspot.botActorId;
  }

  async read(ref: ThreadKeyRef, messageId: string): Promise<ChannelMessage> {
    const message = await this.conversations.getMessage(ref, messageId);
    const sender = message.senders?.[0];
    const identifier = sender?.deliveryIdentifier;
    return {
      id: message.id,
      threadId: ref.threadId,
      text: message.text ?? '',
      sentAt: Date.parse(message.createdAt ?? '') || undefined,
      senderId: sender?.actorId,
      senderEmail: identifier?.type === 'HS_EMAIL_ADDRESS' ? identifier.value.toLowerCase() : undefined,
      via: message.channelId,
      attachments: describeAttachments(message.attachments),
      native: message,
    };
  }

  answerable(message: ChannelMessage): AnswerVerdict {
    const verdict = checkRole(native(message));
    if (verdict.answer) return verdict;
    const takeover = agentTakeover(native(message), this.botId);
    return takeover ? { ...verdict, takeover } : verdict;
  }

  reply(to: ChannelMessage, text: string, quickReplies?: QuickReply[]): Promise<string> {
    return this.replies.send(to.threadId, native(to), text, quickReplies);
  }

  /** Rare path (after a crash mid-post): did HubSpot already store this reply? */
  async findReply(to: ChannelMessage, text: string): Promise<string | undefined> {
    const since = to.sentAt ?? 0;
    const posted = toPlainText(text); // what HubSpot stored as the message's text
    const recent = await this.conversations.listMessages(to.threadId, RECOVERY_WINDOW);
    const match = recent.find(
      (m) =>
        m.direction === 'OUTGOING' &&
        m.text === posted &&
        (m.senders?.[0]?.actorId === this.botId || m.client?.clientType === 'INTEGRATION') &&
        (Date.parse(m.createdAt ?? '') || 0) >= since,
    );
    return match?.id;
  }

  note(threadId: string, text: string): Promise<string> {
    return this.replies.comment(threadId, text);
  }

  /** Rare path (after a crash mid-post): did HubSpot already store this note? */
  async findNote(threadId: string, marker: string): Promise<string | undefined> {
    const recent = await this.conversations.listMessages(threadId, RECOVERY_WINDOW);
    return recent.find((m) => m.type === 'COMMENT' && (m.text ?? '').includes(marker))?.id;
  }

  assign(threadId: string, agentId: string): Promise<void> {
    return this.assignee.assign(threadId, agentId);
  }

  /** HubSpot writes the assignee as "A-123" or "123" (reference §8). */
  async isAssignedTo(threadId: string, agentId: string): Promise<boolean> {
    const current = await this.assignee.current(threadId);
    return current !== undefined && current.replace(/^A-/, '') === agentId.replace(/^A-/, '');
  }
}

const native = (message: ChannelMessage) => message.native as HubSpotMessage;
