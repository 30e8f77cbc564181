import { Redis } from 'ioredis';
import { promptCacheKey } from '../../apps/worker/src/engines/chat-completions/server-quirks';
import { RedisKeys } from '../../libs/redis/src/redis-keys';
import type { TranscriptEntry } from '../../apps/worker/src/engines/chat-completions/transcript.store';
import { chatItems } from '../fakes/openai-chat.fake';
import type { FakeItem, RecordedModelCall } from '../fakes/openai.fake';
import type { SystemHarness } from './system-harness';

/** The engines every guarantee is proven on: suites run once per engine (`describe.each(ENGINES)`). */
export const ENGINES = ['responses', 'chat-completions'] as const;

/**
 * What a thread's history holds, engine-neutral: the OpenAI conversation's items (Responses) or
 * our Redis transcript (Chat Completions), as items; undefined when the thread has none.
 */
export async function historyOf(h: SystemHarness, threadId: string): Promise<FakeItem[] | undefined> {
  if (h.engine === 'responses') {
    const conversations = h.openai.conversations().filter((c) => c.metadata.hubspot_thread_id === threadId);
    if (conversations.length > 1) throw new Error(`thread ${threadId} has ${conversations.length} conversations`);
    return conversations[0]?.items;
  }
  const redis = new Redis(h.redis.url, { maxRetriesPerRequest: 1 });
  try {
    const raw = await redis.lrange(
      RedisKeys.transcript({ portalId: String(h.hubspot.portalId), threadId: threadId }),
      0,
      -1,
    );
    if (raw.length === 0) return undefined;
    return chatItems(raw.map((r) => (JSON.parse(r) as TranscriptEntry).message as unknown as Record<string, unknown>));
  } finally {
    redis.disconnect();
  }
}

/** The id of the thread's history as the audit trail records it (conversation id or transcript key). */
export function historyIdOf(h: SystemHarness, threadId: string): string | undefined {
  if (h.engine === 'chat-completions')
    return RedisKeys.transcript({ portalId: String(h.hubspot.portalId), threadId: threadId });
  return h.openai.conversations().find((c) => c.metadata.hubspot_thread_id === threadId)?.id;
}

/** The model calls made for one thread, oldest first. */
export function modelCallsOf(h: SystemHarness, threadId: string): RecordedModelCall[] {
  if (h.engine === 'chat-completions') {
    const key = promptCacheKey(String(h.hubspot.portalId), threadId);
    return h.openai.chatCompletions().filter((c) => c.conversationId === key);
  }
  const id = historyIdOf(h, threadId);
  return id ? h.openai.responses().filter((r) => r.conversationId === id) : [];
}

/** Id and token usage of each model call from index `since` on (either API's usage shape). */
export function modelUsage(h: SystemHarness, since = 0): { id: string; input: number; output: number }[] {
  if (h.engine === 'chat-completions') {
    return h.openai
      .chatCompletions()
      .slice(since)
      .map((c) => {
        const usage = c.completion.usage as { prompt_tokens: number; completion_tokens: number };
        return { id: c.id, input: usage.prompt_tokens, output: usage.completion_tokens };
      });
  }
  return h.openai
    .responses()
    .slice(since)
    .map((r) => ({ id: r.id, input: r.response.usage.input_tokens, output: r.response.usage.output_tokens }));
}
