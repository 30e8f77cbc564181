import { DelayedError, type Job } from 'bullmq';
import type { JobLock } from '../state/turn-progress.store';

/**
 * What a handler knows of the queue's hold on its job: which attempt this is, the job lock that
 * guards progress saves (so a run that lost its job touches nothing), and how to wait without
 * spending an attempt. Handlers never build queue keys themselves.
 */
export class JobLease {
  constructor(
    private readonly job: Job,
    private readonly token?: string,
  ) {}

  get jobId(): string {
    return this.job.id ?? `${this.job.name}-${this.job.timestamp}`;
  }

  /** 1-based. */
  get attempt(): number {
    return this.job.attemptsMade + 1;
  }

  get lastAttempt(): boolean {
    return this.attempt >= (this.job.opts.attempts ?? 1);
  }

  /** BullMQ's lock on this job while this run holds it (undefined outside the queue). */
  get lock(): JobLock | undefined {
    return this.token ? { key: `${this.job.queueQualifiedName}:${this.job.id}:lock`, token: this.token } : undefined;
  }

  /** Waits as a delayed job (not a failure, no attempt spent): call it as `throw await lease.delay(ms)`. */
  async delay(ms: number, jitterMs = 250): Promise<DelayedError> {
    await this.job.moveToDelayed(Date.now() + ms + Math.floor(Math.random() * jitterMs), this.token);
    return new DelayedError();
  }

  /** Ends a wait begun with delay() at once (the job is picked up again); false if it was not waiting. */
  async promote(): Promise<boolean> {
    return this.job.promote().then(
      () => true,
      () => false,
    );
  }
}
