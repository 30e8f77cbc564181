import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from '@app/health';
import { LoggingModule } from '@app/logging';
import { MetricsModule } from '@app/metrics';
import { RedisHealthIndicator, RedisModule } from '@app/redis';
import { IdentityMetrics } from './identity/identity-metrics.service';
import { WorkerConfig } from './config/worker-config';
import { WorkerConfigModule } from './config/worker-config.module';
import { KnowledgeMetrics } from './metrics/knowledge-metrics.service';
import { QueueDepthCollector } from './metrics/queue-depth.collector';
import { OutcomeMetrics } from './metrics/outcome-metrics.service';
import { WorkerMetrics } from './metrics/worker-metrics.service';
import { QueueModule } from './queue/queue.module';

/**
 * The consumer process: answers HubSpot chat messages from the queue. Its only HTTP surface is
 * health and metrics on WORKER_HTTP_PORT.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    const queue = QueueModule.forRoot(config);
    return {
      module: WorkerModule,
      imports: [
        WorkerConfigModule.forRoot(config),
        LoggingModule.forRoot({ name: 'worker', level: config.logLevel }),
        RedisModule.forRoot({ url: config.redis.url, role: 'consumer', connectionName: 'worker' }),
        // Global: WorkerMetrics is injectable everywhere in the answering code.
        MetricsModule.forRoot({
          providers: [WorkerMetrics, IdentityMetrics, QueueDepthCollector, KnowledgeMetrics, OutcomeMetrics],
        }),
        queue,
        HealthModule.forChecks([RedisHealthIndicator, queue.consumer], [queue]),
      ],
    };
  }
}
