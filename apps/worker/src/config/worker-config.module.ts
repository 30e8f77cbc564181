import { Module, type DynamicModule, type ValueProvider } from '@nestjs/common';
import {
  AirtableConfig,
  AuditConfig,
  ChatCompletionsConfig,
  EngineConfig,
  CapsConfig,
  CompaniesConfig,
  ContactsConfig,
  HandoffConfig,
  OutcomeConfig,
  HttpConfig,
  HubSpotConfig,
  IdentityConfig,
  KnowledgeConfig,
  MappingConfig,
  OpenAiConfig,
  ProfilesConfig,
  QueueConfig,
  RedisConfig,
  VisitorLimitsConfig,
} from './config-sections';
import type { WorkerConfig } from './worker-config';

/** Provides each section of the validated config under its own class token (never the whole). */
@Module({})
export class WorkerConfigModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    const providers: ValueProvider[] = [
      { provide: HttpConfig, useValue: config.http },
      { provide: RedisConfig, useValue: config.redis },
      { provide: QueueConfig, useValue: config.queue },
      { provide: HubSpotConfig, useValue: config.hubspot },
      { provide: OpenAiConfig, useValue: config.openai },
      { provide: MappingConfig, useValue: config.mapping },
      { provide: EngineConfig, useValue: config.engine },
      { provide: ChatCompletionsConfig, useValue: config.chatCompletions },
      { provide: CompaniesConfig, useValue: config.companies },
      { provide: ProfilesConfig, useValue: config.profiles },
      { provide: IdentityConfig, useValue: config.identity },
      { provide: VisitorLimitsConfig, useValue: config.visitorLimits },
      { provide: HandoffConfig, useValue: config.handoff },
      { provide: OutcomeConfig, useValue: config.outcomes },
      { provide: AuditConfig, useValue: config.audit },
      { provide: CapsConfig, useValue: config.caps },
      { provide: ContactsConfig, useValue: config.contacts },
      { provide: KnowledgeConfig, useValue: config.knowledge },
      // Absent when Airtable is not configured: its users inject it as optional.
      ...(config.airtable ? [{ provide: AirtableConfig, useValue: config.airtable }] : []),
    ];
    return {
      module: WorkerConfigModule,
      global: true,
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}
