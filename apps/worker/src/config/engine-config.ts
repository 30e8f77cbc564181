import { z } from 'zod';
import { env } from '@app/config';

export const ENGINE_KINDS = ['responses', 'chat-completions'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];
export const SERVER_KINDS = ['openai', 'azure', 'ollama', 'vllm', 'litellm'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** Servers that run without an OpenAI-issued key; the SDK still needs a string, so it gets this one. */
const KEYLESS_KINDS: readonly ServerKind[] = ['ollama', 'vllm', 'litellm'];
export const KEYLESS_PLACEHOLDER = 'no-key-needed';

/** The variables of the engine choice and of the Chat Completions engine (merged into the worker's schema). */
export const engineEnvShape = {
  ASSISTANT_ENGINE: env.enum(ENGINE_KINDS).default('responses'),
  OPENAI_SERVER_KIND: env.enum(SERVER_KINDS).default('openai'),
  // Required for openai/azure only (checked below, in the same pass as the other variables).
  OPENAI_API_KEY: env.secret(8).optional(),
  TRANSCRIPT_RETENTION_DAYS: env.int(1, 3650).default(30),
};

type EngineEnv = {
  ASSISTANT_ENGINE?: EngineKind;
  OPENAI_SERVER_KIND?: ServerKind;
  OPENAI_API_KEY?: string;
  TRANSCRIPT_RETENTION_DAYS?: number;
};

/**
 * Cross-variable rules: the key is required where the server issues keys, and the Responses engine
 * needs the Conversations API, which local servers and gateways do not implement.
 */
export function checkEngineEnv(e: EngineEnv, ctx: z.RefinementCtx): void {
  const kind = e.OPENAI_SERVER_KIND ?? 'openai';
  if (!e.OPENAI_API_KEY && !KEYLESS_KINDS.includes(kind)) {
    ctx.addIssue({ code: 'custom', path: ['OPENAI_API_KEY'], message: 'is required' });
  }
  if (e.ASSISTANT_ENGINE === 'responses' && KEYLESS_KINDS.includes(kind)) {
    ctx.addIssue({
      code: 'custom',
      path: ['ASSISTANT_ENGINE'],
      message: `must be chat-completions with OPENAI_SERVER_KIND=${kind} (it has no Conversations API)`,
    });
  }
}

/** The engine's own config section. */
export interface EngineSection {
  kind: EngineKind;
  /** Which OpenAI-compatible server OPENAI_BASE_URL points at: selects its request quirks. */
  serverKind: ServerKind;
}

export interface ChatCompletionsSection {
  /** How long a thread's transcript is kept after its last message (seconds). */
  transcriptRetentionSeconds: number;
}

export function engineSections(e: Required<Omit<EngineEnv, 'OPENAI_API_KEY'>>): {
  engine: EngineSection;
  chatCompletions: ChatCompletionsSection;
} {
  return {
    engine: { kind: e.ASSISTANT_ENGINE, serverKind: e.OPENAI_SERVER_KIND },
    chatCompletions: { transcriptRetentionSeconds: e.TRANSCRIPT_RETENTION_DAYS * 86_400 },
  };
}
