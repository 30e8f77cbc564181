import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION } from '@app/redis';
import { RateBudget } from '../budgets/rate-budget.service';
import { AirtableConfig } from '../config/config-sections';
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
      inject: [REDIS_CONNECTION, { token: AirtableConfig, optional: true }, RateBudget, WorkerMetrics],
      useFactory: (redis: Redis, airtable: AirtableConfig | undefined, budget: RateBudget, metrics: WorkerMetrics) =>
        airtable ? new AirtableMappingStore(airtable, budget, metrics) : new RedisMappingStore(redis),
    },
    ThreadMapping,
  ],
  exports: [ThreadMapping],
})
export class MappingModule {}
