import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';
import { transcriptAppendOnce } from './lua/transcript-append-once.lua';
import { ChatCompletionsConfig } from '../../config/config-sections';

export interface ToolCallPart {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A Chat Completions message as the transcript keeps it (and sends it back). */
export type ChatMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCallPart[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface TranscriptEntry {
  /** Deterministic per turn step (`<message id>:u`, `:a1`, `:t:<call id>`): appended once. */
  id: string;
  /** The HubSpot message whose turn wrote it. */
  turn: string;
  message: ChatMessage;
  /** Local token estimate of the message (counted once, when appended). */
  tokens: number;
  /** Set on the assistant entry that ends a turn without a model answer: why, and which text it posted. */
  end?: { fallback?: string; cap?: string };
}

export interface TranscriptRef {
  portalId: string;
  threadId: string;
}

/** Entries kept per thread: older ones go first (the history bound sends far fewer anyway). */
const MAX_ENTRIES = 400;

/** A thread's transcript in Redis: read whole, appended once per entry id (crash- and redelivery-safe). */
@Injectable()
export class TranscriptStore {
  private readonly retentionSeconds: number;

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    config: ChatCompletionsConfig,
  ) {
    this.retentionSeconds = config.transcriptRetentionSeconds;
  }

  async load(ref: TranscriptRef): Promise<TranscriptEntry[]> {
    const raw = await this.redis.lrange(RedisKeys.transcript(ref), 0, -1);
    return raw.map((r) => JSON.parse(r) as TranscriptEntry);
  }

  /**
   * Appends the entries whose ids are new, in one round trip, and returns what the transcript holds
   * for each id: an entry a crashed attempt already wrote wins over the one offered now.
   */
  async append(ref: TranscriptRef, entries: TranscriptEntry[]): Promise<TranscriptEntry[]> {
    if (entries.length === 0) return [];
    const args = entries.flatMap((e) => [e.id, JSON.stringify(e)]);
    const stored = (await transcriptAppendOnce.run(
      this.redis,
      RedisKeys.transcript(ref),
      RedisKeys.transcriptIds(ref),
      String(this.retentionSeconds),
      String(MAX_ENTRIES),
      ...args,
    )) as string[];
    return stored.map((r) => JSON.parse(r) as TranscriptEntry);
  }
}
