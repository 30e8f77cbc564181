import { Injectable } from '@nestjs/common';
import type { MessageReceivedJob } from '@app/contracts';
import type { TurnAttempt } from '../audit/turn-audit.service';
import { RateBudgetExhaustedError } from '../budgets/rate-budget.service';
import { OpenAiConfig, QueueConfig } from '../config/config-sections';
import { JobLockLostError, TurnProgressStore } from '../state/turn-progress.store';
import { ThreadTurnLock } from '../state/thread-turn-lock.service';
import { AnswerStep } from './steps/answer.step';
import { BurstStep } from './steps/burst.step';
import { FallbackStep } from './steps/fallback.step';
import { ResolveStep } from './steps/resolve.step';
import type { TurnContext } from './turn-context';
import { answeredOutcome, endOf, type TurnOutcome } from './turn-outcome';
import { TurnRecorder } from './turn-recorder';

/**
 * One visitor message → exactly one answer in the same thread, as steps over one turn context:
 * skip our own and answered messages; take the thread's turn; read the message and check who sent
 * it; resolve the thread (profile, identity, handoff); take the visitor's lines waiting behind it
 * (a burst, answered together); answer directly or with the model; post the reply; audit.
 * Progress is recorded so a retry resumes instead of repeating.
 */
@Injectable()
export class MessageTurnService {
  constructor(
    private readonly lock: ThreadTurnLock,
    private readonly progressStore: TurnProgressStore,
    private readonly resolver: ResolveStep,
    private readonly bursts: BurstStep,
    private readonly answers: AnswerStep,
    private readonly fallback: FallbackStep,
    private readonly recorder: TurnRecorder,
    private readonly queue: QueueConfig,
    private readonly openai: OpenAiConfig,
  ) {}

  async handle(job: MessageReceivedJob, holder: string, attempt = firstAttempt(holder)): Promise<TurnOutcome> {
    const { messageId } = job;
    const { own, progress } = await this.progressStore.loadForMessage(job, messageId);
    // Our own replies come back as webhooks: recognised by id, without spending a channel read.
    if (own) return { status: 'skipped', reason: 'own reply' };
    const turn = this.recorder.context(job, attempt, progress);
    if (progress.done) return this.alreadyAnswered(turn, holder);
    // The thread's turn first, in the order HubSpot saw the messages, before any channel call: a
    // message that must wait spends no request, and a slow read cannot be overtaken by a later one.
    // The lock outlives the slowest turn: no model call starts after the turn timeout, and one may run that long.
    const lockTtl = this.queue.turnTimeoutMs + this.openai.timeoutMs + 30_000;
    const take = await this.lock.acquire(turn.ref, messageId, job.occurredAt, holder, lockTtl, this.bursts.take);
    if (take.status === 'busy') return { status: 'busy' };
    if (take.status === 'answered') {
      // Answered with an earlier message while this job was on its way (its first look saw no `done`).
      return this.alreadyAnswered(this.recorder.context(job, attempt, await this.progressStore.load(job, messageId)));
    }
    progress.startedAt ??= Date.now();
    try {
      const resolution = await this.resolver.resolve(turn);
      if ('skip' in resolution) {
        const { skip: reason } = resolution;
        await this.lock.finish(turn.ref, messageId, holder);
        if (!resolution.audit) return { status: 'skipped', reason };
        progress.done = true;
        await this.recorder.end(turn, { outcome: 'skipped', reason, messageAt: resolution.messageAt });
        return { status: 'skipped', reason };
      }
      const resolved = resolution.turn;
      await this.answers.answer({ ...resolved, members: await this.bursts.members(resolved, take.waiting) });
      // Before this turn is done: a retry after a crash here marks them again (the same record).
      await this.bursts.complete(turn);
      progress.done = true;
      await this.recorder.end(turn, {
        ...endOf(progress),
        messageAt: resolution.messageAt,
        visitorText: resolved.message.text,
      });
    } catch (err) {
      // Another run owns the job (and, with the same holder, the thread's turn) now: touch nothing.
      if (err instanceof JobLockLostError) throw err;
      // Keep our place in line: the retry must still come before later messages of the thread.
      await this.lock.unlock(turn.ref, holder);
      if (!(err instanceof RateBudgetExhaustedError)) {
        progress.errors.push(`attempt ${attempt.attempt}: ${(err as Error).message}`.slice(0, 300));
        await turn.save().catch(() => undefined);
      }
      throw err;
    }
    await this.lock.finish(turn.ref, messageId, holder, progress.burst);
    return answeredOutcome(progress);
  }

  /**
   * A message whose turn is over: a redelivery, or one answered together with an earlier message
   * (its audit record, once, says by which). A crash after recording the answer but before leaving
   * the line must not block the thread: leave it now (with the burst the turn answered).
   */
  private async alreadyAnswered(turn: TurnContext, holder?: string): Promise<TurnOutcome> {
    const { progress, job } = turn;
    const leader = progress.answeredBy;
    const reason = leader ? `answered with ${leader}` : 'already answered';
    if (leader && !progress.audited) await this.recorder.end(turn, { outcome: 'skipped', reason });
    if (holder) await this.lock.finish(turn.ref, job.messageId, holder, progress.burst);
    return { status: 'skipped', reason };
  }

  /** After the last attempt failed: the fallback text, once (FallbackStep); the thread's line moves on. */
  async sendFallback(job: MessageReceivedJob, holder: string, attempt = firstAttempt(holder)): Promise<void> {
    const progress = await this.progressStore.load(job, job.messageId);
    const turn = this.recorder.context(job, attempt, progress);
    try {
      await this.fallback.send(turn);
    } finally {
      // The fallback (or the reply before it) answered the burst too; else its members keep their turns.
      await this.lock.finish(turn.ref, job.messageId, holder, await this.bursts.afterFallback(turn));
    }
  }
}

/** Without the queue's metadata (tests, direct calls) a turn counts as the job's first attempt. */
function firstAttempt(jobId: string): TurnAttempt {
  return { jobId, attempt: 1 };
}
