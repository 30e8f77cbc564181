import { createHash } from 'node:crypto';
import { z } from 'zod';
import { baseEnvSchema, env, loadConfig, requireSecureUrls, type LogLevel } from '@app/config';
import type {
  AirtableConfig,
  AuditConfig,
  CapsConfig,
  CompaniesConfig,
  ContactsConfig,
  HandoffConfig,
  OutcomeConfig,
  HttpConfig,
  HubSpotConfig,
  IdentityConfig,
  MappingConfig,
  OpenAiConfig,
  ProfilesConfig,
  QueueConfig,
  RedisConfig,
  VisitorLimitsConfig,
} from './config-sections';
import {
  checkEngineEnv,
  engineEnvShape,
  engineSections,
  KEYLESS_PLACEHOLDER,
  type ChatCompletionsSection,
  type EngineSection,
} from './engine-config';
import { contactsEnvShape, contactsSection } from './contacts-config';
import { handoffEnvShape, handoffSection } from './handoff-config';
import { outcomeEnvShape, outcomeSection } from './outcome-config';
import { checkKnowledgeEnv, knowledgeEnvShape, knowledgeSection, type KnowledgeSection } from './knowledge-config';

/** Every URL the worker sends a token to. */
const PROVIDER_URLS = [
  'HUBSPOT_BASE_URL',
  'OPENAI_BASE_URL',
  'AIRTABLE_ENDPOINT_URL',
  'LISTAFIRME_BASE_URL',
  'ANAF_BASE_URL',
] as const;

