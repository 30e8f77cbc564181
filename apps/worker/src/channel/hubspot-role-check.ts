/** The fields of a HubSpot message the role check reads. */
export interface MessageRoleFields {
  type?: string;
  direction?: string;
  senders?: { actorId?: string }[];
  client?: { clientType?: string };
}

export type RoleVerdict = { answer: true } | { answer: false; reason: string; takeover?: string };

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

/**
 * A human agent's own chat message (an `A-` sender other than the bot; not a comment, not an
 * assignment event): the actor id, so the bot can stay silent in that thread from now on.
 */
export function agentTakeover(message: MessageRoleFields, botActorId: string): string | undefined {
  if (message.type !== 'MESSAGE') return undefined;
  const sender = message.senders?.[0]?.actorId ?? '';
  if (!/^A-\d+$/.test(sender)) return undefined;
  return sender.replace(/^A-/, '') === botActorId.replace(/^A-/, '') ? undefined : sender;
}
