import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from '@app/health';
import { LoggingModule } from '@app/logging';
import { MetricsModule } from '@app/metrics';
import { RedisHealthIndicator, RedisModule } from '@app/redis';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { ApiConfig } from './config/api-config';
import { ApiConfigModule } from './config/api-config.module';
import { ConsoleModule } from './console/console.module';
import { KnowledgeModule } from './knowledge/knowledge.module';
import { OutcomesModule } from './outcomes/outcomes.module';
import { ApiMetrics } from './metrics/api-metrics.service';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class ApiModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ApiConfigModule.forRoot(config),
        LoggingModule.forRoot({ name: 'api', level: config.logLevel, quietPaths: ['/webhooks/'] }),
        RedisModule.forRoot({
          url: config.redis.url,
          role: 'producer',
          connectionName: 'api',
          commandTimeoutMs: config.redis.commandTimeoutMs,
        }),
        HealthModule.forChecks([RedisHealthIndicator]),
        MetricsModule.forRoot({ providers: [ApiMetrics] }),
        WebhooksModule,
        AdminModule,
        AuditModule,
        KnowledgeModule,
        OutcomesModule,
        ConsoleModule,
      ],
    };
  }
}