/** The worker's variables, before the cross-variable rules (the knowledge CLI picks its own from it). */
export const workerEnvObject = baseEnvSchema.extend({
  WORKER_HTTP_PORT: env.port().default(3001),
  WORKER_CONCURRENCY: env.int(1, 1000).default(100),
  WORKER_LOCK_DURATION_MS: env.int(1000, 3_600_000).default(120_000),
  // How often a worker looks for jobs whose lock expired (their worker died) and takes them over.
  WORKER_STALLED_INTERVAL_MS: env.int(1000, 3_600_000).default(30_000),
  TURN_TIMEOUT_MS: env.int(5_000, 3_600_000).default(90_000),
  // Messages of one thread that waited for a turn are answered together, at most this many per turn.
  TURN_MAX_MESSAGES: env.int(1, 50).default(10),
  // Provider URLs must be https: (or http: on a loopback host); true allows http: anywhere (tests only).
  ALLOW_INSECURE_PROVIDER_URLS: env.bool().default(false),

  HUBSPOT_ACCESS_TOKEN: env.secret(8),
  HUBSPOT_BASE_URL: env.url(['https:', 'http:']).default('https://api.hubapi.com'),
  HUBSPOT_BOT_ACTOR_ID: env.string().regex(/^A-\d+$/, 'must be an agent actor id like A-12345'),
  HUBSPOT_TIMEOUT_MS: env.int(500, 120_000).default(10_000),
  REPLY_MAX_CHARS: env.int(200, 10_000).default(2000),
  // Shared by all workers: HubSpot allows 100 (Free/Starter), 110 (public app) or 190 (Pro/Ent) per 10 s.
  // 0 = no budget (benchmarks of our own overhead, or a proxy that enforces the limit itself).
  HUBSPOT_REQUESTS_PER_10S: env.int(0, 1000).default(100),
  HUBSPOT_SEARCH_PER_SECOND: env.int(0, 100).default(5),
  AIRTABLE_REQUESTS_PER_SECOND: env.int(0, 100).default(5),

  OPENAI_BASE_URL: env.url(['https:', 'http:']).default('https://api.openai.com/v1'),
  OPENAI_MODEL: env.string().default('gpt-5-mini'),
  OPENAI_MAX_OUTPUT_TOKENS: env.int(16, 128_000).default(1024),
  OPENAI_TIMEOUT_MS: env.int(1000, 600_000).default(60_000),
  OPENAI_COMPACT_THRESHOLD: env.int(1000, 1_000_000).default(12_000),
  // In-flight model calls across all workers (OpenAI limits concurrency per key/tier).
  OPENAI_MAX_CONCURRENT: env.int(0, 10_000).default(200),
  ASSISTANT_MAX_TOOL_ROUNDS: env.int(1, 20).default(6),
  ASSISTANT_MAX_IDENTICAL_CALLS: env.int(1, 10).default(3),
  // One response may ask for many calls at once; beyond this many they are answered with an error.
  ASSISTANT_MAX_TOOL_CALLS_PER_ROUND: env.int(1, 50).default(8),

  AIRTABLE_API_KEY: env.secret(8).optional(),
  AIRTABLE_BASE_ID: env.string().optional(),
  AIRTABLE_TABLE: env.string().default('Conversations'),
  AIRTABLE_THREAD_FIELD: env.string().default('Hubspot Thread ID'),
  AIRTABLE_CONVERSATION_FIELD: env.string().default('OpenAI Thread ID'),
  AIRTABLE_ENDPOINT_URL: env.url(['https:', 'http:']).default('https://api.airtable.com'),
  MAPPING_CACHE_TTL_HOURS: env.int(1, 24 * 365).default(24 * 30),

  LISTAFIRME_API_KEY: env.secret(4).optional(),
  LISTAFIRME_BASE_URL: env.url(['https:', 'http:']).default('https://www.listafirme.ro/api'),
  ANAF_BASE_URL: env.url(['https:', 'http:']).default('https://webservicesp.anaf.ro/api/PlatitorTvaRest/v9'),
  COMPANY_LOOKUP_TIMEOUT_MS: env.int(500, 60_000).default(8000),

  DEFAULT_PROFILE: env.string().default('support'),
  // HubSpot channels the bot answers: 1000 live chat (default), 1001 Facebook Messenger (opt-in).
  ANSWER_CHANNELS: env
    .string()
    .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, 'must be HubSpot channel ids like 1000,1001')
    .default('1000'),
  INBOX_PROFILES: env
    .string()
    .regex(/^\s*\d+\s*=\s*[a-z0-9_-]+\s*(,\s*\d+\s*=\s*[a-z0-9_-]+\s*)*$/i, 'must look like 123=contacts,456=support')
    .optional(),
  PROFILES_FILE: env.string().optional(),
  STAFF_EMAIL_DOMAINS: env.string().optional(),
  // Identity (docs/SECURITY.md): a typed e-mail is a claim; a one-time code by e-mail proves it.
  STAFF_EMAILS: env.string().optional(),
  STAFF_VERIFICATION_HOURS: env.int(1, 24 * 30).default(8),
  SMTP_URL: env.url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: env.string().optional(),
  VERIFICATION_CODES_PER_ADDRESS_PER_HOUR: env.int(1, 100).default(3),
  VERIFICATION_CODES_PER_THREAD_PER_HOUR: env.int(1, 100).default(5),
  // Per visitor id (0 = no limit): the public chat is shared by everyone, and so is the daily budget.
  VISITOR_MAX_TURNS_PER_HOUR: env.int(0, 1_000_000).default(60),
  VISITOR_MAX_THREADS_PER_DAY: env.int(0, 1_000_000).default(20),
  ...contactsEnvShape,
  AUDIT_RETENTION_DAYS: env.int(1, 3650).default(30),
  // Cost caps (0 = no cap). Reaching one hands the conversation to a person instead of spending more.
  CAP_CONVERSATION_TOKENS: env.int(0, 1_000_000_000).default(200_000),
  CAP_CONVERSATION_CREDITS: env.decimal(0, 1_000_000).default(10),
  CAP_DAILY_TOKENS: env.int(0, 10_000_000_000).default(20_000_000),
  CAP_DAILY_CREDITS: env.decimal(0, 10_000_000).default(500),
  // Unset: the shipped text in the thread's language (profiles/fixed-texts.ts). Set: this text in
  // every language, unless a profile's PROFILES_FILE entry sets its own for a language.
  CAP_MESSAGE: env.string().optional(),
  HANDOFF_MESSAGE: env.string().optional(),
  ...handoffEnvShape,
  ...outcomeEnvShape,
  ...engineEnvShape,
  ...knowledgeEnvShape,
});

