import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ConversationOutcomeRecord } from '@app/audit';
import { REDIS_CONNECTION, RedisKeys, type ThreadKeyRef } from '@app/redis';
import { AuditConfig, OutcomeConfig } from '../config/config-sections';
import { CostLedger, execAll } from '../costs/cost-ledger.service';
import { OutcomeMetrics } from '../metrics/outcome-metrics.service';
import { ThreadStateStore } from '../threads/thread-state.store';
import { outcomeClaim } from './lua/outcome-scripts.lua';
import { judgeOutcome } from './outcome-rules';
import { OutcomeSignalsStore } from './outcome-signals.store';

/** Threads decided per portal per run: a backlog is worked off over the next runs. */
const BATCH = 500;

export interface SweepResult {
  decided: number;
  outcomes: Record<string, number>;
}

/**
 * The repeatable outcome job's work: every conversation whose resolution window passed gets its
 * outcome record (read by GET /admin/outcomes) and is counted once in the metrics. Writing the
 * record is idempotent; the claim (off the pending set) decides who counts it.
 */
@Injectable()
export class OutcomeSweep {
  private readonly logger = new Logger(OutcomeSweep.name);

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly signals: OutcomeSignalsStore,
    private readonly threadState: ThreadStateStore,
    private readonly costs: CostLedger,
    private readonly metrics: OutcomeMetrics,
    private readonly config: OutcomeConfig,
    private readonly audit: AuditConfig,
  ) {}

  async sweep(): Promise<SweepResult> {
    const now = this.config.now();
    const result: SweepResult = { decided: 0, outcomes: {} };
    for (const portalId of await this.redis.smembers(RedisKeys.outcomePortals())) {
      const pending = RedisKeys.outcomePending(portalId);
      const due = await this.redis.zrangebyscore(pending, '-inf', now, 'LIMIT', 0, BATCH);
      for (const threadId of due) {
        const record = await this.decide({ portalId, threadId }, now);
        if (!record) {
          // Nothing to judge (signals expired): off the pending set, or it stays due forever.
          await outcomeClaim.run(this.redis, pending, threadId, now);
          continue;
        }
        await this.store(record, now);
        if ((await outcomeClaim.run(this.redis, pending, threadId, now)) !== 1) continue;
        this.metrics.observeOutcome(record);
        result.decided += 1;
        result.outcomes[record.outcome] = (result.outcomes[record.outcome] ?? 0) + 1;
      }
    }
    if (result.decided > 0) this.logger.log(result, 'conversation outcomes decided');
    return result;
  }

  private async decide(ref: ThreadKeyRef, now: number): Promise<ConversationOutcomeRecord | undefined> {
    const [signals, state, totals] = await Promise.all([
      this.signals.read(ref),
      this.threadState.get(ref),
      this.costs.totals(ref.threadId, now),
    ]);
    return judgeOutcome(signals, {
      now,
      resolutionWindowMs: this.config.resolutionWindowMs,
      language: state.language,
      spend: totals.thread,
    });
  }

  private async store(record: ConversationOutcomeRecord, now: number): Promise<void> {
    const retentionMs = this.audit.retentionSeconds * 1000;
    const index = RedisKeys.outcomeIndex(record.portalId);
    await execAll(
      this.redis
        .pipeline()
        .set(RedisKeys.outcomeRecord(record), JSON.stringify(record), 'PX', retentionMs)
        .zadd(index, Date.parse(record.startedAt), record.threadId)
        .zremrangebyscore(index, '-inf', now - retentionMs),
    );
  }
}
