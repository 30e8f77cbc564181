import { Module, type DynamicModule } from '@nestjs/common';
import { RedisModule } from '@app/redis';
import { KnowledgeConfig, OpenAiConfig } from '../../worker/src/config/config-sections';
import type { KnowledgeCliConfig } from '../../worker/src/config/knowledge-cli-config';
import { KnowledgeModule } from '../../worker/src/knowledge/knowledge.module';

/** The worker's config sections the knowledge stores read, from the CLI's validated config. */
@Module({})
class KnowledgeCliConfigModule {
  static forRoot(config: KnowledgeCliConfig): DynamicModule {
    const providers = [
      { provide: KnowledgeConfig, useValue: config.knowledge },
      // The OpenAI store reads apiKey, baseUrl and timeoutMs only.
      { provide: OpenAiConfig, useValue: config.openai },
    ];
    return { module: KnowledgeCliConfigModule, global: true, providers, exports: providers.map((p) => p.provide) };
  }
}

/** The knowledge command: the worker's own knowledge module (same stores, same keys), no queue, no HTTP. */
@Module({})
export class KnowledgeCliModule {
  static forRoot(config: KnowledgeCliConfig): DynamicModule {
    return {
      module: KnowledgeCliModule,
      imports: [
        KnowledgeCliConfigModule.forRoot(config),
        // Fail fast while Redis is unreachable; an index rebuild reads every chunk in one command.
        RedisModule.forRoot({
          url: config.redis.url,
          role: 'producer',
          connectionName: 'knowledge-cli',
          commandTimeoutMs: 30_000,
        }),
        KnowledgeModule,
      ],
    };
  }
}