const workerEnvSchema = workerEnvObject
  // Runs even when other variables are missing, so a missing key is named in the same pass.
  .superRefine(checkEngineEnv, { when: () => true })
  .superRefine(checkKnowledgeEnv, { when: () => true })
  .superRefine((e, ctx) => {
    if (e.SMTP_URL && !e.MAIL_FROM) {
      ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'is required when SMTP_URL is set' });
    }
    if (Boolean(e.AIRTABLE_API_KEY) !== Boolean(e.AIRTABLE_BASE_ID)) {
      const missing = e.AIRTABLE_API_KEY ? 'AIRTABLE_BASE_ID' : 'AIRTABLE_API_KEY';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required when the other Airtable variable is set' });
    }
  })
  .superRefine(requireSecureUrls(PROVIDER_URLS, 'ALLOW_INSECURE_PROVIDER_URLS'));

type Env = z.output<typeof workerEnvSchema>;

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * The worker's configuration, validated once at boot: the whole, for bootstrapping and tests.
 * Services inject only their sections (config-sections.ts), which WorkerConfigModule provides.
 */
export class WorkerConfig {
  readonly logLevel!: LogLevel;
  readonly http!: HttpConfig;
  readonly redis!: RedisConfig;
  readonly queue!: QueueConfig;
  readonly hubspot!: HubSpotConfig;
  readonly openai!: OpenAiConfig;
  /** Undefined when Airtable is not configured: mappings then live in Redis only. */
  readonly airtable?: AirtableConfig;
  readonly mapping!: MappingConfig;
  readonly engine!: EngineSection;
  readonly chatCompletions!: ChatCompletionsSection;
  readonly companies!: CompaniesConfig;
  readonly profiles!: ProfilesConfig;
  readonly identity!: IdentityConfig;
  readonly visitorLimits!: VisitorLimitsConfig;
  readonly handoff!: HandoffConfig;
  readonly outcomes!: OutcomeConfig;
  readonly audit!: AuditConfig;
  readonly caps!: CapsConfig;
  readonly contacts!: ContactsConfig;
  readonly knowledge!: KnowledgeSection;
}

