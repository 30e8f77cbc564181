import {
  FakeHubSpot,
  type HubSpotMessage,
  type HubSpotThread,
  type RequestMatch,
} from '../../../../test/fakes/hubspot.fake';
import type { FakeResponse, RecordedRequest } from '../../../../test/fakes/fake-http-server';
import { StateWatcher } from './state-watcher';
import type { WebhookSender } from './webhook-sender';

export interface SandboxInbox {
  id: string;
  name: string;
  /** The worker's profile for this inbox (INBOX_PROFILES). */
  profile: string;
  /** Who writes in it from the page: an anonymous visitor, or the seeded staff contact. */
  visitor: 'anonymous' | 'staff';
}

export interface SandboxPerson {
  actorId: string;
  name: string;
  email: string;
}

export interface HubSpotEmulatorOptions {
  accessToken: string;
  inboxes: SandboxInbox[];
  /** The bot's agent actor (the worker's HUBSPOT_BOT_ACTOR_ID). */
  bot: SandboxPerson;
  /** The human agent who uses the agent panel. */
  agent: SandboxPerson;
  /** The staff contact of staff inboxes (its e-mail domain is on the worker's staff list). */
  staff: { email: string; firstname: string; lastname: string };
  /** How often the emulator looks for changes to announce as webhooks. */
  scanEveryMs?: number;
}

export const LANGUAGES = ['en', 'ro', 'nl'] as const;
export type SandboxLanguage = (typeof LANGUAGES)[number];

const ASSIGNEE_PATHS = [
  '/conversations/conversations/2026-09-beta/threads/:threadId/assignee',
  '/conversations/conversations/v3/threads/:threadId/assignee',
];

/** Matches both assignee paths (for faults in tests). */
export const isAssigneeRequest: RequestMatch = (r) => /\/threads\/[^/]+\/assignee$/.test(r.path);

/**
 * The HubSpot emulator of the sandbox: one portal with its Conversations API and CRM contacts (the
 * test fake's protocol, reused), plus what a live portal adds around it: the thread assignee
 * endpoints, ASSIGNMENT items, a visitor and an agent who write from the chat page, and signed
 * webhooks for every change (StateWatcher → WebhookSender), so the api and worker run the same code
 * paths as in production.
 */
export class HubSpotEmulator extends FakeHubSpot {
  readonly inboxes: SandboxInbox[];
  readonly bot: SandboxPerson;
  readonly agent: SandboxPerson;
  readonly staffEmail: string;
  private readonly token: string;
  private readonly threadIds: string[] = [];
  private readonly threadLanguage = new Map<string, SandboxLanguage>();
  private watcher?: StateWatcher;
  private readonly scanEveryMs: number;
  private readonly staffSeed: HubSpotEmulatorOptions['staff'];
  private nextId = Date.now() * 10;

  constructor(options: HubSpotEmulatorOptions) {
    super({ accessToken: options.accessToken });
    this.token = options.accessToken;
    this.inboxes = options.inboxes;
    this.bot = options.bot;
    this.agent = options.agent;
    this.staffSeed = options.staff;
    this.staffEmail = options.staff.email.toLowerCase();
    this.scanEveryMs = options.scanEveryMs ?? 100;
    for (const path of ASSIGNEE_PATHS) {
      this.route('PUT', path, (req, p) => this.assignRoute(req, p.threadId));
      this.route('DELETE', path, (req, p) => this.unassignRoute(req, p.threadId));
    }
    this.seedPeople();
  }

  /** Starts announcing changes as webhooks through `sender`. */
  connect(sender: WebhookSender): void {
    this.watcher?.stop();
    this.watcher = new StateWatcher(this, sender, this.scanEveryMs);
  }

  /** Announces pending changes now (the page calls it after each action, so nothing waits a scan). */
  announce(): void {
    this.watcher?.scan();
  }

  override async stop(): Promise<void> {
    this.watcher?.stop();
    await super.stop();
  }

  override reset(): void {
    super.reset();
    this.threadIds.length = 0;
    this.threadLanguage.clear();
    this.watcher?.forget();
    this.seedPeople();
  }

  override addThread(partial: Partial<HubSpotThread> = {}): HubSpotThread {
    const thread = super.addThread(partial);
    this.threadIds.push(thread.id);
    return thread;
  }

  /** Every thread, oldest first. */
  listThreads(): HubSpotThread[] {
    return this.threadIds.map((id) => this.getThread(id)).filter((t): t is HubSpotThread => t !== undefined);
  }

  inbox(idOrProfile: string): SandboxInbox | undefined {
    return this.inboxes.find((i) => i.id === idOrProfile || i.profile === idOrProfile);
  }

  languageOf(threadId: string): SandboxLanguage | undefined {
    return this.threadLanguage.get(threadId);
  }

  // ------------------------------------------------------------------ what people do on the page

  /**
   * A visitor opens the chat. The thread exists at once; like a live chat, HubSpot announces it
   * (`conversation.creation`) with the visitor's first message.
   */
  startChat(inboxIdOrProfile: string, language: SandboxLanguage): HubSpotThread {
    const inbox = this.inbox(inboxIdOrProfile);
    if (!inbox) throw new Error(`no inbox ${inboxIdOrProfile}`);
    const staff = inbox.visitor === 'staff' ? this.findContactByEmail(this.staffEmail) : undefined;
    // The chat widget's language lands on the contact (hs_language) where one exists.
    if (staff) staff.properties.hs_language = language;
    // Ids unique across runs: a Redis kept from an earlier run must not mistake a new chat for an old one.
    const id = String(this.nextId++);
    const thread = this.addThread({ id, inboxId: inbox.id, associatedContactId: staff?.id ?? `5${id}` });
    this.threadLanguage.set(thread.id, language);
    return thread;
  }

