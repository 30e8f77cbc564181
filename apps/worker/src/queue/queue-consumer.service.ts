import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import type { ReadinessCheck } from '@app/health';
import { REDIS_CONNECTION } from '@app/redis';
import { WorkerConfig } from '../config/worker-config';
import { WorkerMetrics } from '../metrics/worker-metrics.service';
import { HubSpotEventsProcessor } from './hubspot-events.processor';
import { upstreamAwareBackoff } from './upstream-aware.backoff';

/**
 * Owns the BullMQ Worker with explicit options. Consumes only once the app has booted, and on
 * shutdown stops taking jobs and lets in-flight turns finish before Redis closes.
 */
@Injectable()
export class QueueConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown, ReadinessCheck {
  readonly name = 'queue';
  private readonly logger = new Logger(QueueConsumer.name);
  private worker?: Worker;

  constructor(
    private readonly processor: HubSpotEventsProcessor,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly config: WorkerConfig,
    private readonly metrics: WorkerMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const { concurrency, lockDurationMs, stalledIntervalMs } = this.config.queue;
    this.worker = new Worker(HUBSPOT_EVENTS_QUEUE, (job, token) => this.process(job, token), {
      // BullMQ duplicates this connection for its blocking reads.
      connection: this.redis,
      concurrency,
      // A turn may wait on a slow model for a minute; the lock is renewed every lockDuration/2.
      lockDuration: lockDurationMs,
      // A job whose worker died is taken over once its lock expires, found within stalledInterval.
      stalledInterval: stalledIntervalMs,
      maxStalledCount: 2,
      settings: { backoffStrategy: upstreamAwareBackoff },
      autorun: false,
    });
    this.worker.on('error', (err) => this.logger.warn(`worker error: ${err.message}`));
    this.worker.on('failed', (job, err) => {
      this.logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'job failed');
      // finishedOn is set only when the job failed for good; otherwise it went back for a retry.
      if (job) this.metrics.countJob(job.name, job.finishedOn ? 'failed' : 'retried');
    });
    this.worker.on('completed', (job) => this.metrics.countJob(job.name, 'completed'));
    this.worker.on('stalled', (jobId) => void this.countStalled(jobId));
    void this.worker.run();
    this.logger.log(`consuming ${HUBSPOT_EVENTS_QUEUE} with concurrency ${concurrency}`);
  }

  /** The processor, timed; a job that asked to wait (DelayedError) is counted here, as BullMQ emits nothing for it. */
  private async process(job: Job, token?: string): Promise<unknown> {
    const started = performance.now();
    try {
      return await this.processor.process(job, token);
    } catch (err) {
      if (err instanceof DelayedError) this.metrics.countJob(job.name, 'delayed');
      throw err;
    } finally {
      this.metrics.observeJobDuration(job.name, (performance.now() - started) / 1000);
    }
  }

  /** The stalled event carries only the id; one HGET finds the job's name. */
  private async countStalled(jobId: string): Promise<void> {
    if (!this.worker) return;
    const name = await this.redis.hget(this.worker.toKey(jobId), 'name').catch(() => null);
    this.metrics.countJob(name ?? 'unknown', 'stalled');
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.worker) return;
    this.logger.log('draining: waiting for in-flight jobs');
    await this.worker.close();
  }

  async check(): Promise<void> {
    if (!this.worker?.isRunning()) throw new Error('worker is not consuming');
    return Promise.resolve();
  }
}