export function loadWorkerConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  return loadConfig(workerEnvSchema, source, (e: Env) => ({
    logLevel: e.LOG_LEVEL,
    http: { port: e.WORKER_HTTP_PORT },
    redis: { url: e.REDIS_URL },
    queue: {
      concurrency: e.WORKER_CONCURRENCY,
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      turnTimeoutMs: e.TURN_TIMEOUT_MS,
      turnMaxMessages: e.TURN_MAX_MESSAGES,
    },
    hubspot: {
      accessToken: e.HUBSPOT_ACCESS_TOKEN,
      baseUrl: e.HUBSPOT_BASE_URL.replace(/\/+$/, ''),
      botActorId: e.HUBSPOT_BOT_ACTOR_ID,
      timeoutMs: e.HUBSPOT_TIMEOUT_MS,
      requestsPer10s: e.HUBSPOT_REQUESTS_PER_10S,
      searchPerSecond: e.HUBSPOT_SEARCH_PER_SECOND,
      replyMaxChars: e.REPLY_MAX_CHARS,
    },
    openai: {
      apiKey: e.OPENAI_API_KEY ?? KEYLESS_PLACEHOLDER,
      baseUrl: e.OPENAI_BASE_URL.replace(/\/+$/, ''),
      model: e.OPENAI_MODEL,
      maxOutputTokens: e.OPENAI_MAX_OUTPUT_TOKENS,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      compactThreshold: e.OPENAI_COMPACT_THRESHOLD,
      maxConcurrent: e.OPENAI_MAX_CONCURRENT,
      maxToolRounds: e.ASSISTANT_MAX_TOOL_ROUNDS,
      maxIdenticalCalls: e.ASSISTANT_MAX_IDENTICAL_CALLS,
      maxToolCallsPerRound: e.ASSISTANT_MAX_TOOL_CALLS_PER_ROUND,
    },
    airtable:
      e.AIRTABLE_API_KEY && e.AIRTABLE_BASE_ID
        ? {
            apiKey: e.AIRTABLE_API_KEY,
            baseId: e.AIRTABLE_BASE_ID,
            table: e.AIRTABLE_TABLE,
            threadField: e.AIRTABLE_THREAD_FIELD,
            conversationField: e.AIRTABLE_CONVERSATION_FIELD,
            endpointUrl: e.AIRTABLE_ENDPOINT_URL.replace(/\/+$/, ''),
            requestsPerSecond: e.AIRTABLE_REQUESTS_PER_SECOND,
          }
        : undefined,
    mapping: { cacheTtlSeconds: e.MAPPING_CACHE_TTL_HOURS * 3600 },
    ...engineSections(e),
    companies: {
      listaFirmeApiKey: e.LISTAFIRME_API_KEY,
      listaFirmeBaseUrl: e.LISTAFIRME_BASE_URL.replace(/\/+$/, ''),
      anafBaseUrl: e.ANAF_BASE_URL.replace(/\/+$/, ''),
      timeoutMs: e.COMPANY_LOOKUP_TIMEOUT_MS,
    },
    profiles: {
      defaultProfile: e.DEFAULT_PROFILE,
      answerChannels: list(e.ANSWER_CHANNELS),
      byInbox: Object.fromEntries(
        (e.INBOX_PROFILES ?? '')
          .split(',')
          .filter((pair) => pair.includes('='))
          .map((pair) => pair.split('=').map((part) => part.trim()) as [string, string]),
      ),
      file: e.PROFILES_FILE,
      texts: {
        ...(e.HANDOFF_MESSAGE ? { handoff: e.HANDOFF_MESSAGE } : {}),
        ...(e.CAP_MESSAGE ? { capReached: e.CAP_MESSAGE } : {}),
      },
      staffEmailDomains: (e.STAFF_EMAIL_DOMAINS ?? '')
        .split(',')
        .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
        .filter(Boolean),
      staffEmails: list(e.STAFF_EMAILS ?? '').map((a) => a.toLowerCase()),
    },
    identity: {
      smtp: e.SMTP_URL && e.MAIL_FROM ? { url: e.SMTP_URL, from: e.MAIL_FROM } : undefined,
      staffGrantSeconds: e.STAFF_VERIFICATION_HOURS * 3600,
      codesPerAddressPerHour: e.VERIFICATION_CODES_PER_ADDRESS_PER_HOUR,
      codesPerThreadPerHour: e.VERIFICATION_CODES_PER_THREAD_PER_HOUR,
      codeKey: createHash('sha256').update(`verification-code:${e.HUBSPOT_ACCESS_TOKEN}`).digest(),
    },
    visitorLimits: { turnsPerHour: e.VISITOR_MAX_TURNS_PER_HOUR, threadsPerDay: e.VISITOR_MAX_THREADS_PER_DAY },
    handoff: handoffSection(e),
    outcomes: outcomeSection(e),
    audit: { retentionSeconds: e.AUDIT_RETENTION_DAYS * 86_400 },
    caps: {
      conversationTokens: e.CAP_CONVERSATION_TOKENS,
      conversationCredits: e.CAP_CONVERSATION_CREDITS,
      dailyTokens: e.CAP_DAILY_TOKENS,
      dailyCredits: e.CAP_DAILY_CREDITS,
    },
    contacts: contactsSection(e),
    knowledge: knowledgeSection(e),
  }));
}
