import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AUDIT_STREAM, auditThreadKey, costDayKey, costThreadKey, type TurnAuditRecord } from '@app/audit';
import { REDIS_CONNECTION } from '@app/redis';

export interface CostTotals {
  tokens: number;
  credits: number;
  turns: number;
}

export interface DailyCaps {
  tokens: number;
  credits: number;
}

const EXPORT_PAGE = 500;

/** Reads what the worker's TurnAudit wrote: one thread's turns, a day's costs, a time range. */
@Injectable()
export class AuditReader {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  /** The thread's turns, oldest first (those still within the retention). */
  async thread(threadId: string): Promise<TurnAuditRecord[]> {
    const ids = await this.redis.lrange(auditThreadKey(threadId), 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.xrange(AUDIT_STREAM, id, id);
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([err, entries]) => (err ? [] : parseEntries(entries as [string, string[]][])));
  }

  async threadCosts(threadId: string): Promise<CostTotals> {
    return toTotals(await this.redis.hmget(costThreadKey(threadId), 'tokens', 'credits', 'turns'));
  }

  /**
   * A day's spend and the daily caps the workers enforced when they last counted a turn that day
   * (undefined before any turn; 0 = no cap).
   */
  async dayCostsAndCaps(day: string): Promise<{ costs: CostTotals; caps?: DailyCaps }> {
    const values = await this.redis.hmget(costDayKey(day), 'tokens', 'credits', 'turns', 'capTokens', 'capCredits');
    const [capTokens, capCredits] = values.slice(3);
    const caps =
      capTokens === null || capCredits === null
        ? undefined
        : { tokens: Number(capTokens) || 0, credits: Number(capCredits) || 0 };
    return { costs: toTotals(values.slice(0, 3)), caps };
  }

  async dayCosts(day: string): Promise<CostTotals> {
    return toTotals(await this.redis.hmget(costDayKey(day), 'tokens', 'credits', 'turns'));
  }

  /** Every record between two times (ms epoch), oldest first, a page at a time. */
  async *range(fromMs: number, toMs: number): AsyncGenerator<TurnAuditRecord> {
    let start = String(fromMs);
    for (;;) {
      const page = await this.redis.xrange(AUDIT_STREAM, start, String(toMs), 'COUNT', EXPORT_PAGE);
      yield* parseEntries(page);
      if (page.length < EXPORT_PAGE) return;
      start = `(${page[page.length - 1][0]}`;
    }
  }
}

function parseEntries(entries: [string, string[]][]): TurnAuditRecord[] {
  return entries.flatMap(([, fields]) => {
    const at = fields.indexOf('record');
    if (at < 0) return [];
    try {
      return [JSON.parse(fields[at + 1]) as TurnAuditRecord];
    } catch {
      return [];
    }
  });
}

function toTotals([tokens, credits, turns]: (string | null)[]): CostTotals {
  return {
    tokens: Number(tokens ?? 0) || 0,
    credits: Math.round((Number(credits ?? 0) || 0) * 1000) / 1000,
    turns: Number(turns ?? 0) || 0,
  };
}
