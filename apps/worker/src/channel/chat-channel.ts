import type { ThreadKeyRef } from '@app/redis';
import type { QuickReply } from '../hubspot/hubspot.types';

/** A visitor's message as a turn needs it, whatever channel carried it. */
export interface ChannelMessage {
  id: string;
  threadId: string;
  text: string;
  /** When the visitor sent it (ms epoch), if the channel says. */
  sentAt?: number;
  /** The sender's id on the channel (HubSpot: the `V-…` actor). */
  senderId?: string;
  /** An e-mail the channel attaches to the sender: a claim, never proof of identity. */
  senderEmail?: string;
  /** What the visitor attached, described in words ("an image: factura.jpg"); empty when nothing. */
  attachments: string[];
  /** Which of the channel's own sub-channels carried it (HubSpot: 1000 live chat, 1002 e-mail, …). */
  via?: string;
  /** The channel's own message, for replying on the same channel; opaque to the turn. */
  readonly native: unknown;
}

/** `takeover`: the message is a person's (an agent's actor id): the bot must stay silent in the thread. */
export type AnswerVerdict = { answer: true } | { answer: false; reason: string; takeover?: string };

/**
 * Everything channel-specific a turn needs: read a message, decide whether the bot may answer it
 * (never itself, a person or a system event), post a reply, and find a reply already posted (after
 * a crash mid-post); at a handoff, a note for the agents and an assignment. One implementation
 * today: HubSpot Conversations.
 */
export interface ChatChannel {
  /** The bot's own identity on the channel. */
  readonly botId: string;
  read(ref: ThreadKeyRef, messageId: string): Promise<ChannelMessage>;
  answerable(message: ChannelMessage): AnswerVerdict;
  /** Posts `text` in the message's thread, on its channel; returns the posted message's id. */
  reply(to: ChannelMessage, text: string, quickReplies?: QuickReply[]): Promise<string>;
  /** The id of a reply with exactly this text the bot posted after `to`, if any. */
  findReply(to: ChannelMessage, text: string): Promise<string | undefined>;
  /** Posts an internal note for the agents (never shown to the visitor); returns its id. */
  note(threadId: string, text: string): Promise<string>;
  /** The id of a note in the thread whose text contains `marker`, if any (after a crash mid-post). */
  findNote(threadId: string, marker: string): Promise<string | undefined>;
  /** Assigns the thread to an agent. */
  assign(threadId: string, agentId: string): Promise<void>;
  /** Is the thread assigned to this agent now? */
  isAssignedTo(threadId: string, agentId: string): Promise<boolean>;
}

export const CHAT_CHANNEL = Symbol('CHAT_CHANNEL');
