import { Inject, Injectable } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import { costDayKey, costThreadKey, utcDay } from '@app/audit';
import { REDIS_CONNECTION } from '@app/redis';
import { AuditConfig, CapsConfig } from '../config/config-sections';

export interface Spend {
  tokens: number;
  credits: number;
}

/** Day totals outlive any report an operator would want; thread totals live as long as the audit. */
const DAY_TTL_SECONDS = 400 * 86_400;

/**
 * What the assistant spent, per conversation (HubSpot thread) and per UTC day, shared by every
 * worker through Redis; and whether a cap is reached. Spending is recorded as it happens (after
 * each model response and each paid tool call), so parallel turns see each other's spend.
 */
@Injectable()
export class CostLedger {
  /** Day keys this process already gave their TTL: a day key is written all day, its TTL set once. */
  private readonly dayKeysWithTtl = new Set<string>();

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly audit: AuditConfig,
    private readonly caps: CapsConfig,
  ) {}

  /**
   * A plain pipeline, not a transaction: each counter stands on its own, and a pipeline costs no
   * MULTI/EXEC and works across Redis Cluster slots. The thread's TTL follows its last spend.
   */
  async add(threadId: string, spend: Spend, at = Date.now()): Promise<void> {
    if (spend.tokens <= 0 && spend.credits <= 0) return;
    const pipeline = this.redis.pipeline();
    const dayKey = costDayKey(utcDay(at));
    for (const key of [costThreadKey(threadId), dayKey]) {
      if (spend.tokens > 0) pipeline.hincrby(key, 'tokens', spend.tokens);
      if (spend.credits > 0) pipeline.hincrbyfloat(key, 'credits', spend.credits);
    }
    pipeline.expire(costThreadKey(threadId), this.audit.retentionSeconds);
    this.prepareDayOnce(pipeline, dayKey);
    await execAll(pipeline);
  }

  /**
   * Counts a finished turn (for per-turn averages), inside the caller's pipeline. The day's hash
   * also carries the daily caps this worker enforces (capTokens, capCredits; 0 = none; written with
   * the day's TTL, once per process and day), so the operator console shows today's spend against
   * them without a copy of the worker's config.
   */
  countTurn(pipeline: ChainableCommander, threadId: string, at = Date.now()): void {
    const dayKey = costDayKey(utcDay(at));
    pipeline
      .hincrby(costThreadKey(threadId), 'turns', 1)
      .expire(costThreadKey(threadId), this.audit.retentionSeconds)
      .hincrby(dayKey, 'turns', 1);
    this.prepareDayOnce(pipeline, dayKey);
  }

  private prepareDayOnce(pipeline: ChainableCommander, dayKey: string): void {
    if (this.dayKeysWithTtl.has(dayKey)) return;
    // NX: another worker's TTL stands; ours only covers a key created without one. The caps go with it.
    pipeline.expire(dayKey, DAY_TTL_SECONDS, 'NX');
    pipeline.hset(dayKey, 'capTokens', this.caps.dailyTokens, 'capCredits', this.caps.dailyCredits);
    if (this.dayKeysWithTtl.size > 4) this.dayKeysWithTtl.clear();
    this.dayKeysWithTtl.add(dayKey);
  }

  async totals(threadId: string, at = Date.now()): Promise<{ thread: Spend; day: Spend }> {
    const [thread, day] = await Promise.all([
      this.redis.hmget(costThreadKey(threadId), 'tokens', 'credits'),
      this.redis.hmget(costDayKey(utcDay(at)), 'tokens', 'credits'),
    ]);
    return { thread: toSpend(thread), day: toSpend(day) };
  }

  /** The cap already reached by this thread or today, if any (0 = no cap). */
  async capReached(threadId: string, at = Date.now()): Promise<string | undefined> {
    const caps = this.caps;
    const { thread, day } = await this.totals(threadId, at);
    if (caps.conversationTokens > 0 && thread.tokens >= caps.conversationTokens) return 'conversation token cap';
    if (caps.conversationCredits > 0 && thread.credits >= caps.conversationCredits) return 'conversation credit cap';
    if (caps.dailyTokens > 0 && day.tokens >= caps.dailyTokens) return 'daily token cap';
    if (caps.dailyCredits > 0 && day.credits >= caps.dailyCredits) return 'daily credit cap';
    return undefined;
  }
}

/** Runs a pipeline and fails like a transaction would when one of its commands failed. */
export async function execAll(pipeline: ChainableCommander): Promise<void> {
  for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
}

function toSpend([tokens, credits]: (string | null)[]): Spend {
  return { tokens: Number(tokens ?? 0) || 0, credits: Number(credits ?? 0) || 0 };
}
