import type { z } from 'zod';
import type { IdentityLevel } from '@app/audit';
import type { KnowledgePassage } from '../knowledge/knowledge-store';

/** Who the visitor of a thread is, as far as HubSpot tells us. Never taken from chat text. */
export interface VisitorIdentity {
  /** The sender actor, `V-…`. */
  actorId?: string;
  /** The CRM contact this thread belongs to (associated by HubSpot, or bound in this thread). */
  contactId?: string;
  /** The visitor's e-mail as HubSpot knows it (channel delivery identifier or the CRM contact): a claim. */
  email?: string;
  /** What the thread proved (docs/SECURITY.md): only `verified` reads back or changes stored data. */
  identity: IdentityLevel;
  /** The address proved with a one-time code in this thread. */
  verifiedEmail?: string;
}

/** Who a tool call acts for; the tool layer (not the model) decides what it may touch. */
export interface ToolContext {
  portalId: string;
  threadId: string;
  messageId: string;
  /** The assistant profile of the thread (`support`, `contacts`, …). */
  profile: string;
  /**
   * `visitor`: contact tools act only on the thread's own contact and reveal nothing about others.
   * `staff`: an identified staff member may search, create and update any contact.
   */
  scope: 'visitor' | 'staff';
  visitor: VisitorIdentity;
  /** Records a contact created or confirmed in this thread as the visitor's own (visitor scope). */
  bindVisitorContact(contactId: string): Promise<void>;
  /** Takes the thread's one visitor create_contact; true for this message's first (or retried) use. */
  claimContactCreate?(): Promise<boolean>;
  /** Records the thread's language as the model judged it (fixed texts and mails use it). */
  setLanguage?(language: string): Promise<void>;
  /** Names given in this turn's tool arguments: masked in reasons and errors kept for operators. */
  personalNames?: string[];
  /** Records what a knowledge search returned in this turn (citations and knowledge gaps use it). */
  recordKnowledge?(passages: KnowledgePassage[]): void;
  /** A knowledge search in this turn found nothing so far (a handoff then counts as a knowledge gap). */
  knowledgeGap?(): boolean;
  /** Counts paid credits (ListaFirme) a tool call spent; set per call by the tool registry. */
  recordCredits?(credits: number): void;
}

/** A refusal by the tool layer's security boundary (not a failure): audited as `refused`. */
export class ToolRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolRefusedError';
  }
}

/**
 * One tool the model may call. `schema` is the only description of its arguments: the JSON Schema
 * the model sees is generated from it (strict mode), and it validates what the model sends.
 */
export interface AssistantTool<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  /** Spends paid credits (ListaFirme): switched off for the rest of the day at CAP_DAILY_CREDITS. */
  paid?: boolean;
  schema: S;
  run(args: z.output<S>, ctx: ToolContext): Promise<unknown>;
}

/** What an engine tells the model about a tool: engine-neutral, generated from the zod schema. */
export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema in the strict subset (every property required, no additional properties). */
  parameters: Record<string, unknown>;
}
