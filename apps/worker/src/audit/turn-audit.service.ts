import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  AUDIT_STREAM,
  AUDIT_THREAD_MAX_TURNS,
  auditThreadKey,
  type TurnAuditRecord,
  type TurnOutcomeKind,
} from '@app/audit';
import type { MessageReceivedJob } from '@app/contracts';
import { REDIS_CONNECTION } from '@app/redis';
import { redactText, scrubPersonalData } from '@app/logging';
import { AuditConfig, OutcomeConfig } from '../config/config-sections';
import { CostLedger, execAll } from '../costs/cost-ledger.service';
import { WorkerMetrics } from '../metrics/worker-metrics.service';
import { OutcomeSignalsStore } from '../outcomes/outcome-signals.store';
import type { JobLock, TurnProgress } from '../state/turn-progress.store';

/** Which queue attempt a turn is on; the audit keeps it next to the outcome. */
export interface TurnAttempt {
  jobId: string;
  /** 1-based. */
  attempt: number;
  /** The queue's lock on the job, when run by the queue: progress is saved only while it is ours. */
  lock?: JobLock;
}

export interface TurnEnd {
  outcome: TurnOutcomeKind;
  reason?: string;
  profile?: string;
  /** When the visitor wrote the message (ms epoch), for the latency the visitor saw. */
  messageAt?: number;
  /** The visitor's text: kept (redacted) only with AUDIT_STORE_TEXT=true. */
  visitorText?: string;
}

/**
 * Writes one audit record per finished turn: durable in Redis (a stream trimmed by the retention,
 * plus a per-thread index), readable at /admin/conversations/:threadId. Best effort: a failed
 * write is logged, never fails the turn the visitor already got an answer for.
 */
@Injectable()
export class TurnAudit {
  private readonly logger = new Logger(TurnAudit.name);

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly costs: CostLedger,
    private readonly metrics: WorkerMetrics,
    private readonly audit: AuditConfig,
    private readonly signals: OutcomeSignalsStore,
    private readonly outcomes: OutcomeConfig,
  ) {}

  build(job: MessageReceivedJob, attempt: TurnAttempt, progress: TurnProgress, end: TurnEnd): TurnAuditRecord {
    const finished = Date.now();
    const started = progress.startedAt ?? finished;
    const latencyMs = end.messageAt ? Math.max(0, finished - end.messageAt) : undefined;
    const modelMs = progress.modelMs ?? 0;
    const toolMs = progress.toolMs ?? 0;
    return {
      version: 1,
      portalId: job.portalId,
      threadId: job.threadId,
      messageId: job.messageId,
      jobId: attempt.jobId,
      attempts: attempt.attempt,
      errors: progress.errors,
      profile: end.profile,
      identity: progress.identity,
      conversationId: progress.conversationId,
      messageAt: end.messageAt ? new Date(end.messageAt).toISOString() : undefined,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      latencyMs,
      modelMs,
      toolMs,
      addedLatencyMs: latencyMs === undefined ? undefined : Math.max(0, latencyMs - modelMs - toolMs),
      outcome: end.outcome,
      reason: end.reason,
      responseIds: progress.responseIds,
      usage: progress.usage,
      credits: round(progress.credits),
      tools: progress.toolCalls,
      replyMessageIds: progress.replyMessageIds,
      members: progress.burst?.length ? progress.burst : undefined,
      visitorText:
        this.outcomes.storeText && end.visitorText
          ? redactText(scrubPersonalData(end.visitorText)).slice(0, VISITOR_TEXT_MAX_CHARS)
          : undefined,
    };
  }

  /** Stores the record once per turn (progress.audited guards redeliveries). */
  async write(record: TurnAuditRecord): Promise<void> {
    const retentionMs = this.audit.retentionSeconds * 1000;
    const threadKey = auditThreadKey(record.threadId);
    // Counted even when Redis fails below: metrics are how that gets noticed.
    this.metrics.observeTurn(record);
    // What the conversation's outcome is judged by (best effort, like the record itself).
    await this.signals.onTurn(record);
    try {
      // Trimming by age keeps the stream as long as the retention (approximate trimming is cheap).
      const cutoff = String(Date.now() - retentionMs);
      const id = await this.redis.xadd(AUDIT_STREAM, 'MINID', '~', cutoff, '*', 'record', JSON.stringify(record));
      const pipeline = this.redis
        .pipeline()
        .rpush(threadKey, id!)
        .ltrim(threadKey, -AUDIT_THREAD_MAX_TURNS, -1)
        .pexpire(threadKey, retentionMs);
      this.costs.countTurn(pipeline, record.threadId);
      await execAll(pipeline);
    } catch (err) {
      this.logger.error({ threadId: record.threadId, err: (err as Error).message }, 'audit record not stored');
    }
  }
}

/** A console shows a message, not a document. */
const VISITOR_TEXT_MAX_CHARS = 2000;

const round = (credits: number) => Math.round(credits * 1000) / 1000;
