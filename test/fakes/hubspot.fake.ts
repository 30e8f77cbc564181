import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { FakeHttpServer, type FakeResponse, type RecordedRequest, type RouteHandler } from './fake-http-server';
import { FakeCrmObjects } from './hubspot-crm-objects.fake';

/*
 * A fake HubSpot (one portal) for integration tests, e2e tests and benchmarks: Conversations API v3
 * (threads, messages, actors), CRM contacts (basic, search, batch upsert), rate limits, auth and
 * HubSpot's error bodies. Facts come from /work/shared/reference/hubspot.md; choices marked
 * "unverified" are plausible guesses no source confirmed.
 *
 * Only erasable TypeScript here (no enums, no parameter properties).
 */

// ---------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------

export type ThreadStatus = 'OPEN' | 'CLOSED';

export interface HubSpotThread {
  id: string;
  status: ThreadStatus;
  inboxId: string;
  assignedTo?: string;
  /** A contact id, or a visitor id when no contact exists yet. */
  associatedContactId: string;
  originalChannelId: string;
  originalChannelAccountId: string;
  createdAt: string;
  closedAt?: string;
  archived: boolean;
  spam: boolean;
}

export interface DeliveryIdentifier {
  type: string;
  value: string;
}

export interface MessageParticipant {
  actorId?: string;
  name?: string;
  deliveryIdentifier?: DeliveryIdentifier;
}

export interface QuickReply {
  label: string;
  value: string;
  valueType: 'TEXT' | 'URL';
}

/** `{type: 'QUICK_REPLIES', quickReplies: QuickReply[]}`, `{type: 'FILE', fileId, …}`, … */
export interface MessageAttachment {
  type: string;
  quickReplies?: QuickReply[];
  [key: string]: unknown;
}

export type ClientType = 'HUBSPOT' | 'INTEGRATION' | 'SYSTEM' | 'UNKNOWN';

export interface HubSpotMessage {
  /** MESSAGE, COMMENT, WELCOME_MESSAGE, ASSIGNMENT, THREAD_STATUS_CHANGE, THREAD_INBOX_CHANGE */
  type: string;
  id: string;
  conversationsThreadId: string;
  createdAt: string;
  createdBy: string;
  client: { clientType: ClientType; integrationAppId?: number };
  senders: MessageParticipant[];
  recipients: MessageParticipant[];
  text: string;
  richText?: string;
  attachments: MessageAttachment[];
  truncationStatus: string;
  /** Absent on COMMENT. */
  direction?: 'INCOMING' | 'OUTGOING';
  channelId?: string;
  channelAccountId?: string;
}

export type ActorType = 'AGENT' | 'VISITOR' | 'INTEGRATION' | 'SYSTEM' | 'BOT' | 'EMAIL';

export interface HubSpotActor {
  id: string;
  type: ActorType;
  name?: string;
  email?: string;
}

/** Property values are strings; an unset property is absent (HubSpot returns it as null when asked for). */
export interface HubSpotContact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** A contact as the API returns it: only the projected properties, null for requested-but-unset ones. */
export interface HubSpotContactView {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** One message our code sent through `POST …/threads/:threadId/messages` and the fake accepted. */
export interface SentMessage {
  threadId: string;
  /** The request body exactly as parsed from the wire. */
  body: Record<string, unknown>;
  rawBody: string;
  /** What the fake stored and answered (201). */
  message: HubSpotMessage;
  at: number;
}

/** Which spelling of the thread assignee endpoint (reference §8) a call used. */
export type AssigneePath = 'dated' | 'v3';

/** One call to `PUT|DELETE /conversations/conversations/{2026-09-beta|v3}/threads/:threadId/assignee`. */
export interface AssigneeCall {
  method: 'PUT' | 'DELETE';
  path: AssigneePath;
  threadId: string;
  /** The body's actorId (PUT). */
  actorId?: string;
  /** What the fake answered (200/204, or 400/404). */
  status: number;
  at: number;
}

/** A conversation webhook event (reference §1). */
export interface ConversationWebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  messageId?: string;
  messageType?: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
}

export type RequestMatch = (req: RecordedRequest) => boolean;

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';

export interface FakeHubSpotOptions {
  /** When set, every request must carry `Authorization: Bearer <accessToken>`, else 401. */
  accessToken?: string;
  portalId?: number;
  appId?: number;
  subscriptionId?: number;
  /** Non-search calls allowed per rolling 10 s (default 100). Infinity disables the limit. */
  perTenSeconds?: number;
  /** Search calls allowed per rolling second (default 5). Infinity disables the limit. */
  searchPerSecond?: number;
  /** Contacts created (or updated) less than this many ms ago are invisible (or stale) in search. */
  searchLagMs?: number;
  /** HubSpot may rewrite the sender of an API-posted message to `I-<appId>`; simulate it. */
  rewriteSenderToIntegration?: boolean;
  /** Clock for timestamps, rate limits and search lag (default Date.now). */
  now?: () => number;
}

/** Matchers for `inject`, `rateLimitNext`, `serverErrorNext`… */
export const HubSpotRequests = {
  getMessage: (r: RecordedRequest): boolean =>
    r.method === 'GET' && /^\/conversations\/v3\/conversations\/threads\/[^/]+\/messages\/[^/]+$/.test(r.path),
  listMessages: (r: RecordedRequest): boolean =>
    r.method === 'GET' && /^\/conversations\/v3\/conversations\/threads\/[^/]+\/messages$/.test(r.path),
  sendMessage: (r: RecordedRequest): boolean =>
    r.method === 'POST' && /^\/conversations\/v3\/conversations\/threads\/[^/]+\/messages$/.test(r.path),
  getThread: (r: RecordedRequest): boolean =>
    r.method === 'GET' && /^\/conversations\/v3\/conversations\/threads\/[^/]+$/.test(r.path),
  updateThread: (r: RecordedRequest): boolean =>
    r.method === 'PATCH' && /^\/conversations\/v3\/conversations\/threads\/[^/]+$/.test(r.path),
  assignee: (r: RecordedRequest): boolean =>
    /^\/conversations\/conversations\/[^/]+\/threads\/[^/]+\/assignee$/.test(r.path),
  conversations: (r: RecordedRequest): boolean => r.path.startsWith('/conversations/'),
  contacts: (r: RecordedRequest): boolean => r.path.startsWith('/crm/v3/objects/contacts'),
  search: (r: RecordedRequest): boolean => r.method === 'POST' && r.path === '/crm/v3/objects/contacts/search',
  createNote: (r: RecordedRequest): boolean => r.method === 'POST' && r.path === '/crm/v3/objects/notes',
  companies: (r: RecordedRequest): boolean => r.path.startsWith('/crm/v3/objects/companies'),
  companyUpsert: (r: RecordedRequest): boolean =>
    r.method === 'POST' && r.path === '/crm/v3/objects/companies/batch/upsert',
  any: (): boolean => true,
};

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';
const TEN_SECONDS = 10_000;
const ONE_SECOND = 1_000;
const CONVERSATIONS = '/conversations/v3/conversations';
const CONTACTS = '/crm/v3/objects/contacts';
/** The assignee endpoint's versions: the dated beta (preferred by HubSpot's spec) and the date-less v3. */
const ASSIGNEE_VERSIONS: Record<string, AssigneePath> = { '2026-09-beta': 'dated', v3: 'v3' };

const AUTH_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

const RATE_LIMIT_MESSAGES: Record<RateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  // The SDK's retry decorator looks for this exact text (search limit); policy name unverified.
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
};

