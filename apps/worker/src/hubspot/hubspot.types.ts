/** The parts of HubSpot Conversations objects we read (reference/hubspot.md §3). */
export interface HubSpotActorRef {
  actorId?: string;
  name?: string;
  deliveryIdentifier?: { type: string; value: string };
}

export interface HubSpotMessage {
  id: string;
  type: string;
  conversationsThreadId?: string;
  createdAt?: string;
  createdBy?: string;
  client?: { clientType?: string; integrationAppId?: number };
  senders?: HubSpotActorRef[];
  recipients?: HubSpotActorRef[];
  text?: string;
  richText?: string;
  attachments?: unknown[];
  direction?: 'INCOMING' | 'OUTGOING';
  channelId?: string;
  channelAccountId?: string;
}

export interface HubSpotThread {
  id: string;
  status: 'OPEN' | 'CLOSED';
  inboxId?: string;
  assignedTo?: string;
  associatedContactId?: string;
  originalChannelId?: string;
  originalChannelAccountId?: string;
}

export interface QuickReply {
  label: string;
  value: string;
  valueType: 'TEXT' | 'URL';
}
