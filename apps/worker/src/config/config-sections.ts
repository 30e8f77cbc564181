/**
 * The sections of the worker's configuration. Each class is both the section's type and its
 * injection token: WorkerConfigModule provides every section on its own, so a service asks only
 * for the section(s) it uses. The values are the plain objects built by loadWorkerConfig.
 */

import type { ChatCompletionsSection, EngineKind, EngineSection, ServerKind } from './engine-config';

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

export class HandoffConfig {
  readonly message!: string;
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
  readonly message!: string;
}

export class ContactsConfig {
  readonly updatableProperties!: string[];
  readonly visitorUpdatableProperties!: string[];
  readonly leadProperties!: Record<string, string>;
  readonly leadNoteProperty?: string;
}

/** Which engine answers (ASSISTANT_ENGINE) and which OpenAI-compatible server it talks to. */
export class EngineConfig implements EngineSection {
  readonly kind!: EngineKind;
  readonly serverKind!: ServerKind;
}

export class ChatCompletionsConfig implements ChatCompletionsSection {
  readonly transcriptRetentionSeconds!: number;
}
