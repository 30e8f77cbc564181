import { z } from 'zod';
import { baseEnvSchema, env, loadConfig, type LogLevel } from '@app/config';

/**
 * Placeholders that must never reach production: `.invalid` can never resolve (RFC 6761; the
 * hubspot/ project ships `your-public-host.invalid`), and `your-domain.example` is what older copies
 * of .env.example pre-filled. Either boots fine and then rejects every real webhook's signature.
 */
const PLACEHOLDER_HOSTS = [/\.invalid$/i, /^your-domain\.example$/i];
const PLACEHOLDER_MESSAGE =
  "is a placeholder: set the public URL HubSpot calls (your app's webhook targetUrl, byte for byte)";

function isPlaceholderHost(url: string): boolean {
  if (!URL.canParse(url)) return false; // the URL rule reports it
  const host = new URL(url).hostname;
  return PLACEHOLDER_HOSTS.some((pattern) => pattern.test(host));
}

const apiEnvSchema = baseEnvSchema
  .extend({
    PORT: env.port().default(3000),
    HUBSPOT_CLIENT_SECRET: env.secret(8),
    HUBSPOT_WEBHOOK_URL: env.url(['https:', 'http:']).refine((v) => !isPlaceholderHost(v), PLACEHOLDER_MESSAGE),
    BULL_BOARD_USER: env.string(),
    BULL_BOARD_PASSWORD: env.secret(12),
    REDIS_COMMAND_TIMEOUT_MS: env.int(100, 30_000).default(2000),
    INGEST_MAX_BATCH: env.int(1, 5000).default(500),
    JOB_ATTEMPTS: env.int(1, 50).default(5),
    JOB_BACKOFF_MS: env.int(100, 3_600_000).default(5000),
    JOB_KEEP_COMPLETED_HOURS: env.int(1, 24 * 90).default(48),
    JOB_KEEP_COMPLETED_COUNT: env.int(100, 10_000_000).default(100_000),
    JOB_KEEP_FAILED_DAYS: env.int(1, 365).default(30),
    // Security (docs/SECURITY.md).
    ADMIN_PORT: env.port().optional(),
    ADMIN_AUTH_MAX_FAILURES: env.int(1, 10_000).default(10),
    ADMIN_AUTH_WINDOW_SECONDS: env.int(10, 86_400).default(900),
    TRUSTED_PROXIES: env.addressList().default([]),
    WEBHOOK_MAX_EVENTS: env.int(1, 1000).default(100),
  })
  .refine((e) => e.ADMIN_PORT === undefined || e.ADMIN_PORT !== e.PORT, {
    path: ['ADMIN_PORT'],
    message: 'must differ from PORT',
  });

/** The api's configuration, validated once at boot. Injected by class token. */
export class ApiConfig {
  readonly logLevel!: LogLevel;
  readonly http!: {
    port: number;
    /** When set, Bull Board and every non-public route are served on this port only. */
    adminPort: number | undefined;
    /** Addresses/CIDRs whose X-Forwarded-* headers are believed; empty = none. */
    trustedProxies: string[];
  };
  readonly adminAuth!: { maxFailures: number; windowSeconds: number };
  readonly redis!: { url: string; commandTimeoutMs: number };
  readonly hubspot!: { clientSecret: string; webhookUrl: string };
  readonly bullBoard!: { user: string; password: string };
  readonly ingest!: { maxBatch: number; maxEventsPerRequest: number };
  readonly jobs!: {
    attempts: number;
    backoffMs: number;
    keepCompleted: { ageSeconds: number; count: number };
    keepFailedSeconds: number;
  };
}

export function loadApiConfig(source: Record<string, string | undefined> = process.env): ApiConfig {
  return loadConfig(apiEnvSchema, source, (e: z.output<typeof apiEnvSchema>) => ({
    logLevel: e.LOG_LEVEL,
    http: { port: e.PORT, adminPort: e.ADMIN_PORT, trustedProxies: e.TRUSTED_PROXIES },
    adminAuth: { maxFailures: e.ADMIN_AUTH_MAX_FAILURES, windowSeconds: e.ADMIN_AUTH_WINDOW_SECONDS },
    redis: { url: e.REDIS_URL, commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS },
    hubspot: { clientSecret: e.HUBSPOT_CLIENT_SECRET, webhookUrl: e.HUBSPOT_WEBHOOK_URL },
    bullBoard: { user: e.BULL_BOARD_USER, password: e.BULL_BOARD_PASSWORD },
    ingest: { maxBatch: e.INGEST_MAX_BATCH, maxEventsPerRequest: e.WEBHOOK_MAX_EVENTS },
    jobs: {
      attempts: e.JOB_ATTEMPTS,
      backoffMs: e.JOB_BACKOFF_MS,
      // Completed jobs must outlive HubSpot's ~24 h redelivery window, or a late redelivery
      // would create a fresh job with the same id.
      keepCompleted: { ageSeconds: e.JOB_KEEP_COMPLETED_HOURS * 3600, count: e.JOB_KEEP_COMPLETED_COUNT },
      keepFailedSeconds: e.JOB_KEEP_FAILED_DAYS * 86_400,
    },
  }));
}
