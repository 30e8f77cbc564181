/** The fields of a HubSpot message the role check reads. */
export interface MessageRoleFields {
  type?: string;
  direction?: string;
  senders?: { actorId?: string }[];
  client?: { clientType?: string };
}

export type RoleVerdict = { answer: true } | { answer: false; reason: string };

/**
 * Act only on a visitor's own chat message. Our replies, human agents' messages, internal
 * comments and system events all fire webhooks too and must never be answered.
 */
export function checkRole(message: MessageRoleFields): RoleVerdict {
  if (message.type !== 'MESSAGE') return { answer: false, reason: `type ${String(message.type)}` };
  if (message.direction !== 'INCOMING') return { answer: false, reason: `direction ${String(message.direction)}` };
  const sender = message.senders?.[0]?.actorId ?? '';
  if (!sender.startsWith('V-')) return { answer: false, reason: `sender ${sender ? sender.slice(0, 2) : 'missing'}` };
  if (message.client?.clientType === 'INTEGRATION') return { answer: false, reason: 'sent by an integration' };
  return { answer: true };
}
