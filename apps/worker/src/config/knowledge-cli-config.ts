import { loadConfig, requireSecureUrls, type LogLevel } from '@app/config';
import { KEYLESS_PLACEHOLDER } from './engine-config';
import { checkKnowledgeEnv, knowledgeSection, type KnowledgeSection } from './knowledge-config';
import { workerEnvObject } from './worker-config';

/** What the knowledge command needs of the worker's variables: the same names, the same rules. */
const knowledgeCliSchema = workerEnvObject
  .pick({
    LOG_LEVEL: true,
    REDIS_URL: true,
    OPENAI_API_KEY: true,
    OPENAI_BASE_URL: true,
    OPENAI_TIMEOUT_MS: true,
    ALLOW_INSECURE_PROVIDER_URLS: true,
    KNOWLEDGE_STORE: true,
    KNOWLEDGE_VECTOR_STORE_ID: true,
    KNOWLEDGE_MAX_RESULTS: true,
    KNOWLEDGE_MIN_SCORE: true,
    KNOWLEDGE_LOCAL_MIN_MATCH: true,
    KNOWLEDGE_MAX_FILE_MB: true,
    KNOWLEDGE_GAP_RETENTION_DAYS: true,
  })
  // Runs even when other variables are missing, so a missing key is named in the same pass.
  .superRefine(checkKnowledgeEnv, { when: () => true })
  .superRefine(requireSecureUrls(['OPENAI_BASE_URL'], 'ALLOW_INSECURE_PROVIDER_URLS'));

export interface KnowledgeCliConfig {
  logLevel: LogLevel;
  redis: { url: string };
  openai: { apiKey: string; baseUrl: string; timeoutMs: number };
  knowledge: KnowledgeSection;
}

export function loadKnowledgeCliConfig(source: Record<string, string | undefined> = process.env): KnowledgeCliConfig {
  return loadConfig(knowledgeCliSchema, source, (e) => ({
    logLevel: e.LOG_LEVEL,
    redis: { url: e.REDIS_URL },
    openai: {
      apiKey: e.OPENAI_API_KEY ?? KEYLESS_PLACEHOLDER,
      baseUrl: e.OPENAI_BASE_URL.replace(/\/+$/, ''),
      timeoutMs: e.OPENAI_TIMEOUT_MS,
    },
    knowledge: knowledgeSection(e),
  }));
}
