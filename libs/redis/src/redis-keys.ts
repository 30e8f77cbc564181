/**
 * Every Redis key pattern of the api and the worker (BullMQ's own keys aside), in one place.
 *
 * Thread and message keys are scoped by portal, and the keys a script or transaction touches
 * together share the thread's hash tag `{portal:thread}`, so the state can later move to Redis
 * Cluster (BullMQ's keys then need a tagged prefix of their own, e.g. `{hubspot}`).
 */
export interface ThreadKeyRef {
  portalId: string;
  threadId: string;
}

/** The hash tag of one HubSpot thread: all of its keys hash to one slot. */
const tag = (ref: ThreadKeyRef) => `{${ref.portalId}:${ref.threadId}}`;

export const RedisKeys = {
  /** Sorted set: the thread's messages waiting for their turn (score: message time), joined at ingestion. */
  threadLine: (ref: ThreadKeyRef) => `thread:${tag(ref)}:line`,
  /** The holder of the thread's turn (one turn at a time per thread). */
  threadLock: (ref: ThreadKeyRef) => `thread:${tag(ref)}:lock`,
  /** Hash: what we keep about the thread between turns (profile, contact, identity, handoff). */
  threadState: (ref: ThreadKeyRef) => `thread:${tag(ref)}:state`,
  /** One message's turn progress (JSON), what a retry resumes from. */
  turnProgress: (ref: ThreadKeyRef, messageId: string) => `turn:${tag(ref)}:${messageId}`,
  /** Set on every message we posted: its webhook is acknowledged without a job, its job skipped unread. */
  ownMessage: (ref: ThreadKeyRef, messageId: string) => `own-message:${tag(ref)}:${messageId}`,
  /** A HubSpot message read once (JSON), for the retries of its turn. */
  messageCache: (ref: ThreadKeyRef, messageId: string) => `hubspot:message:${tag(ref)}:${messageId}`,
  /** The thread → conversation mapping, cached in front of the mapping store. */
  mappingCache: (ref: ThreadKeyRef) => `mapping:cache:${tag(ref)}`,
  /** Hash (field: thread id) per portal: the embedded mapping store when Airtable is not configured. */
  mappingStore: (portalId: string) => `mapping:store:{${portalId}}`,
  /** The pending one-time code of a thread (hash: hash, language, …). */
  verificationCode: (ref: ThreadKeyRef) => `identity:${tag(ref)}:code`,
  /** Codes sent in one thread during one hour. */
  verificationRateThread: (ref: ThreadKeyRef, hour: number) => `identity:${tag(ref)}:rate:${hour}`,
  /** Codes sent to one address (hashed) during one hour, across threads. */
  verificationRateAddress: (portalId: string, addressHash: string, hour: number) =>
    `identity:${portalId}:rate:addr:${addressHash}:${hour}`,
  /** Per-visitor counters (turns per hour, threads per day, notices), under one tag per visitor. */
  visitor: (portalId: string, visitorId: string) => `visitor:{${portalId}:${visitorId}}`,
  /** One CRM write of a thread (a qualification note), keyed by its idempotency marker: pending or done. */
  crmWrite: (ref: ThreadKeyRef, marker: string) => `crm:${tag(ref)}:write:${marker}`,
  /** Hash, CUI → JSON: companies looked up in the register in this thread (and their CRM id once saved). */
  threadCompanies: (ref: ThreadKeyRef) => `thread:${tag(ref)}:companies`,
  /** List: a thread's transcript for the Chat Completions engine (entry JSON, oldest first). */
  transcript: (ref: ThreadKeyRef) => `transcript:${tag(ref)}`,
  /** Hash, entry id → entry JSON: what makes a transcript append happen once. */
  transcriptIds: (ref: ThreadKeyRef) => `transcript:${tag(ref)}:ids`,
  /** The newest item id a model conversation holds (Responses engine). */
  conversationLastItem: (conversationId: string) => `conversation:${conversationId}:last-item`,
  /** A shared rate budget or concurrency semaphore (sorted set). */
  budget: (name: string) => `budget:${name}`,
  /**
   * The turn audit: one stream of every turn (trimmed by age), and per thread the stream ids of its
   * turns and its spend. Keyed by thread id alone: the operator addresses a conversation by the id
   * HubSpot shows, and HubSpot's thread ids are unique across portals.
   */
  auditStream: () => 'audit:turns',
  auditThread: (threadId: string) => `audit:thread:${threadId}`,
  costThread: (threadId: string) => `cost:thread:${threadId}`,
  /** Spend of one UTC day, YYYY-MM-DD (hash: tokens, credits, turns). */
  costDay: (day: string) => `cost:day:${day}`,
  /**
   * The local knowledge store (KNOWLEDGE_STORE=local), under one hash tag: a sync writes them together.
   * Documents (hash: source → JSON), chunks (hash: chunk id → JSON), the search index (MiniSearch
   * JSON, rebuilt by each sync that changed something) and its version (a unique token workers
   * compare before reusing their copy).
   */
  knowledgeDocs: () => 'knowledge:{local}:docs',
  knowledgeChunks: () => 'knowledge:{local}:chunks',
  knowledgeIndex: () => 'knowledge:{local}:index',
  knowledgeIndexVersion: () => 'knowledge:{local}:version',
  /** Set while documents changed and the index was not rebuilt yet (a failed rebuild is retried). */
  knowledgeIndexDirty: () => 'knowledge:{local}:dirty',
  /** The OpenAI vector store `knowledge sync` created (when KNOWLEDGE_VECTOR_STORE_ID is not set). */
  knowledgeVectorStore: () => 'knowledge:openai:vector-store',
  /**
   * Knowledge gaps, under one hash tag (one script writes them): an index (sorted set, score: last
   * seen), one hash per group of similar questions, and a marker per visitor message counted.
   */
  knowledgeGapIndex: () => 'knowledge-gaps:{gaps}:index',
  knowledgeGap: (key: string) => `knowledge-gaps:{gaps}:item:${key}`,
  knowledgeGapMessage: (portalId: string, messageId: string) =>
    `knowledge-gaps:{gaps}:message:${portalId}:${messageId}`,
  /**
   * Conversation outcomes. Per thread: the signals gathered while it runs (hash) and its decided
   * record (JSON). Per portal: threads waiting for their resolution window (sorted set, score: when
   * due) and decided threads (sorted set, score: conversation start, ms). The set of portals seen.
   */
  outcomeSignals: (ref: ThreadKeyRef) => `outcome:${tag(ref)}:signals`,
  outcomeRecord: (ref: ThreadKeyRef) => `outcome:${tag(ref)}:record`,
  outcomePending: (portalId: string) => `outcomes:{${portalId}}:pending`,
  outcomeIndex: (portalId: string) => `outcomes:{${portalId}}:index`,
  outcomePortals: () => 'outcomes:portals',
  /** A feedback tap (visitor message id) counted once under redelivery. */
  feedbackTap: (ref: ThreadKeyRef, messageId: string) => `outcome:${tag(ref)}:tap:${messageId}`,
  /** Failed admin logins of one client address. */
  adminLoginFailures: (client: string) => `admin-auth:failures:${client}`,
} as const;

/** Keys written before the keys had hash tags: read as a fallback during an upgrade, never written. */
export const LegacyRedisKeys = {
  threadState: (ref: ThreadKeyRef) => `thread:${ref.portalId}:${ref.threadId}:state`,
  turnProgress: (portalId: string, messageId: string) => `turn:${portalId}:${messageId}`,
  ownMessage: (portalId: string, messageId: string) => `own-message:${portalId}:${messageId}`,
  /** Hash (field: thread id): the embedded mapping store of every portal, before it was per portal. */
  mappingStore: () => 'mapping:store',
} as const;
