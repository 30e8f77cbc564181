import { InjectQueue, OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { HUBSPOT_EVENTS_QUEUE, parseJobData, type JobName } from '@app/contracts';
import type { ReadinessCheck } from '@app/health';
import { REDIS_CONNECTION } from '@app/redis';
import { budgetReservations } from '../budgets/budget-reservations';
import { RateBudgetExhaustedError } from '../budgets/rate-budget.service';
import { UpstreamError } from '../errors/upstream.error';
import { WorkerMetrics } from '../metrics/worker-metrics.service';
import { JobLockLostError } from '../state/turn-progress.store';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobLease } from './job-lease';

/**
 * The queue's semantics in one place, over @nestjs/bullmq's worker (made by QueueModule with the
 * configured options): job data checked against the contract, one handler per job name, a shared
 * rate budget that is out → delayed without spending an attempt, a permanent upstream error →
 * UnrecoverableError, the handler's `onGiveUp` once a job fails for good. Consumes only once the
 * app has booted; on shutdown stops taking jobs and lets in-flight turns finish before Redis closes.
 */
export class HubSpotEventsConsumer
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown, ReadinessCheck
{
  readonly name = 'queue';
  private readonly logger = new Logger(HubSpotEventsConsumer.name);

  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly metrics: WorkerMetrics,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    // Registered only so @nestjs/bullmq builds the worker; its errors (Redis down) are logged, not thrown.
    @InjectQueue(HUBSPOT_EVENTS_QUEUE) queue: Queue,
  ) {
    super();
    queue.on('error', (err) => this.logger.warn(`queue error: ${err.message}`));
  }

  onApplicationBootstrap(): void {
    // Created with autorun off (QueueModule): nothing is consumed before every module is ready.
    void this.worker.run();
    this.logger.log(`consuming ${this.worker.name} with concurrency ${this.worker.concurrency}`);
  }

  async process(job: Job, token?: string): Promise<unknown> {
    const started = performance.now();
    try {
      return await this.dispatch(job, new JobLease(job, token));
    } catch (err) {
      if (err instanceof DelayedError) this.metrics.countJob(job.name, 'delayed');
      throw err;
    } finally {
      this.metrics.observeJobDuration(job.name, (performance.now() - started) / 1000);
    }
  }

  private async dispatch(job: Job, lease: JobLease): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new UnrecoverableError(`no handler for job ${job.name}`);
    // Whoever wrote this job (the api, an operator, a mistake), its data must match the contract.
    const verdict = parseJobData(job.name as JobName, job.data);
    if (!verdict.ok) {
      this.logger.warn({ jobId: job.id, job: job.name, problem: verdict.problem }, 'job data rejected');
      throw new UnrecoverableError(`invalid job data: ${verdict.problem}`);
    }
    try {
      // A budget unit this job must wait for is reserved under its id (one per job: attempts share it).
      return await budgetReservations.run({ reservationId: `job:${lease.jobId}` }, () =>
        handler.handle(verdict.data, lease),
      );
    } catch (err) {
      if (err instanceof DelayedError || err instanceof JobLockLostError) throw err;
      // Out of a shared rate budget: wait as a delayed job, without spending an attempt (until the
      // reserved unit is due, exactly; else a little spread so waiting jobs do not return together).
      if (err instanceof RateBudgetExhaustedError) throw await lease.delay(err.retryAfterMs, err.reserved ? 0 : 250);
      const permanent = err instanceof UpstreamError && !err.retryable;
      this.logger.warn(
        { jobId: job.id, job: job.name, attempt: lease.attempt, permanent, err: (err as Error).message },
        'job attempt failed',
      );
      if ((permanent || lease.lastAttempt) && handler.onGiveUp) {
        await handler
          .onGiveUp(verdict.data, lease, err as Error)
          .catch((e: Error) => this.logger.error({ jobId: job.id, err: e.message }, 'giving up failed'));
      }
      if (permanent) throw new UnrecoverableError((err as Error).message);
      throw err;
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'job failed');
    // finishedOn is set only when the job failed for good; otherwise it went back for a retry.
    if (job) this.metrics.countJob(job.name, job.finishedOn ? 'failed' : 'retried');
  }

  @OnWorkerEvent('completed')
  onCompleted(job: Job): void {
    this.metrics.countJob(job.name, 'completed');
  }

  /** The stalled event carries only the id; one HGET finds the job's name. */
  @OnWorkerEvent('stalled')
  async onStalled(jobId: string): Promise<void> {
    const name = await this.redis.hget(this.worker.toKey(jobId), 'name').catch(() => null);
    this.metrics.countJob(name ?? 'unknown', 'stalled');
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.warn(`worker error: ${err.message}`);
  }

  /**
   * Before Redis closes: @nestjs/bullmq closes its workers at onApplicationShutdown, the same
   * phase in which the Redis module quits, in no set order. Stop taking jobs and wait for the
   * ones in flight first (a later close by @nestjs/bullmq is then a no-op).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.logger.log('draining: waiting for in-flight jobs');
    await this.worker.close();
  }

  async check(): Promise<void> {
    if (!this.worker.isRunning()) throw new Error('worker is not consuming');
    return Promise.resolve();
  }
}
