import { createHash } from 'node:crypto';
import type { ServerKind } from '../../config/engine-config';

/** What one server kind needs in a request beyond model, messages and tools. */
export interface RequestExtras {
  max_completion_tokens?: number;
  max_tokens?: number;
  parallel_tool_calls?: boolean;
  tool_choice?: 'auto';
  safety_identifier?: string;
  prompt_cache_key?: string;
}

export interface TurnIds {
  /** Hashed visitor id (OpenAI's abuse tracking). */
  safetyId: string;
  /** Stable per thread: OpenAI routes requests with one key to one prompt cache. */
  cacheKey: string;
}

/**
 * The request fields each server kind honours (../shared/reference/openai.md §4):
 * - Ollama bounds the output only by `max_tokens` and ignores `max_completion_tokens`,
 *   `parallel_tool_calls` and `tool_choice` (sent both token fields; the other two are left out);
 * - OpenAI's reasoning models refuse the deprecated `max_tokens`, so the others get only
 *   `max_completion_tokens`;
 * - `safety_identifier` and `prompt_cache_key` are OpenAI's own: left out for servers that may not know them.
 */
export function requestExtras(kind: ServerKind, maxOutputTokens: number, ids: TurnIds): RequestExtras {
  switch (kind) {
    case 'ollama':
      return { max_tokens: maxOutputTokens, max_completion_tokens: maxOutputTokens };
    case 'openai':
      return {
        max_completion_tokens: maxOutputTokens,
        parallel_tool_calls: true,
        tool_choice: 'auto',
        safety_identifier: ids.safetyId,
        prompt_cache_key: ids.cacheKey,
      };
    default:
      return { max_completion_tokens: maxOutputTokens, parallel_tool_calls: true, tool_choice: 'auto' };
  }
}

/**
 * Tool-call arguments as they go back to the server: vLLM parses them from model text and may
 * produce text that is not JSON, which some servers refuse to re-render in the next request. The
 * model still reads the real problem in the tool's error output.
 */
export function sendableArguments(raw: string): string {
  try {
    JSON.parse(raw);
    return raw;
  } catch {
    return '{}';
  }
}

/** Stable per thread, without its ids: OpenAI keeps one prompt cache per key. */
export function promptCacheKey(portalId: string, threadId: string): string {
  return `thread-${createHash('sha256').update(`${portalId}:${threadId}`).digest('hex').slice(0, 32)}`;
}
