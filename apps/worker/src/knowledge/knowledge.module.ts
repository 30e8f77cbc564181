import { Module, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION } from '@app/redis';
import { KnowledgeConfig, OpenAiConfig } from '../config/config-sections';
import { KnowledgeGapsStore } from './knowledge-gaps.store';
import { KNOWLEDGE_STORE, type KnowledgeStore } from './knowledge-store';
import { KnowledgeSync } from './knowledge-sync.service';
import { LocalKnowledgeStore } from './local/local-knowledge.store';
import { OpenAiKnowledgeStore } from './openai/openai-knowledge.store';

/** The store KNOWLEDGE_STORE names, chosen once at boot (the other one is never constructed). */
const storeProvider: Provider = {
  provide: KNOWLEDGE_STORE,
  inject: [REDIS_CONNECTION, KnowledgeConfig, OpenAiConfig],
  useFactory: (redis: Redis, config: KnowledgeConfig, openai: OpenAiConfig): KnowledgeStore =>
    config.store === 'openai'
      ? new OpenAiKnowledgeStore(redis, config, openai)
      : new LocalKnowledgeStore(redis, config),
};

/**
 * The company's documents: the store (local full-text index in Redis, or an OpenAI vector store),
 * the folder sync, the knowledge gaps. Used by the worker (search_knowledge) and the knowledge CLI.
 */
@Module({
  providers: [storeProvider, KnowledgeSync, KnowledgeGapsStore],
  exports: [KNOWLEDGE_STORE, KnowledgeSync, KnowledgeGapsStore],
})
export class KnowledgeModule {}
