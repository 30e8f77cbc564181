/** How a turn ended, as an operator reads it. */
export type TurnOutcomeKind =
  | 'answered' // the model's answer (or a deterministic one: button tap, staff gate) was posted
  | 'handoff' // the visitor now waits for a person (asked for one, the model handed off)
  | 'fallback' // something failed; the visitor got the "a colleague will follow up" text
  | 'capped' // a cost cap was reached; the visitor got CAP_MESSAGE and a person takes over
  | 'failed' // the job failed and not even the fallback text reached the visitor
  | 'skipped'; // nothing to answer (handed off already, …)

export type ToolCallStatus = 'ok' | 'error' | 'refused';

/** Who the visitor was proved to be when the turn ran (docs/SECURITY.md, "Visitor identity"). */
export type IdentityLevel = 'anonymous' | 'claimed' | 'verified';

export interface ToolCallAudit {
  name: string;
  /** The model's arguments with personal data (e-mails, phones, names, free text) redacted. */
  arguments: Record<string, unknown>;
  status: ToolCallStatus;
  /** Short error text for error/refused calls (no personal data). */
  error?: string;
  durationMs: number;
  /** ListaFirme credits this call spent (0 for free calls). */
  credits: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** One visitor message's turn, written once when the turn reaches its end. */
export interface TurnAuditRecord {
  version: 1;
  portalId: string;
  threadId: string;
  messageId: string;
  jobId: string;
  /** Attempts the queue spent on this turn (1 = first try). */
  attempts: number;
  /** Failed attempts' error messages, oldest first. */
  errors: string[];
  profile?: string;
  /** The thread's identity level at the end of the turn. */
  identity?: IdentityLevel;
  conversationId?: string;
  /** When the visitor's message was created (HubSpot time) and when the turn began / ended (ISO). */
  messageAt?: string;
  startedAt: string;
  finishedAt: string;
  /** From the visitor's message to the end of the turn (ms): what the visitor waited. */
  latencyMs?: number;
  /** Of that, waiting for the model and for tools (ms). */
  modelMs?: number;
  toolMs?: number;
  /** latencyMs minus the model and tool time: what this system added (queueing, HubSpot, Redis, rate budgets). */
  addedLatencyMs?: number;
  outcome: TurnOutcomeKind;
  /** Why: the fallback reason, the handoff reason, the cap reached, the skip reason. */
  reason?: string;
  responseIds: string[];
  usage: TokenUsage;
  credits: number;
  tools: ToolCallAudit[];
  replyMessageIds: string[];
  /** The visitor's message, redacted as the audit redacts: only with AUDIT_STORE_TEXT=true (default off). */
  visitorText?: string;
  /** The later messages this turn answered together with its own (a burst), oldest first. */
  members?: string[];
}
