import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { HUBSPOT_EVENTS_QUEUE, UPSTREAM_AWARE_BACKOFF } from '@app/contracts';
import { REDIS_CONNECTION } from '@app/redis';
import { ApiConfig } from '../config/api-config';
import { JobEnqueuer } from './job-enqueuer.service';
import { WebhookIngestService } from './webhook-ingest.service';

/** The producer side of the queue. The api never registers a processor. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [REDIS_CONNECTION, ApiConfig],
      useFactory: (redis: Redis, config: ApiConfig) => ({
        connection: redis,
        defaultJobOptions: {
          attempts: config.jobs.attempts,
          backoff: { type: UPSTREAM_AWARE_BACKOFF, delay: config.jobs.backoffMs },
          removeOnComplete: { age: config.jobs.keepCompleted.ageSeconds, count: config.jobs.keepCompleted.count },
          // Failed jobs stay for inspection and replay in Bull Board.
          removeOnFail: { age: config.jobs.keepFailedSeconds },
        },
      }),
    }),
    BullModule.registerQueue({ name: HUBSPOT_EVENTS_QUEUE }),
  ],
  providers: [JobEnqueuer, WebhookIngestService],
  exports: [BullModule, WebhookIngestService],
})
export class IngestModule {}
