import type { ConversationWebhookEvent, HubSpotMessage } from '../../../../test/fakes/hubspot.fake';
import type { HubSpotEmulator } from './hubspot-emulator';
import type { WebhookSender } from './webhook-sender';

/** Message types HubSpot announces with `conversation.newMessage` (reference/hubspot.md §1). */
const ANNOUNCED_TYPES = new Set(['MESSAGE', 'COMMENT', 'WELCOME_MESSAGE']);

interface Seen {
  announced: boolean;
  messages: number;
  status: string;
  assignedTo: string;
}

/**
 * Turns changes of the emulator's state into the webhooks HubSpot would send: a thread's first
 * message → `conversation.creation` + `conversation.newMessage`; every later message (ours, an
 * agent's, a note) → `conversation.newMessage`; status and assignee → `conversation.propertyChange`.
 * It compares snapshots instead of hooking each route, so a change made by any route (the fake's,
 * the emulator's, the page's) is announced once, in the order it happened.
 */
export class StateWatcher {
  private readonly seen = new Map<string, Seen>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly emulator: HubSpotEmulator,
    private readonly sender: WebhookSender,
    everyMs: number,
  ) {
    // What exists when the watcher starts was announced by an earlier one (or by nobody yet).
    for (const thread of emulator.listThreads()) {
      const messages = emulator.getMessages(thread.id).length;
      if (messages === 0) continue;
      this.seen.set(thread.id, {
        announced: true,
        messages,
        status: thread.status,
        assignedTo: thread.assignedTo ?? '',
      });
    }
    this.timer = setInterval(() => this.scan(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  forget(): void {
    this.seen.clear();
  }

  scan(): void {
    const events: ConversationWebhookEvent[] = [];
    for (const thread of this.emulator.listThreads()) {
      const messages = this.emulator.getMessages(thread.id);
      const seen = this.seen.get(thread.id) ?? { announced: false, messages: 0, status: 'OPEN', assignedTo: '' };
      if (!seen.announced) {
        // A live chat exists for HubSpot from the visitor's first message on.
        if (messages.length === 0) continue;
        events.push(this.emulator.creationEventFor(thread, { occurredAt: Date.parse(messages[0].createdAt) }));
        seen.announced = true;
      }
      for (const message of messages.slice(seen.messages)) {
        if (ANNOUNCED_TYPES.has(message.type)) events.push(this.emulator.webhookEventFor(message));
      }
      seen.messages = messages.length;
      const assignedTo = thread.assignedTo ?? '';
      if (assignedTo !== seen.assignedTo) {
        if (!this.lastAssignmentIs(messages, assignedTo)) {
          this.emulator.recordAssignment(thread, seen.assignedTo || undefined, 'S-hubspot');
          seen.messages += 1;
        }
        events.push(this.emulator.propertyChangeEventFor(thread, 'assignedTo', assignedTo));
        seen.assignedTo = assignedTo;
      }
      if (thread.status !== seen.status) {
        events.push(this.emulator.propertyChangeEventFor(thread, 'status', thread.status));
        seen.status = thread.status;
      }
      this.seen.set(thread.id, seen);
    }
    if (events.length > 0) this.sender.send(...events);
  }

  /** An assignee set by a route that does not record the ASSIGNMENT item still gets one. */
  private lastAssignmentIs(messages: HubSpotMessage[], assignedTo: string): boolean {
    const last: (HubSpotMessage & { assignedTo?: string | null }) | undefined = messages
      .filter((m) => m.type === 'ASSIGNMENT')
      .at(-1);
    return last !== undefined && (last.assignedTo ?? '') === assignedTo;
  }
}
