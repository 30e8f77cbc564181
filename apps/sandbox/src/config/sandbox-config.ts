import { z } from 'zod';
import { env, loadConfig, LOG_LEVELS, type LogLevel } from '@app/config';

const sandboxEnvSchema = z.object({
  // The chat page (and the HubSpot emulator behind it).
  SANDBOX_PORT: env.port().default(8080),
  // The api's port (webhooks, Bull Board, /admin).
  SANDBOX_API_PORT: env.port().default(3000),
  // 127.0.0.1 on a laptop; 0.0.0.0 in a container so the published ports answer.
  SANDBOX_HOST: env.string().default('127.0.0.1'),
  // Where the throwaway redis-server keeps its data when REDIS_URL is not set.
  SANDBOX_DATA_DIR: env.string().default('.sandbox'),
  // The api's and worker's log level in the sandbox (the page is the interface; keep the terminal quiet).
  SANDBOX_LOG_LEVEL: env.enum(LOG_LEVELS).default('error'),
  // First redelivery wait of a failed webhook batch; doubles each time (HubSpot spreads 10 over ~24 h).
  SANDBOX_WEBHOOK_RETRY_BASE_MS: env.int(10, 3_600_000).default(1000),
  REDIS_URL: env.url(['redis:', 'rediss:']).optional(),
  BULL_BOARD_USER: env.string().default('sandbox'),
  BULL_BOARD_PASSWORD: env.secret(12).optional(),
  // The model: OpenAI with a key; any OpenAI-compatible server with a base URL; else the demo model.
  OPENAI_API_KEY: env.secret(8).optional(),
  OPENAI_BASE_URL: env.url(['https:', 'http:']).optional(),
  OPENAI_MODEL: env.string().optional(),
  OPENAI_SERVER_KIND: env.string().optional(),
  ASSISTANT_ENGINE: env.string().optional(),
});

/** Which model the sandbox's worker talks to. */
export type ModelChoice =
  { kind: 'demo' } | { kind: 'openai' | 'chat-completions'; label: string; workerEnv: Record<string, string> };

export interface SandboxConfig {
  host: string;
  port: number;
  apiPort: number;
  dataDir: string;
  logLevel: LogLevel;
  webhookRetryBaseMs: number;
  redisUrl?: string;
  admin: { user: string; password?: string };
  model: ModelChoice;
}

/** The sandbox's settings from the environment (npm run sandbox, the compose `sandbox` profile). */
export function loadSandboxConfig(source: Record<string, string | undefined> = process.env): SandboxConfig {
  return loadConfig(sandboxEnvSchema, source, (e) => ({
    host: e.SANDBOX_HOST,
    port: e.SANDBOX_PORT,
    apiPort: e.SANDBOX_API_PORT,
    dataDir: e.SANDBOX_DATA_DIR,
    logLevel: e.SANDBOX_LOG_LEVEL,
    webhookRetryBaseMs: e.SANDBOX_WEBHOOK_RETRY_BASE_MS,
    redisUrl: e.REDIS_URL,
    admin: { user: e.BULL_BOARD_USER, password: e.BULL_BOARD_PASSWORD },
    model: modelChoice(e),
  }));
}

function modelChoice(e: z.output<typeof sandboxEnvSchema>): ModelChoice {
  const pick = (vars: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(vars).filter((kv): kv is [string, string] => kv[1] !== undefined));
  if (e.OPENAI_API_KEY) {
    const engine = e.ASSISTANT_ENGINE ?? 'responses';
    return {
      kind: engine === 'chat-completions' ? 'chat-completions' : 'openai',
      label: `${e.OPENAI_MODEL ?? 'gpt-5-mini'} (${e.OPENAI_BASE_URL ? new URL(e.OPENAI_BASE_URL).host : 'OpenAI'})`,
      workerEnv: pick({
        OPENAI_API_KEY: e.OPENAI_API_KEY,
        OPENAI_BASE_URL: e.OPENAI_BASE_URL,
        OPENAI_MODEL: e.OPENAI_MODEL,
        OPENAI_SERVER_KIND: e.OPENAI_SERVER_KIND,
        ASSISTANT_ENGINE: engine,
      }),
    };
  }
  if (e.OPENAI_BASE_URL) {
    return {
      kind: 'chat-completions',
      label: `${e.OPENAI_MODEL ?? 'model'} (${new URL(e.OPENAI_BASE_URL).host})`,
      workerEnv: pick({
        OPENAI_BASE_URL: e.OPENAI_BASE_URL,
        OPENAI_MODEL: e.OPENAI_MODEL,
        OPENAI_SERVER_KIND: e.OPENAI_SERVER_KIND ?? 'ollama',
        ASSISTANT_ENGINE: 'chat-completions',
        // A local server in a neighbouring container (compose `ollama`) speaks plain http.
        ALLOW_INSECURE_PROVIDER_URLS: new URL(e.OPENAI_BASE_URL).protocol === 'http:' ? 'true' : undefined,
      }),
    };
  }
  return { kind: 'demo' };
}
