import type { Redis } from 'ioredis';
import { RedisKeys } from '@app/redis';
import type { ConversationOutcome, ConversationOutcomeRecord } from './conversation-outcome.types';
import { outcomeDays, outcomeTotals, type OutcomeDay, type OutcomeTotals } from './outcome-aggregates';

export interface OutcomeFilter {
  /** Conversations that started in [fromMs, toMs]. */
  fromMs: number;
  toMs: number;
  outcome?: ConversationOutcome;
  profile?: string;
  language?: string;
  portalId?: string;
  /** Most conversations listed (the aggregates cover every match). */
  limit: number;
}

export interface OutcomeReport {
  /** Matching conversations; `conversations` lists the newest `limit` of them. */
  total: number;
  conversations: ConversationOutcomeRecord[];
  days: OutcomeDay[];
  totals: OutcomeTotals;
}

/**
 * Reads the conversation outcomes the worker's outcome job decides (one record per thread, indexed
 * per portal by the conversation's start). Shared by the api's GET /admin/outcomes and the console.
 */
export class OutcomeReader {
  constructor(private readonly redis: Redis) {}

  async report(filter: OutcomeFilter): Promise<OutcomeReport> {
    const records = (await this.records(filter)).filter(
      (r) =>
        (!filter.outcome || r.outcome === filter.outcome) &&
        (!filter.profile || r.profile === filter.profile) &&
        (!filter.language || r.language === filter.language),
    );
    records.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.threadId.localeCompare(a.threadId));
    return {
      total: records.length,
      conversations: records.slice(0, filter.limit),
      days: outcomeDays(records),
      totals: outcomeTotals(records),
    };
  }

  /** One thread's decided outcome, if any. */
  async find(portalId: string, threadId: string): Promise<ConversationOutcomeRecord | undefined> {
    const json = await this.redis.get(RedisKeys.outcomeRecord({ portalId, threadId }));
    if (json === null) return undefined;
    try {
      return JSON.parse(json) as ConversationOutcomeRecord;
    } catch {
      return undefined;
    }
  }

  private async records(filter: OutcomeFilter): Promise<ConversationOutcomeRecord[]> {
    const portals = filter.portalId ? [filter.portalId] : await this.redis.smembers(RedisKeys.outcomePortals());
    const refs = (
      await Promise.all(
        portals.map(async (portalId) =>
          (await this.redis.zrangebyscore(RedisKeys.outcomeIndex(portalId), filter.fromMs, filter.toMs)).map(
            (threadId) => ({ portalId, threadId }),
          ),
        ),
      )
    ).flat();
    if (refs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const ref of refs) pipeline.get(RedisKeys.outcomeRecord(ref));
    const rows = (await pipeline.exec()) ?? [];
    return rows.flatMap(([err, json]) => {
      if (err || typeof json !== 'string') return [];
      try {
        return [JSON.parse(json) as ConversationOutcomeRecord];
      } catch {
        return [];
      }
    });
  }
}
