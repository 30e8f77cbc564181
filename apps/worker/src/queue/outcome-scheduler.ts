import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { HUBSPOT_EVENTS_QUEUE, JobName, OUTCOME_SWEEP_SCHEDULER_ID } from '@app/contracts';
import { OutcomeConfig } from '../config/config-sections';

/**
 * Registers the repeatable outcome job in the queue (no cron outside it). The scheduler id is
 * fixed: every replica upserts the same scheduler, so the job runs once per period, not per worker.
 */
@Injectable()
export class OutcomeScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(OutcomeScheduler.name);

  constructor(
    @InjectQueue(HUBSPOT_EVENTS_QUEUE) private readonly queue: Queue,
    private readonly config: OutcomeConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      OUTCOME_SWEEP_SCHEDULER_ID,
      { every: this.config.sweepEveryMs },
      {
        name: JobName.OutcomeSweep,
        data: {},
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 100, removeOnFail: 100 },
      },
    );
    this.logger.log({ everyMs: this.config.sweepEveryMs }, 'outcome job scheduled');
  }
}
