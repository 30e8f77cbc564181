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
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly audit: AuditConfig,
    private readonly caps: CapsConfig,
  ) {}

  async add(threadId: string, spend: Spend, at = Date.now()): Promise<void> {
    if (spend.tokens <= 0 && spend.credits <= 0) return;
    const tx = this.redis.multi();
    for (const [key, ttl] of [
      [costThreadKey(threadId), this.audit.retentionSeconds],
      [costDayKey(utcDay(at)), DAY_TTL_SECONDS],
    ] as const) {
      if (spend.tokens > 0) tx.hincrby(key, 'tokens', spend.tokens);
      if (spend.credits > 0) tx.hincrbyfloat(key, 'credits', spend.credits);
      tx.expire(key, ttl);
    }
    await tx.exec();
  }

  /** Counts a finished turn (for per-turn averages), inside the caller's transaction. */
  countTurn(tx: ChainableCommander, threadId: string, at = Date.now()): void {
    tx.hincrby(costThreadKey(threadId), 'turns', 1)
      .expire(costThreadKey(threadId), this.audit.retentionSeconds)
      .hincrby(costDayKey(utcDay(at)), 'turns', 1)
      .expire(costDayKey(utcDay(at)), DAY_TTL_SECONDS);
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

function toSpend([tokens, credits]: (string | null)[]): Spend {
  return { tokens: Number(tokens ?? 0) || 0, credits: Number(credits ?? 0) || 0 };
}
