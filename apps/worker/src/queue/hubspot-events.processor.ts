import { Injectable, Logger } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { JobName, parseJobData, type JobOf, type MessageReceivedJob } from '@app/contracts';
import { RateBudgetExhaustedError } from '../budgets/rate-budget.service';
import { UpstreamError } from '../errors/upstream.error';
import { HandoffService } from '../threads/handoff.service';
import { WelcomeService } from '../threads/welcome.service';
import { MessageTurnService } from '../turns/message-turn.service';
import { JobLockLostError } from '../state/turn-progress.store';

const BUSY_DELAY_MS = 750;

/** Routes jobs by name to one service each and maps failures to the queue's retry semantics. */
@Injectable()
export class HubSpotEventsProcessor {
  private readonly logger = new Logger(HubSpotEventsProcessor.name);

  constructor(
    private readonly turns: MessageTurnService,
    private readonly welcome: WelcomeService,
    private readonly handoff: HandoffService,
  ) {}

  /** Permanent upstream errors fail the job at once; everything else is retried by the queue. */
  private async withQueueSemantics<T>(job: Job, token: string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      await this.delayIfOutOfBudget(job, token, err);
      if (err instanceof UpstreamError && !err.retryable) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  /** Out of a shared rate budget: wait as a delayed job, without spending an attempt. */
  private async delayIfOutOfBudget(job: Job, token: string | undefined, err: unknown): Promise<void> {
    if (!(err instanceof RateBudgetExhaustedError)) return;
    await job.moveToDelayed(Date.now() + err.retryAfterMs + Math.floor(Math.random() * 250), token);
    throw new DelayedError();
  }

  async process(job: Job, token?: string): Promise<unknown> {
    switch (job.name) {
      case JobName.MessageReceived:
        return this.messageReceived(job, this.checked(job, JobName.MessageReceived), token);
      case JobName.ThreadOpened: {
        const data = this.checked(job, JobName.ThreadOpened);
        return this.withQueueSemantics(job, token, () => this.welcome.welcome(data));
      }
      case JobName.ThreadChanged: {
        const data = this.checked(job, JobName.ThreadChanged);
        return this.withQueueSemantics(job, token, () => this.handoff.onThreadChanged(data));
      }
      default:
        return { status: 'skipped', reason: `unknown job ${job.name}` };
    }
  }

  /**
   * Before any work: whoever wrote this job (the api, an operator, a mistake), its data must match
   * the contract (ids are digits). Otherwise the job fails for good, naming the field; no retries.
   */
  private checked<N extends JobName>(job: Job, name: N): JobOf<N> {
    const verdict = parseJobData(name, job.data);
    if (verdict.ok) return verdict.data;
    this.logger.warn({ jobId: job.id, job: name, problem: verdict.problem }, 'job data rejected');
    throw new UnrecoverableError(`invalid job data: ${verdict.problem}`);
  }

  private async messageReceived(job: Job, data: MessageReceivedJob, token?: string): Promise<unknown> {
    const holder = job.id ?? `${data.portalId}-${data.messageId}`;
    const lock = token ? { key: `${job.queueQualifiedName}:${job.id}:lock`, token } : undefined;
    const attempt = { jobId: holder, attempt: job.attemptsMade + 1, lock };
    try {
      const outcome = await this.turns.handle(data, holder, attempt);
      if (outcome.status === 'busy') {
        // Another turn of this thread runs (or an earlier message waits): wait, don't fail.
        await job.moveToDelayed(Date.now() + BUSY_DELAY_MS + Math.floor(Math.random() * 250), token);
        throw new DelayedError();
      }
      this.logger.log({ jobId: job.id, threadId: data.threadId, ...outcome }, 'message handled');
      return outcome;
    } catch (err) {
      if (err instanceof DelayedError || err instanceof JobLockLostError) throw err;
      await this.delayIfOutOfBudget(job, token, err);
      const permanent = err instanceof UpstreamError && !err.retryable;
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.logger.warn(
        { jobId: job.id, attempt: job.attemptsMade + 1, permanent, err: (err as Error).message },
        'turn failed',
      );
      if (permanent || lastAttempt) {
        await this.turns
          .sendFallback(data, holder, attempt)
          .catch((e: Error) => this.logger.error({ jobId: job.id, err: e.message }, 'fallback reply failed'));
      }
      if (permanent) throw new UnrecoverableError((err as Error).message);
      throw err;
    }
  }
}