const MESSAGE_SEND_TYPES = new Set(['MESSAGE', 'COMMENT']);
const ATTACHMENT_TYPES = new Set([
  'FILE',
  'QUICK_REPLIES',
  'SOCIAL_MEDIA_METADATA',
  'WHATSAPP_TEMPLATE_METADATA',
  'UNSUPPORTED_CONTENT',
]);

const READ_ONLY_CONTACT_PROPERTIES = new Set(['createdate', 'lastmodifieddate', 'hs_object_id']);
const DEFAULT_CONTACT_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'mobilephone',
  'company',
  'website',
  'jobtitle',
  'lifecyclestage',
  'hs_lead_status',
  'hubspot_owner_id',
  'address',
  'city',
  'state',
  'zip',
  'country',
  'industry',
  'hs_language',
  'message',
  ...READ_ONLY_CONTACT_PROPERTIES,
];
/** Returned by GET/search when no `properties` are requested. */
const DEFAULT_RETURNED_PROPERTIES = [
  'createdate',
  'email',
  'firstname',
  'hs_object_id',
  'lastmodifieddate',
  'lastname',
];
/** Always returned alongside requested properties. */
const ALWAYS_RETURNED_PROPERTIES = ['createdate', 'hs_object_id', 'lastmodifieddate'];
const LIFECYCLE_STAGES = new Set([
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
]);
/** Properties the free-text `query` of a search looks at (unverified list). */
const QUERY_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'website'];

const SEARCH_OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);
const SEARCH_MAX_LIMIT = 200;
const SEARCH_MAX_BODY_CHARS = 3000;
const SEARCH_MAX_GROUPS = 5;
const SEARCH_MAX_FILTERS_PER_GROUP = 6;
const SEARCH_MAX_FILTERS = 18;
const SEARCH_MAX_RESULTS = 10_000;
const BATCH_MAX_INPUTS = 100;
const MESSAGES_DEFAULT_LIMIT = 100; // unverified
const MESSAGES_MAX_LIMIT = 500; // unverified

type LimitKind = 'standard' | 'search';

interface ForcedResponse {
  match: RequestMatch;
  times: number;
  respond: () => FakeResponse;
}

interface SearchView {
  /** null = not indexed yet (invisible). */
  properties: Record<string, string> | null;
  until: number;
}

interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: unknown;
  highValue?: unknown;
  values?: unknown[];
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function hexId(): string {
  return randomBytes(16).toString('hex');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tokens(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** CONTAINS_TOKEN: the needle's words appear as consecutive words of the value; `*` is a wildcard. */
function containsToken(value: string, needle: string): boolean {
  const n = needle.trim().toLowerCase();
  if (!n) return false;
  if (n.includes('*')) {
    const re = new RegExp(`^${n.split('*').map(escapeRegExp).join('.*')}$`, 'u');
    return re.test(value.toLowerCase()) || tokens(value).some((t) => re.test(t));
  }
  const want = tokens(n);
  const have = tokens(value);
  if (want.length === 0) return false;
  for (let i = 0; i + want.length <= have.length; i++) {
    if (want.every((t, j) => have[i + j] === t)) return true;
  }
  return false;
}

function comparable(v: string): number | string {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}(T|$)/.test(v)) {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  return v.toLowerCase();
}

function compare(a: string, b: string): number {
  const x = comparable(a);
  const y = comparable(b);
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y));
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeCursor(after: string | null): number | undefined {
  if (after === null || after === '') return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------------

export class FakeHubSpot extends FakeHttpServer {
  readonly portalId: number;
  readonly appId: number;
  readonly subscriptionId: number;

  private accessToken: string | undefined;
  private readonly clock: () => number;
  private readonly rewriteSender: boolean;
  private readonly defaults: { perTenSeconds: number; searchPerSecond: number; searchLagMs: number };
  private perTenSeconds: number;
  private searchPerSecond: number;
  private searchLagMs: number;

  private readonly threads = new Map<string, HubSpotThread>();
  private readonly messages = new Map<string, HubSpotMessage[]>();
  private readonly contactsById = new Map<string, HubSpotContact>();
  private readonly searchViews = new Map<string, SearchView>();
  private readonly actors = new Map<string, HubSpotActor>();
  private readonly sent: SentMessage[] = [];
  private readonly assigneeLog: AssigneeCall[] = [];
  private readonly missingAssigneePaths = new Set<AssigneePath>();
  private readonly forced: ForcedResponse[] = [];
  /** Notes, companies, associations, company properties and the app's scopes. */
  readonly crm: FakeCrmObjects;
  private readonly knownProperties = new Set<string>(DEFAULT_CONTACT_PROPERTIES);
  private standardHits: number[] = [];
  private searchHits: number[] = [];
  private violations = 0;
  private nextThreadId = 3624100517;
  private nextContactId = 37765128901;
  private nextVisitorId = 52000000001;
  private lastStamp = 0;

  constructor(options: FakeHubSpotOptions = {}) {
    super('hubspot');
    this.accessToken = options.accessToken;
    this.portalId = options.portalId ?? 22761544;
    this.appId = options.appId ?? 1098266;
    this.subscriptionId = options.subscriptionId ?? 1870311;
    this.clock = options.now ?? Date.now;
    this.rewriteSender = options.rewriteSenderToIntegration ?? false;
    this.defaults = {
      perTenSeconds: options.perTenSeconds ?? 100,
      searchPerSecond: options.searchPerSecond ?? 5,
      searchLagMs: options.searchLagMs ?? 0,
    };
    this.perTenSeconds = this.defaults.perTenSeconds;
    this.searchPerSecond = this.defaults.searchPerSecond;
    this.searchLagMs = this.defaults.searchLagMs;
    this.crm = new FakeCrmObjects(
      (id) => this.contactsById.has(id),
      () => this.clock(),
    );
    this.registerRoutes();
  }

  // ------------------------------------------------------------------ configuration & state

  /** Clears requests, faults, latency, all seeded/created data, rate-limit windows and counters. */
  override reset(): void {
    super.reset();
    this.threads.clear();
    this.messages.clear();
    this.contactsById.clear();
    this.searchViews.clear();
    this.actors.clear();
    this.sent.length = 0;
    this.assigneeLog.length = 0;
    this.missingAssigneePaths.clear();
    this.crm?.reset();
    this.knownProperties.clear();
    for (const p of DEFAULT_CONTACT_PROPERTIES) this.knownProperties.add(p);
    this.perTenSeconds = this.defaults.perTenSeconds;
    this.searchPerSecond = this.defaults.searchPerSecond;
    this.searchLagMs = this.defaults.searchLagMs;
    this.resetRateLimitWindows();
    this.violations = 0;
  }

  /** Also drops pending `rateLimitNext` / `serverErrorNext` / `unauthorizedNext`. */
  override clearFaults(): void {
    super.clearFaults();
    // Called by the base class's reset(); fields exist by then.
    this.forced.length = 0;
  }

  /** undefined = accept any (or no) Authorization header. */
  setAccessToken(token: string | undefined): void {
    this.accessToken = token;
  }

  setRateLimit(limits: { perTenSeconds?: number; searchPerSecond?: number }): void {
    if (limits.perTenSeconds !== undefined) this.perTenSeconds = limits.perTenSeconds;
    if (limits.searchPerSecond !== undefined) this.searchPerSecond = limits.searchPerSecond;
  }

  /** Forget the calls counted in the rolling windows (not `rateLimitViolations`). */
  resetRateLimitWindows(): void {
    this.standardHits = [];
    this.searchHits = [];
  }

  /** 429s served so far (enforced limits and `rateLimitNext`). */
  get rateLimitViolations(): number {
    return this.violations;
  }

  /** Calls currently counted in each rolling window. */
  rateLimitUsage(): { standard: { used: number; max: number }; search: { used: number; max: number } } {
    const now = this.clock();
    this.standardHits = this.standardHits.filter((t) => now - t < TEN_SECONDS);
    this.searchHits = this.searchHits.filter((t) => now - t < ONE_SECOND);
    return {
      standard: { used: this.standardHits.length, max: this.perTenSeconds },
      search: { used: this.searchHits.length, max: this.searchPerSecond },
    };
  }

  setSearchLagMs(ms: number): void {
    this.searchLagMs = ms;
  }

  /** Allow more contact property names (unknown names are rejected like HubSpot does). */
  defineContactProperty(...names: string[]): void {
    for (const n of names) this.knownProperties.add(n);
  }

  // ------------------------------------------------------------------ faults

  /** The next `times` matching requests get a 429 (counted in `rateLimitViolations`). */
  rateLimitNext(
    times = 1,
    opts: { retryAfterSeconds?: number; policy?: RateLimitPolicy; match?: RequestMatch } = {},
  ): this {
    const policy = opts.policy ?? 'TEN_SECONDLY_ROLLING';
    this.forced.push({
      match: opts.match ?? HubSpotRequests.any,
      times,
      respond: () => {
        this.violations += 1;
        const res = this.rateLimitResponse(policy);
        if (opts.retryAfterSeconds !== undefined) res.headers!['Retry-After'] = String(opts.retryAfterSeconds);
        return res;
      },
    });
    return this;
  }

  /** The next `times` matching requests get a HubSpot-style JSON 5xx. */
  serverErrorNext(status = 500, match: RequestMatch = HubSpotRequests.any, times = 1): this {
    this.forced.push({
      match,
      times,
      respond: () =>
        this.json(
          this.error(
            status,
            'INTERNAL_ERROR', // unverified category
            status === 500 ? 'internal error' : `upstream error (${status})`,
          ),
        ),
    });
    return this;
  }

  /** The next `times` matching requests get a 401 even with the right token. */
  unauthorizedNext(times = 1, match: RequestMatch = HubSpotRequests.any): this {
    this.forced.push({ match, times, respond: () => this.unauthorized() });
    return this;
  }

  // ------------------------------------------------------------------ seeding & inspection

  addThread(partial: Partial<HubSpotThread> = {}): HubSpotThread {
    const thread: HubSpotThread = {
      id: String(this.nextThreadId++),
      status: 'OPEN',
      inboxId: '147959634',
      associatedContactId: String(this.nextVisitorId++),
      originalChannelId: '1000',
      originalChannelAccountId: '123',
      createdAt: new Date(this.stamp()).toISOString(),
      archived: false,
      spam: false,
      ...partial,
    };
    if (this.threads.has(thread.id)) throw new Error(`FakeHubSpot: thread ${thread.id} already exists`);
    this.threads.set(thread.id, thread);
    this.messages.set(thread.id, []);
    return thread;
  }

  /** An INCOMING live-chat MESSAGE from the thread's visitor `V-<associatedContactId>`. */
  addVisitorMessage(threadId: string, text: string, partial: Partial<HubSpotMessage> = {}): HubSpotMessage {
    const thread = this.requireThread(threadId);
    const visitor = this.visitorOf(thread);
    this.actors.set(visitor.actorId!, {
      id: visitor.actorId!,
      type: 'VISITOR',
      name: visitor.name,
      email: visitor.deliveryIdentifier?.value,
    });
    return this.addMessage(threadId, {
      createdBy: visitor.actorId,
      client: { clientType: 'HUBSPOT' },
      senders: [visitor],
      recipients: [],
      text,
      richText: `<p>${escapeHtml(text)}</p>`,
      direction: 'INCOMING',
      ...partial,
    });
  }

  /** An OUTGOING MESSAGE typed by an agent in HubSpot (default `A-<n>`: the assignee or A-1001). */
  addAgentMessage(
    threadId: string,
    text: string,
    partial: Partial<HubSpotMessage> & { agent?: { actorId: string; name?: string; email?: string } } = {},
  ): HubSpotMessage {
    const thread = this.requireThread(threadId);
    const { agent: agentIn, ...rest } = partial;
    const actorId = agentIn?.actorId ?? thread.assignedTo ?? 'A-1001';
    const known = this.actors.get(actorId);
    const agent: HubSpotActor = {
      id: actorId,
      type: 'AGENT',
      name: agentIn?.name ?? known?.name ?? 'Alex Agent',
      email: agentIn?.email ?? known?.email ?? 'alex.agent@example.com',
    };
    this.actors.set(actorId, agent);
    const visitor = this.visitorOf(thread);
    return this.addMessage(threadId, {
      createdBy: actorId,
      client: { clientType: 'HUBSPOT' },
      senders: [{ actorId, name: agent.name }],
      recipients: [{ actorId: visitor.actorId, deliveryIdentifier: visitor.deliveryIdentifier }],
      text,
      richText: `<p>${escapeHtml(text)}</p>`,
      direction: 'OUTGOING',
      ...rest,
    });
  }

  /** Any message (COMMENT, WELCOME_MESSAGE, …); fields not given get plausible defaults. */
  addMessage(threadId: string, partial: Partial<HubSpotMessage> = {}): HubSpotMessage {
    const thread = this.requireThread(threadId);
    const type = partial.type ?? 'MESSAGE';
    const message: HubSpotMessage = {
      type,
      id: hexId(),
      conversationsThreadId: thread.id,
      createdAt: new Date(this.stamp()).toISOString(),
      createdBy: 'S-hubspot',
      client: { clientType: 'HUBSPOT' },
      senders: [],
      recipients: [],
      text: '',
      attachments: [],
      truncationStatus: 'NOT_TRUNCATED',
      ...(type === 'COMMENT'
        ? {}
        : { channelId: thread.originalChannelId, channelAccountId: thread.originalChannelAccountId }),
      ...partial,
    };
    this.messages.get(thread.id)!.push(message);
    return message;
  }

  addContact(
    properties: Record<string, string | number | boolean>,
    partial: Partial<HubSpotContact> = {},
  ): HubSpotContact {
    const now = this.stamp();
    const iso = new Date(now).toISOString();
    const id = partial.id ?? String(this.nextContactId++);
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(properties)) if (String(v) !== '') props[k] = String(v);
    if (props.email) props.email = props.email.trim().toLowerCase();
    if (props.email && this.findContactByEmail(props.email)) {
      throw new Error(`FakeHubSpot: a contact with email ${props.email} already exists`);
    }
    const contact: HubSpotContact = {
      id,
      createdAt: iso,
      updatedAt: iso,
      archived: false,
      ...partial,
      properties: { ...props, createdate: iso, lastmodifieddate: iso, hs_object_id: id },
    };
    for (const k of Object.keys(props)) this.knownProperties.add(k);
    this.contactsById.set(id, contact);
    return contact;
  }

  /** Register an actor for `GET …/actors/:actorId`. */
  addActor(actor: HubSpotActor): HubSpotActor {
    this.actors.set(actor.id, actor);
    return actor;
  }

  /** Live objects: mutate them to change what the fake serves. */
  getThread(threadId: string): HubSpotThread | undefined {
    return this.threads.get(threadId);
  }

  getMessages(threadId: string): HubSpotMessage[] {
    return this.messages.get(threadId) ?? [];
  }

  getContact(id: string): HubSpotContact | undefined {
    return this.contactsById.get(id);
  }

  findContactByEmail(email: string): HubSpotContact | undefined {
    const e = email.trim().toLowerCase();
    for (const c of this.contactsById.values()) if (c.properties.email === e) return c;
    return undefined;
  }

  allContacts(): HubSpotContact[] {
    return [...this.contactsById.values()];
  }

  /** Every call to the assignee endpoint (both spellings, both methods, whatever was answered), oldest first. */
  assigneeCalls(threadId?: string): AssigneeCall[] {
    return threadId === undefined ? [...this.assigneeLog] : this.assigneeLog.filter((c) => c.threadId === threadId);
  }

  /** Make one spelling of the assignee endpoint answer 404 (a portal without the beta, or after v3 is gone). */
  setAssigneePathMissing(path: AssigneePath, missing = true): void {
    if (missing) this.missingAssigneePaths.add(path);
    else this.missingAssigneePaths.delete(path);
  }

  /** Internal notes (COMMENT: agents see them, visitors never do) accepted through the API, oldest first. */
  sentNotes(threadId?: string): SentMessage[] {
    return this.sentOfThread(threadId).filter((s) => s.message.type === 'COMMENT');
  }

  /** Messages (type MESSAGE: what the visitor reads) accepted through the API, oldest first; notes: `sentNotes`. */
  sentMessages(threadId?: string): SentMessage[] {
    return this.sentOfThread(threadId).filter((s) => s.message.type !== 'COMMENT');
  }

  private sentOfThread(threadId?: string): SentMessage[] {
    return threadId === undefined ? [...this.sent] : this.sent.filter((s) => s.threadId === threadId);
  }

  // ------------------------------------------------------------------ webhook events

  /** The `conversation.newMessage` event HubSpot would deliver for this message. */
  webhookEventFor(
    message: HubSpotMessage,
    overrides: Partial<ConversationWebhookEvent> = {},
  ): ConversationWebhookEvent {
    return {
      eventId: randomInt(1, 2 ** 32),
      subscriptionId: this.subscriptionId,
      portalId: this.portalId,
      appId: this.appId,
      occurredAt: Date.parse(message.createdAt),
      subscriptionType: 'conversation.newMessage',
      attemptNumber: 0,
      objectId: Number(message.conversationsThreadId),
      messageId: message.id,
      messageType: message.type,
      changeFlag: 'NEW_MESSAGE',
      ...overrides,
    };
  }

  /** `conversation.creation` (extra fields unverified: none added). */
  creationEventFor(thread: HubSpotThread, overrides: Partial<ConversationWebhookEvent> = {}): ConversationWebhookEvent {
    return {
      ...this.envelope(thread, 'conversation.creation', Date.parse(thread.createdAt)),
      ...overrides,
    };
  }

  /** `conversation.propertyChange` (`assignedTo` → actor id or '', `status` → OPEN/CLOSED). */
  propertyChangeEventFor(
    thread: HubSpotThread,
    propertyName: string,
    propertyValue: string,
    overrides: Partial<ConversationWebhookEvent> = {},
  ): ConversationWebhookEvent {
    return {
      ...this.envelope(thread, 'conversation.propertyChange', this.clock()),
      propertyName,
      propertyValue,
      ...overrides,
    };
  }

  // ------------------------------------------------------------------ protocol plumbing

  protected override notFound(req: RecordedRequest): FakeResponse {
    if (!this.authorized(req)) return this.unauthorized();
    return this.json(this.error(404, 'OBJECT_NOT_FOUND', `resource not found: ${req.method} ${req.path}`));
  }

  private on(method: string, template: string, kind: LimitKind, handler: RouteHandler): void {
    this.route(method, template, async (req, params) => {
      if (!this.authorized(req)) return this.unauthorized();
      const forced = this.forced.find((f) => f.times > 0 && f.match(req));
      if (forced) {
        forced.times -= 1;
        return forced.respond();
      }
      const limited = this.consume(kind);
      if (limited) return limited;
      const res = await handler(req, params);
      return this.json(res, kind === 'standard' ? this.rateLimitHeaders() : {});
    });
  }

  private authorized(req: RecordedRequest): boolean {
    return this.accessToken === undefined || req.headers.authorization === `Bearer ${this.accessToken}`;
  }

  private unauthorized(): FakeResponse {
    return this.json(this.error(401, 'INVALID_AUTHENTICATION', AUTH_MESSAGE));
  }

  private consume(kind: LimitKind): FakeResponse | undefined {
    const now = this.clock();
    if (kind === 'search') {
      if (!Number.isFinite(this.searchPerSecond)) return undefined;
      this.searchHits = this.searchHits.filter((t) => now - t < ONE_SECOND);
      if (this.searchHits.length >= this.searchPerSecond) {
        this.violations += 1;
        return this.rateLimitResponse('SECONDLY');
      }
      this.searchHits.push(now);
      return undefined;
    }
    if (!Number.isFinite(this.perTenSeconds)) return undefined;
    this.standardHits = this.standardHits.filter((t) => now - t < TEN_SECONDS);
    if (this.standardHits.length >= this.perTenSeconds) {
      this.violations += 1;
      return this.rateLimitResponse('TEN_SECONDLY_ROLLING');
    }
    this.standardHits.push(now);
    return undefined;
  }

  private rateLimitHeaders(): Record<string, string> {
    if (!Number.isFinite(this.perTenSeconds)) return {};
    return {
      'X-HubSpot-RateLimit-Max': String(this.perTenSeconds),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, this.perTenSeconds - this.standardHits.length)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(TEN_SECONDS),
    };
  }

  private rateLimitResponse(policy: RateLimitPolicy): FakeResponse {
    const body = {
      status: 'error',
      message: RATE_LIMIT_MESSAGES[policy],
      errorType: 'RATE_LIMIT',
      correlationId: randomUUID(),
      policyName: policy,
    };
    // Whether a 429 carries Retry-After is unverified: none unless rateLimitNext asks for it.
    return this.json({ status: 429, body }, policy === 'TEN_SECONDLY_ROLLING' ? this.rateLimitHeaders() : {});
  }

  private json(res: FakeResponse, extraHeaders: Record<string, string> = {}): FakeResponse {
    return {
      ...res,
      headers: {
        ...(res.body !== undefined ? { 'content-type': JSON_CONTENT_TYPE } : {}),
        ...extraHeaders,
        ...res.headers,
      },
    };
  }

  private error(status: number, category: string, message: string, extra: Json = {}): FakeResponse {
    return { status, body: { status: 'error', message, correlationId: randomUUID(), category, ...extra } };
  }

  private validation(message: string, extra: Json = {}): FakeResponse {
    return this.error(400, 'VALIDATION_ERROR', message, extra);
  }

  private invalidJson(req: RecordedRequest): FakeResponse | undefined {
    if (req.rawBody && req.body === undefined) return this.validation('Invalid input JSON: could not parse the body');
    return undefined;
  }

  /** Strictly increasing ms timestamps, so seeded messages sort in insertion order. */
  private stamp(): number {
    const t = Math.max(this.clock(), this.lastStamp + 1);
    this.lastStamp = t;
    return t;
  }

  private requireThread(threadId: string): HubSpotThread {
    const thread = this.threads.get(threadId);
    if (!thread) throw new Error(`FakeHubSpot: no thread ${threadId}; addThread() first`);
    return thread;
  }

  private visitorOf(thread: HubSpotThread): MessageParticipant {
    const contact = this.contactsById.get(thread.associatedContactId);
    const email = contact?.properties.email ?? `visitor-${thread.associatedContactId}@example.com`;
    const name = [contact?.properties.firstname, contact?.properties.lastname].filter(Boolean).join(' ');
    return {
      actorId: `V-${thread.associatedContactId}`,
      ...(name ? { name } : {}),
      deliveryIdentifier: { type: 'HS_EMAIL_ADDRESS', value: email },
    };
  }

  private envelope(thread: HubSpotThread, subscriptionType: string, occurredAt: number): ConversationWebhookEvent {
    return {
      eventId: randomInt(1, 2 ** 32),
      subscriptionId: this.subscriptionId,
      portalId: this.portalId,
      appId: this.appId,
      occurredAt,
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(thread.id),
    };
  }

  // ------------------------------------------------------------------ routes

  private registerRoutes(): void {
    this.on('GET', `${CONVERSATIONS}/threads/:threadId/messages/:messageId`, 'standard', (_req, p) =>
      this.getMessageRoute(p.threadId, p.messageId),
    );
    this.on('GET', `${CONVERSATIONS}/threads/:threadId/messages`, 'standard', (req, p) =>
      this.listMessagesRoute(req, p.threadId),
    );
    this.on('POST', `${CONVERSATIONS}/threads/:threadId/messages`, 'standard', (req, p) =>
      this.sendMessageRoute(req, p.threadId),
    );
    this.on('GET', `${CONVERSATIONS}/threads/:threadId`, 'standard', (_req, p) => {
      const thread = this.threads.get(p.threadId);
      return thread ? { status: 200, body: thread } : this.threadNotFound(p.threadId);
    });
    this.on('PATCH', `${CONVERSATIONS}/threads/:threadId`, 'standard', (req, p) =>
      this.updateThreadRoute(req, p.threadId),
    );
    for (const method of ['PUT', 'DELETE'] as const) {
      this.on(method, '/conversations/conversations/:version/threads/:threadId/assignee', 'standard', (req, p) =>
        this.assigneeRoute(req, method, p.version, p.threadId),
      );
    }
    this.on('GET', `${CONVERSATIONS}/actors/:actorId`, 'standard', (_req, p) => this.actorRoute(p.actorId));

    this.on('POST', CONTACTS, 'standard', (req) => this.createContactRoute(req));
    this.on('POST', `${CONTACTS}/search`, 'search', (req) => this.searchRoute(req));
    this.on('POST', `${CONTACTS}/batch/upsert`, 'standard', (req) => this.batchUpsertRoute(req));
    this.on('GET', `${CONTACTS}/:contactId`, 'standard', (req, p) => this.getContactRoute(req, p.contactId));
    this.on('PATCH', `${CONTACTS}/:contactId`, 'standard', (req, p) => this.updateContactRoute(req, p.contactId));
    this.registerCrmObjectRoutes();
  }

  /** Notes, companies, associations v4, company properties: each checks the scope HubSpot requires. */
  private registerCrmObjectRoutes(): void {
    const crm = this.crm;
    const scoped =
      (scope: string, handler: RouteHandler): RouteHandler =>
      (req, params) =>
        this.invalidJson(req) ?? crm.scopeCheck(scope) ?? handler(req, params);
    const OBJECTS = '/crm/v3/objects';
    const [contactsRead, contactsWrite] = ['crm.objects.contacts.read', 'crm.objects.contacts.write'];
    const [companiesRead, companiesWrite] = ['crm.objects.companies.read', 'crm.objects.companies.write'];
    this.on(
      'POST',
      `${OBJECTS}/notes`,
      'standard',
      scoped(contactsWrite, (req) => crm.createNote(req)),
    );
    this.on(
      'POST',
      `${OBJECTS}/notes/batch/read`,
      'standard',
      scoped(contactsRead, (req) => crm.batchReadNotes(req)),
    );
    this.on('GET', '/crm/v4/objects/:fromType/:fromId/associations/:toType', 'standard', (req, p) =>
      scoped(p.toType === 'companies' || p.fromType === 'companies' ? companiesRead : contactsRead, () =>
        crm.listAssociations(p.fromType, p.fromId, p.toType),
      )(req, p),
    );
    this.on('PUT', '/crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId', 'standard', (req, p) =>
      scoped(companiesWrite, () => crm.associateDefault(p.fromType, p.fromId, p.toType, p.toId))(req, p),
    );
    this.on(
      'POST',
      `${OBJECTS}/companies/batch/upsert`,
      'standard',
      scoped(companiesWrite, (req) => crm.upsertCompanies(req)),
    );
    this.on(
      'POST',
      `${OBJECTS}/companies/search`,
      'search',
      scoped(companiesRead, (req) => crm.searchCompanies(req)),
    );
    this.on('GET', `${OBJECTS}/companies/:companyId`, 'standard', (req, p) =>
      scoped(companiesRead, () => crm.getCompany(req, p.companyId))(req, p),
    );
    this.on('GET', '/crm/v3/properties/companies/:name', 'standard', (req, p) =>
      scoped('crm.schemas.companies.read', () => crm.getCompanyProperty(p.name))(req, p),
    );
    this.on(
      'POST',
      '/crm/v3/properties/companies',
      'standard',
      scoped('crm.schemas.companies.write', (req) => crm.createCompanyProperty(req)),
    );
  }

  // ------------------------------------------------------------------ conversations

  private threadNotFound(threadId: string): FakeResponse {
    return this.error(404, 'OBJECT_NOT_FOUND', `Thread ${threadId} not found`);
  }

  private getMessageRoute(threadId: string, messageId: string): FakeResponse {
    if (!this.threads.has(threadId)) return this.threadNotFound(threadId);
    const message = this.messages.get(threadId)!.find((m) => m.id === messageId);
    if (!message) return this.error(404, 'OBJECT_NOT_FOUND', `Message ${messageId} not found in thread ${threadId}`);
    return { status: 200, body: message };
  }

  private listMessagesRoute(req: RecordedRequest, threadId: string): FakeResponse {
    if (!this.threads.has(threadId)) return this.threadNotFound(threadId);
    const limitRaw = req.query.get('limit');
    const limit = limitRaw === null ? MESSAGES_DEFAULT_LIMIT : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MESSAGES_MAX_LIMIT) {
      return this.validation(`limit must be an integer between 1 and ${MESSAGES_MAX_LIMIT}`);
    }
    const offset = decodeCursor(req.query.get('after'));
    if (offset === undefined) return this.validation('Invalid paging cursor in after');
    const sort = req.query.get('sort') ?? 'createdAt';
    if (sort !== 'createdAt' && sort !== '-createdAt') return this.validation('sort must be createdAt or -createdAt');
    const all = [...this.messages.get(threadId)!].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    if (sort === '-createdAt') all.reverse();
    const results = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? { paging: { next: { after: encodeCursor(offset + limit) } } } : {};
    return { status: 200, body: { results, ...next } };
  }

  private sendMessageRoute(req: RecordedRequest, threadId: string): FakeResponse {
    const thread = this.threads.get(threadId);
    if (!thread) return this.threadNotFound(threadId);
    const bad = this.invalidJson(req);
    if (bad) return bad;
    const body = req.body;
    if (!isObject(body)) return this.validation('Invalid input JSON: expected an object');
    const invalid = (message: string, field: string, subCategory?: string): FakeResponse =>
      this.validation(message, {
        ...(subCategory ? { subCategory } : {}),
        errors: [{ message, in: field, ...(subCategory ? { subCategory } : {}) }],
      });

    const type = body.type;
    if (typeof type !== 'string' || !MESSAGE_SEND_TYPES.has(type)) {
      return invalid(`type must be one of ${[...MESSAGE_SEND_TYPES].join(', ')}`, 'type');
    }
    // A COMMENT needs no sender (reference §8: only type, text and attachments); it is stored as the app's.
    const sender = type === 'COMMENT' && body.senderActorId === undefined ? `I-${this.appId}` : body.senderActorId;
    if (!nonEmptyString(sender)) return invalid('senderActorId is required', 'senderActorId');
    if (!sender.startsWith('A-') && !(type === 'COMMENT' && sender === `I-${this.appId}`)) {
      return invalid(
        `Actor ${sender} cannot send messages: only agent actors (A-) are supported`,
        'senderActorId',
        'UNSUPPORTED_ACTOR_TYPE',
      );
    }
    if (typeof body.text !== 'string' || body.text.length === 0) return invalid('text is required', 'text');
    if (body.richText !== undefined && typeof body.richText !== 'string') {
      return invalid('richText must be a string', 'richText');
    }

    let channelId: string | undefined;
    let channelAccountId: string | undefined;
    let recipients: MessageParticipant[] = [];
    if (type === 'MESSAGE') {
      channelId = scalar(body.channelId);
      channelAccountId = scalar(body.channelAccountId);
      if (!channelId) return invalid('channelId is required for MESSAGE', 'channelId');
      if (!channelAccountId) return invalid('channelAccountId is required for MESSAGE', 'channelAccountId');
      if (!Array.isArray(body.recipients) || body.recipients.length === 0) {
        return invalid('recipients is required for MESSAGE (at least one)', 'recipients');
      }
      for (const r of body.recipients as unknown[]) {
        const ok =
          isObject(r) &&
          (nonEmptyString(r.actorId) ||
            (isObject(r.deliveryIdentifier) &&
              nonEmptyString(r.deliveryIdentifier.type) &&
              nonEmptyString(r.deliveryIdentifier.value)));
        if (!ok) return invalid('each recipient needs an actorId or a deliveryIdentifier {type, value}', 'recipients');
      }
      recipients = body.recipients as MessageParticipant[];
    }

    // "send [] when none": the fake requires the field for MESSAGE (stricter than HubSpot, maybe).
    if (body.attachments === undefined && type === 'MESSAGE') {
      return invalid('attachments is required (send [] when none)', 'attachments');
    }
    if (body.attachments !== undefined && !Array.isArray(body.attachments)) {
      return invalid('attachments must be an array', 'attachments');
    }
    const attachments = (body.attachments ?? []) as unknown[];
    for (const a of attachments) {
      const problem = this.attachmentProblem(a);
      if (problem) return invalid(problem, 'attachments');
    }

    const actorId = this.rewriteSender ? `I-${this.appId}` : sender;
    const actorName = this.actors.get(actorId)?.name;
    const message: HubSpotMessage = {
      type,
      id: hexId(),
      conversationsThreadId: thread.id,
      createdAt: new Date(this.stamp()).toISOString(),
      createdBy: actorId,
      client: { clientType: 'INTEGRATION', integrationAppId: this.appId },
      senders: [{ actorId, ...(actorName ? { name: actorName } : {}) }],
      recipients,
      text: body.text,
      ...(typeof body.richText === 'string' ? { richText: body.richText } : {}),
      attachments: attachments as MessageAttachment[],
      truncationStatus: 'NOT_TRUNCATED',
      ...(type === 'MESSAGE' ? { direction: 'OUTGOING' as const, channelId, channelAccountId } : {}),
    };
    // Posting to a CLOSED thread is accepted and leaves its status alone (HubSpot's behaviour unverified).
    this.messages.get(thread.id)!.push(message);
    this.sent.push({ threadId: thread.id, body, rawBody: req.rawBody, message, at: req.at });
    return { status: 201, body: message };
  }

  private attachmentProblem(a: unknown): string | undefined {
    if (!isObject(a) || typeof a.type !== 'string') return 'each attachment must be an object with a type';
    if (!ATTACHMENT_TYPES.has(a.type)) return `unknown attachment type ${a.type}`;
    if (a.type === 'FILE' && !nonEmptyString(scalar(a.fileId))) return 'FILE attachment needs a fileId';
    if (a.type !== 'QUICK_REPLIES') return undefined;
    if (!Array.isArray(a.quickReplies) || a.quickReplies.length === 0) {
      return 'QUICK_REPLIES attachment needs a non-empty quickReplies array';
    }
    for (const q of a.quickReplies as unknown[]) {
      if (!isObject(q) || !nonEmptyString(q.label) || !nonEmptyString(q.value)) {
        return 'each quick reply needs a non-empty label and value';
      }
      if (q.valueType !== 'TEXT' && q.valueType !== 'URL') return 'quick reply valueType must be TEXT or URL';
      if (q.valueType === 'URL' && !/^https?:\/\//.test(q.value)) return 'a URL quick reply needs an http(s) value';
    }
    return undefined;
  }

  private updateThreadRoute(req: RecordedRequest, threadId: string): FakeResponse {
    const thread = this.threads.get(threadId);
    if (!thread) return this.threadNotFound(threadId);
    const bad = this.invalidJson(req);
    if (bad) return bad;
    const body = req.body;
    if (!isObject(body) || (body.status !== 'OPEN' && body.status !== 'CLOSED')) {
      return this.validation('status must be OPEN or CLOSED', {
        errors: [{ message: 'invalid status', in: 'status' }],
      });
    }
    if (body.status !== thread.status) {
      thread.status = body.status;
      if (body.status === 'CLOSED') thread.closedAt = new Date(this.stamp()).toISOString();
      else delete thread.closedAt;
    }
    return { status: 200, body: thread };
  }

  /**
   * `PUT {actorId: "A-<userId>"}` → 200 with the thread (and an ASSIGNMENT item in its messages);
   * `DELETE` → 204. Only agents can be assignees (an e-mail, as HubSpot's guide shows, is refused).
   */
  private assigneeRoute(
    req: RecordedRequest,
    method: 'PUT' | 'DELETE',
    version: string,
    threadId: string,
  ): FakeResponse {
    const path = ASSIGNEE_VERSIONS[version];
    const log = (status: number, actorId?: string) => {
      this.assigneeLog.push({ method, path: path ?? 'v3', threadId, actorId, status, at: req.at });
    };
    const body = isObject(req.body) ? req.body : {};
    const actorId = typeof body.actorId === 'string' ? body.actorId : undefined;
    if (!path || this.missingAssigneePaths.has(path)) {
      if (path) log(404, actorId);
      return this.error(404, 'OBJECT_NOT_FOUND', `resource not found: ${req.method} ${req.path}`);
    }
    const thread = this.threads.get(threadId);
    if (!thread) {
      log(404, actorId);
      return this.threadNotFound(threadId);
    }
    const previous = thread.assignedTo;
    if (method === 'DELETE') {
      log(204);
      delete thread.assignedTo;
      return { status: 204 };
    }
    const bad = this.invalidJson(req);
    if (bad) {
      log(400);
      return bad;
    }
    if (!actorId || !/^A-\d+$/.test(actorId)) {
      log(400, actorId);
      return this.validation('actorId must be an agent actor id like A-123', {
        errors: [{ message: 'invalid actorId', in: 'actorId' }],
      });
    }
    log(200, actorId);
    thread.assignedTo = actorId;
    this.addMessage(threadId, {
      type: 'ASSIGNMENT',
      ...({ assignedFrom: previous ?? null, assignedTo: actorId } as Partial<HubSpotMessage>),
    });
    return { status: 200, body: thread };
  }

  private actorRoute(actorId: string): FakeResponse {
    const known = this.actors.get(actorId);
    if (known) return { status: 200, body: known };
    const visitor = /^V-(.+)$/.exec(actorId);
    const contact = visitor ? this.contactsById.get(visitor[1]) : undefined;
    if (contact) {
      const name = [contact.properties.firstname, contact.properties.lastname].filter(Boolean).join(' ');
      return {
        status: 200,
        body: {
          id: actorId,
          type: 'VISITOR',
          ...(name ? { name } : {}),
          ...(contact.properties.email ? { email: contact.properties.email } : {}),
        },
      };
    }
    if (actorId === `I-${this.appId}`) return { status: 200, body: { id: actorId, type: 'INTEGRATION', name: 'App' } };
    if (actorId === 'S-hubspot') return { status: 200, body: { id: actorId, type: 'SYSTEM', name: 'HubSpot' } };
    return this.error(404, 'OBJECT_NOT_FOUND', `Actor ${actorId} not found`);
  }

  // ------------------------------------------------------------------ contacts

  private contactNotFound(id: string): FakeResponse {
    return this.error(404, 'OBJECT_NOT_FOUND', 'resource not found', { context: { id: [id] } });
  }

  private conflict(existingId: string): FakeResponse {
    return this.error(409, 'CONFLICT', `Contact already exists. Existing ID: ${existingId}`);
  }

  /** Normalised properties, or a 400 like HubSpot's "Property values were not valid". */
  private checkProperties(raw: unknown): { props: Record<string, string> } | { error: FakeResponse } {
    if (!isObject(raw)) return { error: this.validation('Invalid input JSON: properties must be an object') };
    const props: Record<string, string> = {};
    const issues: Json[] = [];
    for (const [name, value] of Object.entries(raw)) {
      const v = value === null ? '' : scalar(value);
      if (!this.knownProperties.has(name)) {
        issues.push({
          isValid: false,
          message: `Property "${name}" does not exist`,
          error: 'PROPERTY_DOESNT_EXIST',
          name,
        });
      } else if (READ_ONLY_CONTACT_PROPERTIES.has(name)) {
        issues.push({ isValid: false, message: `"${name}" is a read only property`, error: 'READ_ONLY_VALUE', name });
      } else if (v === undefined) {
        issues.push({ isValid: false, message: `${name} must be a string`, error: 'INVALID_VALUE', name });
      } else if (name === 'email' && v !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim())) {
        issues.push({ isValid: false, message: `Email address ${v} is invalid`, error: 'INVALID_EMAIL', name });
      } else if (name === 'lifecyclestage' && v !== '' && !LIFECYCLE_STAGES.has(v) && !/^\d+$/.test(v)) {
        issues.push({
          isValid: false,
          message: `${v} was not one of the allowed options`,
          error: 'INVALID_OPTION',
          name,
        });
      } else {
        props[name] = name === 'email' ? v.trim().toLowerCase() : v;
      }
    }
    if (issues.length > 0) {
      return { error: this.validation(`Property values were not valid: ${JSON.stringify(issues)}`) };
    }
    return { props };
  }

  private emailOwner(email: string | undefined, exceptId?: string): HubSpotContact | undefined {
    if (!email) return undefined;
    const owner = this.findContactByEmail(email);
    return owner && owner.id !== exceptId ? owner : undefined;
  }

  private createContact(props: Record<string, string>): HubSpotContact {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(props)) if (v !== '') clean[k] = v;
    const contact = this.addContact(clean);
    if (this.searchLagMs > 0)
      this.searchViews.set(contact.id, { properties: null, until: this.clock() + this.searchLagMs });
    return contact;
  }

  private applyUpdate(contact: HubSpotContact, props: Record<string, string>): void {
    if (this.searchLagMs > 0) {
      const pending = this.searchViews.get(contact.id);
      const stale = pending && this.clock() < pending.until ? pending.properties : { ...contact.properties };
      this.searchViews.set(contact.id, { properties: stale, until: this.clock() + this.searchLagMs });
    }
    for (const [k, v] of Object.entries(props)) {
      if (v === '') delete contact.properties[k];
      else contact.properties[k] = v;
    }
    const iso = new Date(this.stamp()).toISOString();
    contact.updatedAt = iso;
    contact.properties.lastmodifieddate = iso;
  }

  private view(contact: HubSpotContact, names: string[], properties = contact.properties): HubSpotContactView {
    const out: Record<string, string | null> = {};
    for (const n of [...new Set(names)].sort()) out[n] = properties[n] ?? null;
    return {
      id: contact.id,
      properties: out,
      createdAt: contact.createdAt,
      updatedAt: contact.updatedAt,
      archived: contact.archived,
    };
  }

  private projection(requested: string[] | undefined): string[] {
    const known = (requested ?? []).filter((n) => this.knownProperties.has(n));
    return requested && requested.length > 0 ? [...known, ...ALWAYS_RETURNED_PROPERTIES] : DEFAULT_RETURNED_PROPERTIES;
  }

  private lookup(idOrValue: string, idProperty: string | null): HubSpotContact | undefined {
    if (idProperty === null || idProperty === 'hs_object_id') return this.contactsById.get(idOrValue);
    if (idProperty === 'email') return this.findContactByEmail(idOrValue);
    const v = idOrValue.toLowerCase();
    return [...this.contactsById.values()].find((c) => c.properties[idProperty]?.toLowerCase() === v);
  }

  private createContactRoute(req: RecordedRequest): FakeResponse {
    const bad = this.invalidJson(req);
    if (bad) return bad;
    if (!isObject(req.body)) return this.validation('Invalid input JSON: expected an object');
    const checked = this.checkProperties(req.body.properties);
    if ('error' in checked) return checked.error;
    const dup = this.emailOwner(checked.props.email);
    if (dup) return this.conflict(dup.id);
    const contact = this.createContact(checked.props);
    const returned = [
      ...Object.keys(checked.props).filter((k) => checked.props[k] !== ''),
      ...ALWAYS_RETURNED_PROPERTIES,
    ];
    return { status: 201, body: this.view(contact, returned) };
  }

  private getContactRoute(req: RecordedRequest, id: string): FakeResponse {
    const idProperty = req.query.get('idProperty');
    const contact = this.lookup(id, idProperty);
    if (!contact) return this.contactNotFound(id);
    const requested = req.query
      .getAll('properties')
      .flatMap((p) => p.split(','))
      .map((p) => p.trim())
      .filter(Boolean);
    return { status: 200, body: this.view(contact, this.projection(requested)) };
  }

  private updateContactRoute(req: RecordedRequest, id: string): FakeResponse {
    const bad = this.invalidJson(req);
    if (bad) return bad;
    if (!isObject(req.body)) return this.validation('Invalid input JSON: expected an object');
    const contact = this.lookup(id, req.query.get('idProperty'));
    if (!contact) return this.contactNotFound(id);
    const checked = this.checkProperties(req.body.properties);
    if ('error' in checked) return checked.error;
    const dup = this.emailOwner(checked.props.email, contact.id);
    if (dup) return this.conflict(dup.id);
    this.applyUpdate(contact, checked.props);
    return {
      status: 200,
      body: this.view(contact, [...DEFAULT_RETURNED_PROPERTIES, ...Object.keys(checked.props)]),
    };
  }

  private batchUpsertRoute(req: RecordedRequest): FakeResponse {
    const bad = this.invalidJson(req);
    if (bad) return bad;
    const body = req.body;
    if (!isObject(body) || !Array.isArray(body.inputs)) return this.validation('inputs must be an array');
    if (body.inputs.length > BATCH_MAX_INPUTS) return this.validation(`at most ${BATCH_MAX_INPUTS} inputs per batch`);
    const startedAt = new Date(this.clock()).toISOString();
    const plans: { input: Json; props: Record<string, string> }[] = [];
    for (const input of body.inputs as unknown[]) {
      if (!isObject(input) || !nonEmptyString(input.id)) return this.validation('each input needs an id');
      if (input.idProperty !== undefined && input.idProperty !== 'email' && input.idProperty !== 'hs_object_id') {
        return this.validation(`idProperty ${JSON.stringify(input.idProperty)} is not a unique property`);
      }
      const checked = this.checkProperties(input.properties ?? {});
      if ('error' in checked) return checked.error;
      plans.push({ input, props: checked.props });
    }
    const results: (HubSpotContactView & { new: boolean })[] = [];
    for (const { input, props } of plans) {
      const id = input.id as string;
      const byEmail = input.idProperty === 'email';
      const existing = this.lookup(id, byEmail ? 'email' : null);
      if (existing) {
        this.applyUpdate(existing, props);
        results.push({ ...this.view(existing, [...DEFAULT_RETURNED_PROPERTIES, ...Object.keys(props)]), new: false });
      } else if (byEmail) {
        const contact = this.createContact({ ...props, email: id.trim().toLowerCase() });
        results.push({ ...this.view(contact, [...DEFAULT_RETURNED_PROPERTIES, ...Object.keys(props)]), new: true });
      } else {
        return this.contactNotFound(id);
      }
    }
    return {
      status: 200,
      body: { status: 'COMPLETE', results, startedAt, completedAt: new Date(this.clock()).toISOString() },
    };
  }

  private searchRoute(req: RecordedRequest): FakeResponse {
    if (req.rawBody.length > SEARCH_MAX_BODY_CHARS) {
      return this.validation(
        `Request body too long: ${req.rawBody.length} characters, at most ${SEARCH_MAX_BODY_CHARS}`,
      );
    }
    const bad = this.invalidJson(req);
    if (bad) return bad;
    const body = req.body ?? {};
    if (!isObject(body)) return this.validation('Invalid input JSON: expected an object');

    const limit = body.limit === undefined ? 10 : body.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > SEARCH_MAX_LIMIT) {
      return this.validation(`limit must be an integer between 0 and ${SEARCH_MAX_LIMIT}`);
    }
    const afterRaw = body.after === undefined || body.after === null ? '0' : scalar(body.after);
    const after = afterRaw !== undefined && /^\d+$/.test(afterRaw) ? Number(afterRaw) : NaN;
    if (!Number.isInteger(after)) return this.validation('after must be a numeric paging cursor');
    if (after + limit > SEARCH_MAX_RESULTS) {
      return this.validation(`Search results are limited to ${SEARCH_MAX_RESULTS}; narrow the filters`);
    }
    if (body.properties !== undefined && !(Array.isArray(body.properties) && body.properties.every(nonEmptyString))) {
      return this.validation('properties must be an array of property names');
    }

    const groups = body.filterGroups ?? [];
    if (!Array.isArray(groups)) return this.validation('filterGroups must be an array');
    if (groups.length > SEARCH_MAX_GROUPS) return this.validation(`at most ${SEARCH_MAX_GROUPS} filterGroups`);
    const parsed: SearchFilter[][] = [];
    let total = 0;
    for (const g of groups as unknown[]) {
      if (!isObject(g) || !Array.isArray(g.filters)) return this.validation('each filterGroup needs a filters array');
      if (g.filters.length > SEARCH_MAX_FILTERS_PER_GROUP) {
        return this.validation(`at most ${SEARCH_MAX_FILTERS_PER_GROUP} filters per filterGroup`);
      }
      total += g.filters.length;
      const filters: SearchFilter[] = [];
      for (const f of g.filters as unknown[]) {
        const problem = this.filterProblem(f);
        if (problem) return this.validation(problem);
        filters.push(f as SearchFilter);
      }
      parsed.push(filters);
    }
    if (total > SEARCH_MAX_FILTERS) return this.validation(`at most ${SEARCH_MAX_FILTERS} filters in total`);
    const query = body.query === undefined ? undefined : scalar(body.query);

    let sortBy = { propertyName: 'hs_object_id', descending: false };
    if (body.sorts !== undefined) {
      if (!Array.isArray(body.sorts) || body.sorts.length > 1) return this.validation('sorts: at most one sort');
      const s: unknown = body.sorts[0];
      if (typeof s === 'string') sortBy = { propertyName: s.replace(/^-/, ''), descending: s.startsWith('-') };
      else if (isObject(s) && nonEmptyString(s.propertyName)) {
        sortBy = { propertyName: s.propertyName, descending: s.direction === 'DESCENDING' };
      } else if (s !== undefined) return this.validation('each sort needs a propertyName');
    }

    const now = this.clock();
    const hits: { contact: HubSpotContact; properties: Record<string, string> }[] = [];
    for (const contact of this.contactsById.values()) {
      const pending = this.searchViews.get(contact.id);
      const properties = pending && now < pending.until ? pending.properties : contact.properties;
      if (!properties) continue;
      if (parsed.length > 0 && !parsed.some((group) => group.every((f) => this.filterMatches(f, properties)))) continue;
      if (query && !this.queryMatches(query, properties)) continue;
      hits.push({ contact, properties });
    }
    hits.sort((a, b) => {
      const x = a.properties[sortBy.propertyName];
      const y = b.properties[sortBy.propertyName];
      const c = x === undefined ? (y === undefined ? 0 : 1) : y === undefined ? -1 : compare(x, y);
      return sortBy.descending ? -c : c;
    });
    const names = this.projection(body.properties);
    const page = hits.slice(after, after + limit).map((h) => this.view(h.contact, names, h.properties));
    const next = after + limit < hits.length ? { paging: { next: { after: String(after + limit) } } } : {};
    return { status: 200, body: { total: hits.length, results: page, ...next } };
  }

  private filterProblem(f: unknown): string | undefined {
    if (!isObject(f) || !nonEmptyString(f.propertyName)) return 'each filter needs a propertyName';
    if (typeof f.operator !== 'string' || !SEARCH_OPERATORS.has(f.operator)) {
      return `operator must be one of ${[...SEARCH_OPERATORS].join(', ')}`;
    }
    if (f.operator === 'HAS_PROPERTY' || f.operator === 'NOT_HAS_PROPERTY') return undefined;
    if (f.operator === 'IN' || f.operator === 'NOT_IN') {
      return Array.isArray(f.values) && f.values.every((v) => scalar(v) !== undefined)
        ? undefined
        : `${f.operator} needs a values array`;
    }
    if (scalar(f.value) === undefined) return `${f.operator} needs a value`;
    if (f.operator === 'BETWEEN' && scalar(f.highValue) === undefined) return 'BETWEEN needs a highValue';
    return undefined;
  }

  private filterMatches(f: SearchFilter, properties: Record<string, string>): boolean {
    const actual = properties[f.propertyName];
    const has = actual !== undefined && actual !== '';
    const value = scalar(f.value) ?? '';
    const eq = (v: string): boolean => has && compare(actual, v) === 0;
    switch (f.operator) {
      case 'HAS_PROPERTY':
        return has;
      case 'NOT_HAS_PROPERTY':
        return !has;
      case 'EQ':
        return eq(value);
      case 'NEQ':
        return !eq(value); // unverified: records without the property match
      case 'IN':
        return (f.values ?? []).some((v) => eq(scalar(v) ?? ''));
      case 'NOT_IN':
        return !(f.values ?? []).some((v) => eq(scalar(v) ?? ''));
      case 'LT':
        return has && compare(actual, value) < 0;
      case 'LTE':
        return has && compare(actual, value) <= 0;
      case 'GT':
        return has && compare(actual, value) > 0;
      case 'GTE':
        return has && compare(actual, value) >= 0;
      case 'BETWEEN':
        return has && compare(actual, value) >= 0 && compare(actual, scalar(f.highValue) ?? '') <= 0;
      case 'CONTAINS_TOKEN':
        return has && containsToken(actual, value);
      case 'NOT_CONTAINS_TOKEN':
        return !has || !containsToken(actual, value);
      default:
        return false;
    }
  }

  /** Free-text `query`: every word prefixes a word of one of the default searchable properties (unverified). */
  private queryMatches(query: string, properties: Record<string, string>): boolean {
    const words = tokens(query);
    const haystack = QUERY_PROPERTIES.flatMap((p) => tokens(properties[p] ?? ''));
    return words.every((w) => haystack.some((t) => t.startsWith(w)));
  }
}
