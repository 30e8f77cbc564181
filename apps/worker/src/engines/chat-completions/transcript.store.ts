import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LuaScript, REDIS_CONNECTION } from '@app/redis';
import { WorkerConfig } from '../../config/worker-config';
import { transcriptIdsKey, transcriptKey } from './transcript-keys';

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

// For each entry: store it unless its id is already there; either way return the stored one. Entries
// beyond the cap leave from the head with their ids. Both keys live as long as the thread is active.
const APPEND_ONCE = new LuaScript(
  'transcriptAppendOnce',
  2,
  `
local stored = {}
for i = 3, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('RPUSH', KEYS[1], ARGV[i + 1])
    stored[#stored + 1] = ARGV[i + 1]
  else
    stored[#stored + 1] = redis.call('HGET', KEYS[2], ARGV[i])
  end
end
local excess = redis.call('LLEN', KEYS[1]) - tonumber(ARGV[2])
for _ = 1, excess do
  local old = redis.call('LPOP', KEYS[1])
  local ok, entry = pcall(cjson.decode, old)
  if ok and entry.id then redis.call('HDEL', KEYS[2], entry.id) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return stored
`,
);

/** A thread's transcript in Redis: read whole, appended once per entry id (crash- and redelivery-safe). */
@Injectable()
export class TranscriptStore {
  private readonly retentionSeconds: number;

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    config: WorkerConfig,
  ) {
    this.retentionSeconds = config.chatCompletions.transcriptRetentionSeconds;
  }

  async load(ref: TranscriptRef): Promise<TranscriptEntry[]> {
    const raw = await this.redis.lrange(transcriptKey(ref.portalId, ref.threadId), 0, -1);
    return raw.map((r) => JSON.parse(r) as TranscriptEntry);
  }

  /**
   * Appends the entries whose ids are new, in one round trip, and returns what the transcript holds
   * for each id: an entry a crashed attempt already wrote wins over the one offered now.
   */
  async append(ref: TranscriptRef, entries: TranscriptEntry[]): Promise<TranscriptEntry[]> {
    if (entries.length === 0) return [];
    const args = entries.flatMap((e) => [e.id, JSON.stringify(e)]);
    const stored = (await APPEND_ONCE.run(
      this.redis,
      transcriptKey(ref.portalId, ref.threadId),
      transcriptIdsKey(ref.portalId, ref.threadId),
      String(this.retentionSeconds),
      String(MAX_ENTRIES),
      ...args,
    )) as string[];
    return stored.map((r) => JSON.parse(r) as TranscriptEntry);
  }
}