  visitorWrites(threadId: string, text: string): HubSpotMessage {
    const thread = this.requireOpen(threadId);
    const message = this.addVisitorMessage(thread.id, text);
    this.announce();
    return message;
  }

  agentWrites(threadId: string, text: string): HubSpotMessage {
    this.requireOpen(threadId);
    const message = this.addAgentMessage(threadId, text, { agent: this.agent });
    this.announce();
    return message;
  }

  /** An internal note: visible to agents only, never to the visitor. */
  agentNotes(threadId: string, text: string): HubSpotMessage {
    this.requireOpen(threadId);
    const message = this.addMessage(threadId, {
      type: 'COMMENT',
      createdBy: this.agent.actorId,
      senders: [{ actorId: this.agent.actorId, name: this.agent.name }],
      text,
      richText: `<p>${text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`,
    });
    this.announce();
    return message;
  }

  /** Assign to an agent (`null`: unassign), recording the ASSIGNMENT item the thread shows. */
  assign(threadId: string, actorId: string | null, by = this.agent.actorId): HubSpotThread {
    const thread = this.getThread(threadId);
    if (!thread) throw new Error(`no thread ${threadId}`);
    if ((thread.assignedTo ?? null) !== actorId) {
      const from = thread.assignedTo;
      if (actorId) thread.assignedTo = actorId;
      else delete thread.assignedTo;
      this.recordAssignment(thread, from, by);
    }
    this.announce();
    return thread;
  }

  setStatus(threadId: string, status: 'OPEN' | 'CLOSED'): HubSpotThread {
    const thread = this.getThread(threadId);
    if (!thread) throw new Error(`no thread ${threadId}`);
    if (thread.status !== status) {
      thread.status = status;
      if (status === 'CLOSED') thread.closedAt = new Date().toISOString();
      else delete thread.closedAt;
      this.addMessage(threadId, { type: 'THREAD_STATUS_CHANGE', createdBy: this.agent.actorId, text: '' });
    }
    this.announce();
    return thread;
  }

  /** The ASSIGNMENT item HubSpot lists in the thread (fields `assignedFrom` / `assignedTo`, §8). */
  recordAssignment(thread: HubSpotThread, from: string | undefined, by: string): void {
    const item = {
      type: 'ASSIGNMENT',
      createdBy: by,
      text: '',
      assignedFrom: from ?? null,
      assignedTo: thread.assignedTo ?? null,
    } as Partial<HubSpotMessage>;
    this.addMessage(thread.id, item);
  }

  // ------------------------------------------------------------------ assignee endpoints (§8)

  private assignRoute(req: RecordedRequest, threadId: string): FakeResponse {
    const denied = this.denied(req);
    if (denied) return denied;
    const thread = this.getThread(threadId);
    if (!thread) return this.problem(404, 'OBJECT_NOT_FOUND', `Thread ${threadId} not found`);
    const body = req.body as { actorId?: unknown } | undefined;
    const actorId = body?.actorId;
    if (typeof actorId !== 'string' || !/^A-\d+$/.test(actorId)) {
      return this.problem(400, 'VALIDATION_ERROR', 'actorId must be an agent actor id like A-12345');
    }
    const by = `I-${this.appId}`;
    if (thread.assignedTo !== actorId) {
      const from = thread.assignedTo;
      thread.assignedTo = actorId;
      this.recordAssignment(thread, from, by);
    }
    return this.jsonOk(200, thread);
  }

  private unassignRoute(req: RecordedRequest, threadId: string): FakeResponse {
    const denied = this.denied(req);
    if (denied) return denied;
    const thread = this.getThread(threadId);
    if (!thread) return this.problem(404, 'OBJECT_NOT_FOUND', `Thread ${threadId} not found`);
    if (thread.assignedTo) {
      const from = thread.assignedTo;
      delete thread.assignedTo;
      this.recordAssignment(thread, from, `I-${this.appId}`);
    }
    return { status: 204 };
  }

  private denied(req: RecordedRequest): FakeResponse | undefined {
    if (req.headers.authorization === `Bearer ${this.token}`) return undefined;
    return this.problem(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
  }

  private problem(status: number, category: string, message: string): FakeResponse {
    return this.jsonOk(status, { status: 'error', message, correlationId: crypto.randomUUID(), category });
  }

  private jsonOk(status: number, body: unknown): FakeResponse {
    return { status, body, headers: { 'content-type': 'application/json;charset=utf-8' } };
  }

  private requireOpen(threadId: string): HubSpotThread {
    const thread = this.getThread(threadId);
    if (!thread) throw new Error(`no thread ${threadId}`);
    return thread;
  }

  private seedPeople(): void {
    this.addActor({ id: this.bot.actorId, type: 'AGENT', name: this.bot.name, email: this.bot.email });
    this.addActor({ id: this.agent.actorId, type: 'AGENT', name: this.agent.name, email: this.agent.email });
    if (!this.findContactByEmail(this.staffEmail)) {
      const { email, firstname, lastname } = this.staffSeed;
      this.addContact({ email, firstname, lastname });
    }
  }
}
