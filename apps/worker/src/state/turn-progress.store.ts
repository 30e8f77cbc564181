import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { IdentityLevel, ToolCallAudit } from '@app/audit';
import { LegacyRedisKeys, REDIS_CONNECTION, RedisKeys, type ThreadKeyRef } from '@app/redis';
import type { QuickReply } from '../hubspot/hubspot.types';
import { turnProgressSave } from './lua/turn-progress-save.lua';

export interface PendingCall {
  callId: string;
  name: string;
  arguments: string;
}

/**
 * Everything a retry needs to resume a turn where it stopped: it never re-adds the user message,
 * never re-runs a tool that returned, never posts a reply part twice.
 */
export interface TurnProgress {
  /** The engine's id of the thread's history (the Responses engine: its OpenAI conversation). */
  conversationId?: string;
  /** The engine's own resume state: opaque here, owned by the engine that wrote it. */
  engine?: Record<string, unknown>;
  /** The visitor's message is in the thread's history (it is never added twice). */
  userMessageSent: boolean;
  rounds: number;
  responseIds: string[];
  pendingCalls: PendingCall[];
  /** call_id → output JSON, for calls that returned. */
  toolOutputs: Record<string, string>;
  /** name+arguments → how often the model asked for it in this turn. */
  callCounts: Record<string, number>;
  /** Calls already counted in callCounts (a call resumed after a retry is not counted twice). */
  countedCallIds?: string[];
  /** Names of the tool calls that succeeded in this turn, in order. */
  toolsSucceeded: string[];
  usage: { inputTokens: number; outputTokens: number };
  /** Time spent waiting for model responses (ms), all attempts. */
  modelMs?: number;
  /** Time spent running tool rounds (ms; a round's calls run in parallel, so its wall time). */
  toolMs?: number;
  /** ListaFirme credits spent by this turn's tool calls. */
  credits: number;
  /** Every tool call of the turn, for the audit trail (arguments redacted). */
  toolCalls: ToolCallAudit[];
  /** The thread's assistant profile when the turn ran. */
  profile?: string;
  /** The thread's identity level (recorded in the audit). */
  identity?: IdentityLevel;
  /** The per-visitor limits were counted for this message (a retry must not count it again). */
  visitorCounted?: boolean;
  /** Which per-visitor limit this message exceeded, if any. */
  visitorLimited?: string;
  /** What search_knowledge returned in this turn (citations and knowledge gaps are decided from it). */
  knowledge?: { searches: number; found: { source: string; title: string; url?: string; text: string }[] };
  /** A paid tool call was refused because the daily credit cap is reached. */
  paidToolsPaused?: boolean;
  /** When the first attempt began (ms epoch). */
  startedAt?: number;
  /** Failed attempts' error messages, oldest first. */
  errors: string[];
  /** Why this turn handed the thread to a person, when it did. */
  handoffReason?: string;
  /** Out of hours at the handoff: when the visitor was told a person answers. */
  handoffClosedUntil?: string;
  /** Out of hours with HANDOFF_OUTSIDE_HOURS=stay: why a person was wanted; the bot stayed on. */
  handoffStayed?: string;
  /** The agents' note of this turn's handoff: `posting` while its post's outcome is unknown, then its id. */
  handoffNote?: string;
  /** The assignment of this turn's handoff (HANDOFF_ASSIGNEE_ACTOR_ID): `assigning` while unknown, then `done` (or `failed`: refused for good). */
  handoffAssign?: 'assigning' | 'done' | 'failed';
  /** Why the model's answer was replaced before posting (it quoted the instructions). */
  screenedReason?: string;
  /** The cost cap this turn reached, when it did. */
  capReason?: string;
  /** The audit record was written (a redelivery after that writes none). */
  audited?: boolean;
  answer?: string;
  /** Why the answer is a fallback text, when it is. */
  fallbackReason?: string;
  replyParts?: string[];
  /** Buttons under the last reply part (the feedback buttons), fixed with the parts before the first post. */
  replyQuickReplies?: QuickReply[];
  /** Index of the reply part being posted whose id is not recorded yet. */
  replyInFlight?: number;
  /** When we last looked for that part in the thread without finding it (ms epoch). */
  replyLookedUpAt?: number;
  replyMessageIds: string[];
  /**
   * The later messages of the thread this turn answers together with its own, in order; fixed
   * (and saved) before the turn's first effect, so a retry answers the same burst. [] = none.
   */
  burst?: string[];
  /** This message was answered by the turn of that (earlier) message, together with it. */
  answeredBy?: string;
  done: boolean;
}

const TTL_SECONDS = 7 * 86_400;
const OWN_TTL_SECONDS = 2 * 86_400;

/** The queue's lock on the job being processed: its Redis key and this run's token. */
export interface JobLock {
  key: string;
  token: string;
}

export interface SaveOptions {
  /** Save only while this run still owns the job. */
  lock?: JobLock;
  /** Also mark this posted message as ours (its webhook is then skipped unread). */
  ownMessageId?: string;
}

/** This run lost the job to another worker (its lock expired): stop without touching anything. */
export class JobLockLostError extends Error {
  constructor(lockKey: string) {
    super(`the queue lock ${lockKey} is no longer ours: another worker took the job over`);
    this.name = 'JobLockLostError';
  }
}

export function newProgress(): TurnProgress {
  return {
    userMessageSent: false,
    rounds: 0,
    responseIds: [],
    pendingCalls: [],
    toolOutputs: {},
    callCounts: {},
    toolsSucceeded: [],
    usage: { inputTokens: 0, outputTokens: 0 },
    credits: 0,
    toolCalls: [],
    errors: [],
    replyMessageIds: [],
    done: false,
  };
}

