/**
 * The sections of the worker's configuration. Each class is both the section's type and its
 * injection token: WorkerConfigModule provides every section on its own, so a service asks only
 * for the section(s) it uses. The values are the plain objects built by loadWorkerConfig.
 */

import type { BusinessHours } from '../threads/business-hours';
import type { HandoffSection, OutsideHoursMode } from './handoff-config';
import type { OutcomeSection } from './outcome-config';
import type { ChatCompletionsSection, EngineKind, EngineSection, ServerKind } from './engine-config';
import type { KnowledgeSection, KnowledgeStoreKind } from './knowledge-config';

export class HttpConfig {
  readonly port!: number;
}

export class RedisConfig {
  readonly url!: string;
}

export class QueueConfig {
  readonly concurrency!: number;
  readonly lockDurationMs!: number;
  readonly stalledIntervalMs!: number;
  readonly turnTimeoutMs!: number;
  /** Messages of one thread one turn answers at most (a burst: its own and those waiting behind it). */
  readonly turnMaxMessages!: number;
}

export class HubSpotConfig {
  readonly accessToken!: string;
  readonly baseUrl!: string;
  readonly botActorId!: string;
  readonly timeoutMs!: number;
  readonly replyMaxChars!: number;
  readonly requestsPer10s!: number;
  readonly searchPerSecond!: number;
}

export class OpenAiConfig {
  readonly apiKey!: string;
  readonly baseUrl!: string;
  readonly model!: string;
  readonly maxOutputTokens!: number;
  readonly timeoutMs!: number;
  readonly compactThreshold!: number;
  readonly maxConcurrent!: number;
  readonly maxToolRounds!: number;
  readonly maxIdenticalCalls!: number;
  readonly maxToolCallsPerRound!: number;
}

/** Provided only when Airtable is configured (inject it as optional): mappings then live in Redis only. */
export class AirtableConfig {
  readonly apiKey!: string;
  readonly baseId!: string;
  readonly table!: string;
  readonly threadField!: string;
  readonly conversationField!: string;
  readonly endpointUrl!: string;
  readonly requestsPerSecond!: number;
}

export class MappingConfig {
  readonly cacheTtlSeconds!: number;
}

export class CompaniesConfig {
  readonly listaFirmeApiKey?: string;
  readonly listaFirmeBaseUrl!: string;
  readonly anafBaseUrl!: string;
  readonly timeoutMs!: number;
}

export class ProfilesConfig {
  readonly defaultProfile!: string;
  /** HubSpot inbox id → profile name. */
  readonly byInbox!: Record<string, string>;
  /** JSON file overriding parts of the shipped profiles (welcome, quick replies, tools, …). */
  readonly file?: string;
  /** Lower-case e-mail domains whose verified addresses may use staff-only profiles. */
  readonly staffEmailDomains!: string[];
  /** Single lower-case addresses allowed as staff too (STAFF_EMAILS). */
  readonly staffEmails!: string[];
  /** HubSpot channel ids answered unless a profile says otherwise (ANSWER_CHANNELS). */
  readonly answerChannels!: string[];
  /**
   * Fixed texts the operator set for every profile and language (HANDOFF_MESSAGE, CAP_MESSAGE);
   * a profile's own text for a language (PROFILES_FILE) still wins.
   */
  readonly texts!: { handoff?: string; capReached?: string };
}

export class IdentityConfig {
  /** Undefined without SMTP_URL: codes cannot be sent, so nobody can verify (see docs/SECURITY.md). */
  readonly smtp?: { url: string; from: string };
  /** How long a verified staff address keeps the staff tools. */
  readonly staffGrantSeconds!: number;
  readonly codesPerAddressPerHour!: number;
  readonly codesPerThreadPerHour!: number;
  /** HMAC key for stored code hashes (derived from a secret the worker already has). */
  readonly codeKey!: Buffer;
}

/** 0 = no limit. Counted per visitor actor id. */
export class VisitorLimitsConfig {
  readonly turnsPerHour!: number;
  readonly threadsPerDay!: number;
}

/** HANDOFF_*: the optional assignee, business hours, and the clock they are judged by. */
export class HandoffConfig implements HandoffSection {
  readonly assigneeActorId?: string;
  readonly businessHours?: BusinessHours;
  readonly outsideHours!: OutsideHoursMode;
  readonly now!: () => number;
}

/** RESOLUTION_WINDOW_HOURS, FEEDBACK_EVERY_N_ANSWERS, AUDIT_STORE_TEXT, and the clock outcomes are judged by. */
export class OutcomeConfig implements OutcomeSection {
  readonly resolutionWindowMs!: number;
  readonly sweepEveryMs!: number;
  readonly feedbackEveryNAnswers!: number;
  readonly storeText!: boolean;
  readonly now!: () => number;
}

export class AuditConfig {
  readonly retentionSeconds!: number;
}

/** 0 = no cap. Tokens are input + output; credits are ListaFirme credits. */
export class CapsConfig {
  readonly conversationTokens!: number;
  readonly conversationCredits!: number;
  readonly dailyTokens!: number;
  readonly dailyCredits!: number;
}

export class ContactsConfig {
  readonly updatableProperties!: string[];
  readonly visitorUpdatableProperties!: string[];
  readonly leadProperties!: Record<string, string>;
  readonly leadNoteProperty?: string;
  /** Contact properties the assistant may replace when filled (CONTACT_OVERWRITE_PROPERTIES). */
  readonly overwriteProperties!: string[];
  /** The unique company property keyed on the CUI (COMPANY_CUI_PROPERTY). */
  readonly companyCuiProperty!: string;
  /** Company properties save_company may replace when filled (COMPANY_OVERWRITE_PROPERTIES). */
  readonly companyOverwriteProperties!: string[];
}

/** Which engine answers (ASSISTANT_ENGINE) and which OpenAI-compatible server it talks to. */
export class EngineConfig implements EngineSection {
  readonly kind!: EngineKind;
  readonly serverKind!: ServerKind;
}

export class ChatCompletionsConfig implements ChatCompletionsSection {
  readonly transcriptRetentionSeconds!: number;
}

/** Where the company's documents are searched (KNOWLEDGE_STORE) and what counts as relevant. */
export class KnowledgeConfig implements KnowledgeSection {
  readonly store!: KnowledgeStoreKind;
  readonly vectorStoreId?: string;
  readonly maxResults!: number;
  readonly minScore!: number;
  readonly localMinMatch!: number;
  readonly maxFileBytes!: number;
  readonly gapRetentionSeconds!: number;
}
