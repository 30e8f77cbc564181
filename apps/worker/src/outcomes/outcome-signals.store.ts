import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { FeedbackKind, HandoffCategory, TurnAuditRecord } from '@app/audit';
import { REDIS_CONNECTION, RedisKeys, type ThreadKeyRef } from '@app/redis';
import { AuditConfig, OutcomeConfig } from '../config/config-sections';
import { execAll } from '../costs/cost-ledger.service';
import { feedbackTap } from './lua/outcome-scripts.lua';

/** What the outcome sweep reads about one thread (strings as Redis keeps them). */
export interface OutcomeSignals {
  portalId?: string;
  threadId?: string;
  profile?: string;
  startedAt?: string;
  lastActivityAt?: string;
  firstAnswerAt?: string;
  turns?: string;
  answers?: string;
  /** Visitor messages after the bot's first answer: the visitor carried on. */
  followUps?: string;
  handoffCategory?: HandoffCategory;
  helped?: string;
  moreHelp?: string;
}

/**
 * Gathers, while a conversation runs, what its outcome is judged by: turns and answers (from each
 * turn's audit record), handoffs (by category) and feedback taps. Every write also
 * (re)schedules the thread in its portal's pending set, due RESOLUTION_WINDOW_HOURS after this
 * activity. Best effort: a failed write is logged, never fails a turn.
 */
@Injectable()
export class OutcomeSignalsStore {
  private readonly logger = new Logger(OutcomeSignalsStore.name);

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly config: OutcomeConfig,
    private readonly audit: AuditConfig,
  ) {}

  /** One finished turn (one visitor message). Turns of a thread run one at a time: no race here. */
  async onTurn(record: TurnAuditRecord): Promise<void> {
    if (record.outcome === 'skipped') return;
    const ref = { portalId: record.portalId, threadId: record.threadId };
    await this.guard(ref, async () => {
      const key = RedisKeys.outcomeSignals(ref);
      const firstAnswerAt = await this.redis.hget(key, 'firstAnswerAt');
      const now = this.config.now();
      const pipeline = this.redis.pipeline().hsetnx(key, 'startedAt', String(now)).hincrby(key, 'turns', 1);
      if (firstAnswerAt) pipeline.hincrby(key, 'followUps', 1);
      if (record.outcome === 'answered') {
        pipeline.hsetnx(key, 'firstAnswerAt', String(now)).hincrby(key, 'answers', 1);
      }
      if (record.profile) pipeline.hset(key, 'profile', record.profile);
      await execAll(this.touch(pipeline, ref, now));
    });
  }

  /** The thread was handed off (the first trigger only: HandoffService claims it once). */
  async onHandoff(ref: ThreadKeyRef, category: HandoffCategory): Promise<void> {
    await this.guard(ref, () =>
      execAll(this.touch(this.redis.pipeline().hset(RedisKeys.outcomeSignals(ref), 'handoffCategory', category), ref)),
    );
  }

  /** A feedback tap, counted once per visitor message (a redelivery finds the marker): true the first time. */
  async onFeedback(ref: ThreadKeyRef, messageId: string, kind: FeedbackKind): Promise<boolean> {
    const field = kind === 'helped' ? 'helped' : 'moreHelp';
    const key = RedisKeys.outcomeSignals(ref);
    const marker = RedisKeys.feedbackTap(ref, messageId);
    const first = await feedbackTap.run(this.redis, marker, key, kind, this.audit.retentionSeconds, field);
    // Touched on redelivery too: the tap's activity must reach the pending set even after a crash.
    await execAll(this.touch(this.redis.pipeline(), ref));
    return first === 1;
  }

  read(ref: ThreadKeyRef): Promise<OutcomeSignals> {
    return this.redis.hgetall(RedisKeys.outcomeSignals(ref));
  }

  /** Activity now: the window starts again, the thread waits in its portal's pending set. */
  private touch<P extends ReturnType<Redis['pipeline']>>(pipeline: P, ref: ThreadKeyRef, now = this.config.now()): P {
    const key = RedisKeys.outcomeSignals(ref);
    pipeline
      .hset(key, 'portalId', ref.portalId, 'threadId', ref.threadId, 'lastActivityAt', String(now))
      .hsetnx(key, 'startedAt', String(now))
      .expire(key, this.audit.retentionSeconds)
      .zadd(RedisKeys.outcomePending(ref.portalId), now + this.config.resolutionWindowMs, ref.threadId)
      .sadd(RedisKeys.outcomePortals(), ref.portalId);
    return pipeline;
  }

  private async guard(ref: ThreadKeyRef, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.logger.error({ threadId: ref.threadId, err: (err as Error).message }, 'outcome signal not stored');
    }
  }
}