/**
 * Per-message turn progress in Redis, keyed on portal + message id (what the job id is built from),
 * and the ids of messages we posted (their webhooks come back and are skipped unread).
 */
@Injectable()
export class TurnProgressStore {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  async load(ref: ThreadKeyRef, messageId: string): Promise<TurnProgress> {
    return (await this.loadForMessage(ref, messageId)).progress;
  }

  /**
   * One round trip: is this message one we posted, and what progress does its turn have? (The
   * keys written before keys had hash tags are read too, so a turn in flight across the upgrade
   * resumes; they are never written.)
   */
  async loadForMessage(ref: ThreadKeyRef, messageId: string): Promise<{ own: boolean; progress: TurnProgress }> {
    const [own, raw, legacyOwn, legacyRaw] = await this.redis.mget(
      RedisKeys.ownMessage(ref, messageId),
      RedisKeys.turnProgress(ref, messageId),
      LegacyRedisKeys.ownMessage(ref.portalId, messageId),
      LegacyRedisKeys.turnProgress(ref.portalId, messageId),
    );
    return { own: own !== null || legacyOwn !== null, progress: parse(raw ?? legacyRaw) };
  }

  /** Remembers a message we posted outside a turn (e.g. a welcome), so its webhook is skipped unread. */
  async markOwnMessage(ref: ThreadKeyRef, messageId: string): Promise<void> {
    await this.redis.set(RedisKeys.ownMessage(ref, messageId), '1', 'EX', OWN_TTL_SECONDS);
  }

  /**
   * Persists the progress (and, for a posted reply part, our own-message marker) in one round trip.
   * With `lock`, only while the queue's lock on the job is still ours: a run whose job was taken
   * over (its lock expired during a long stall) must not overwrite the new run's progress or act
   * on it (it throws JobLockLostError before the side effect that follows every save).
   */
  async save(ref: ThreadKeyRef, messageId: string, progress: TurnProgress, options: SaveOptions = {}): Promise<void> {
    const { lock, ownMessageId } = options;
    const json = JSON.stringify(progress);
    const key = RedisKeys.turnProgress(ref, messageId);
    if (!lock && !ownMessageId) {
      await this.redis.set(key, json, 'EX', TTL_SECONDS);
      return;
    }
    if (!lock) {
      await this.redis
        .multi()
        .set(RedisKeys.ownMessage(ref, ownMessageId!), '1', 'EX', OWN_TTL_SECONDS)
        .set(key, json, 'EX', TTL_SECONDS)
        .exec();
      return;
    }
    const saved = await turnProgressSave.run(
      this.redis,
      key,
      lock.key,
      ownMessageId ? RedisKeys.ownMessage(ref, ownMessageId) : '',
      json,
      String(TTL_SECONDS),
      lock.token,
      String(OWN_TTL_SECONDS),
    );
    if (saved !== 1) throw new JobLockLostError(lock.key);
  }

  /**
   * One round trip over messages waiting in a thread's line: which are ours (posted by us) and
   * which have a turn progress already (their turn began, or they were answered).
   */
  async peek(ref: ThreadKeyRef, messageIds: string[]): Promise<{ own: boolean; progressed: boolean }[]> {
    if (messageIds.length === 0) return [];
    const keys = messageIds.flatMap((id) => [RedisKeys.ownMessage(ref, id), RedisKeys.turnProgress(ref, id)]);
    const values = await this.redis.mget(...keys);
    return messageIds.map((_, i) => ({ own: values[2 * i] !== null, progressed: values[2 * i + 1] !== null }));
  }

  /**
   * Marks messages as answered by `leader`'s turn (done: their jobs skip without a channel call).
   * Idempotent: a retry of the leader writes the same. They never held the thread's turn, so no
   * progress of their own is overwritten.
   */
  async markAnswered(ref: ThreadKeyRef, messageIds: string[], leader: string, from: TurnProgress): Promise<void> {
    if (messageIds.length === 0) return;
    const tx = this.redis.multi();
    for (const id of messageIds) {
      const progress: TurnProgress = {
        ...newProgress(),
        answeredBy: leader,
        startedAt: from.startedAt,
        profile: from.profile,
        identity: from.identity,
        conversationId: from.conversationId,
        done: true,
      };
      tx.set(RedisKeys.turnProgress(ref, id), JSON.stringify(progress), 'EX', TTL_SECONDS);
    }
    const failed = (await tx.exec())?.find(([err]) => err)?.[0];
    if (failed) throw failed;
  }

  /** The id of the newest item we know a conversation holds (set after every model call). */
  async lastItemOf(conversationId: string): Promise<string | null> {
    return this.redis.get(RedisKeys.conversationLastItem(conversationId));
  }

  async setLastItem(conversationId: string, itemId: string): Promise<void> {
    await this.redis.set(RedisKeys.conversationLastItem(conversationId), itemId, 'EX', TTL_SECONDS * 4);
  }
}

function parse(raw: string | null): TurnProgress {
  if (!raw) return newProgress();
  const stored = JSON.parse(raw) as Partial<TurnProgress> & { anchorItemId?: unknown; requestInFlight?: unknown };
  // Progress written before engine state had its own field: a turn in flight across the upgrade resumes.
  const { anchorItemId, requestInFlight, ...rest } = stored;
  if (anchorItemId !== undefined || requestInFlight !== undefined) rest.engine ??= { anchorItemId, requestInFlight };
  return { ...newProgress(), ...rest };
}
