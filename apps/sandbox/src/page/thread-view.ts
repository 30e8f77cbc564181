import type { HubSpotMessage, HubSpotThread } from '../../../../test/fakes/hubspot.fake';
import type { HubSpotEmulator } from '../emulator/hubspot-emulator';

export type Author = 'visitor' | 'bot' | 'agent' | 'system';

/** One item of a thread as the chat page shows it. */
export interface MessageView {
  id: string;
  type: string;
  at: string;
  author: Author;
  name: string;
  text: string;
  quickReplies: { label: string; value: string }[];
  /** ASSIGNMENT items. */
  assignedTo?: string | null;
}

export interface ThreadView {
  id: string;
  inboxId: string;
  profile: string;
  status: string;
  assignedTo: string | null;
  language: string | undefined;
  createdAt: string;
  /** A turn is running: the visitor's newest message has no answer yet (and no person took over). */
  working: boolean;
  messages: MessageView[];
}

/** How long the page shows "working…" for an unanswered message at most. */
const WORKING_FOR_MS = 120_000;

function authorOf(m: HubSpotMessage, emulator: HubSpotEmulator): Author {
  const actor = m.senders[0]?.actorId ?? m.createdBy;
  if (m.type === 'MESSAGE' && m.direction === 'INCOMING') return 'visitor';
  if (actor === emulator.bot.actorId || m.client.clientType === 'INTEGRATION') return 'bot';
  if (actor?.startsWith('A-')) return 'agent';
  return 'system';
}

export function messageView(m: HubSpotMessage, emulator: HubSpotEmulator): MessageView {
  const author = authorOf(m, emulator);
  const quickReplies = m.attachments
    .filter((a) => a.type === 'QUICK_REPLIES')
    .flatMap((a) => a.quickReplies ?? [])
    .map(({ label, value }) => ({ label, value }));
  const name = m.senders[0]?.name ?? (author === 'bot' ? emulator.bot.name : author);
  const assignment = m as HubSpotMessage & { assignedTo?: string | null };
  return {
    id: m.id,
    type: m.type,
    at: m.createdAt,
    author,
    name,
    text: m.text,
    quickReplies,
    ...(m.type === 'ASSIGNMENT' ? { assignedTo: assignment.assignedTo ?? null } : {}),
  };
}

export function threadView(thread: HubSpotThread, emulator: HubSpotEmulator, now = Date.now()): ThreadView {
  const messages = emulator.getMessages(thread.id).map((m) => messageView(m, emulator));
  const chat = messages.filter((m) => m.type === 'MESSAGE');
  const last = chat.at(-1);
  const human = thread.assignedTo !== undefined && thread.assignedTo !== emulator.bot.actorId;
  const working =
    last?.author === 'visitor' && !human && thread.status === 'OPEN' && now - Date.parse(last.at) < WORKING_FOR_MS;
  return {
    id: thread.id,
    inboxId: thread.inboxId,
    profile: emulator.inbox(thread.inboxId)?.profile ?? 'support',
    status: thread.status,
    assignedTo: thread.assignedTo ?? null,
    language: emulator.languageOf(thread.id),
    createdAt: thread.createdAt,
    working,
    messages,
  };
}
