import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION } from '@app/redis';
import { RateBudget } from '../budgets/rate-budget.service';
import { WorkerConfig } from '../config/worker-config';
import { WorkerMetrics } from '../metrics/worker-metrics.service';
import { StateModule } from '../state/state.module';
import { AirtableMappingStore } from './airtable-mapping.store';
import { MAPPING_STORE } from './mapping-store';
import { RedisMappingStore } from './redis-mapping.store';
import { ThreadMapping } from './thread-mapping.service';

/** HubSpot thread ↔ the engine's conversation, in Airtable (when configured) or Redis. */
@Module({
  imports: [StateModule],
  providers: [
    {
      provide: MAPPING_STORE,
      inject: [REDIS_CONNECTION, WorkerConfig, RateBudget, WorkerMetrics],
      useFactory: (redis: Redis, config: WorkerConfig, budget: RateBudget, metrics: WorkerMetrics) =>
        config.airtable ? new AirtableMappingStore(config.airtable, budget, metrics) : new RedisMappingStore(redis),
    },
    ThreadMapping,
  ],
  exports: [ThreadMapping],
})
export class MappingModule {}
