import { configProblems } from '@app/config';
import { loadKnowledgeCliConfig } from './knowledge-cli-config';
import { loadWorkerConfig } from './worker-config';

const required = {
  REDIS_URL: 'redis://redis:6379',
  HUBSPOT_ACCESS_TOKEN: 'pat-na1-0000',
  HUBSPOT_BOT_ACTOR_ID: 'A-12345',
  OPENAI_API_KEY: 'sk-test-0000',
};

describe('knowledge configuration', () => {
  it('defaults to the local store, four passages, and the documented thresholds', () => {
    expect(loadWorkerConfig(required).knowledge).toEqual({
      store: 'local',
      vectorStoreId: undefined,
      maxResults: 4,
      minScore: 0.3,
      localMinMatch: 0.5,
      maxFileBytes: 20 * 1024 * 1024,
      gapRetentionSeconds: 90 * 86_400,
    });
  });

  it('refuses an unknown store, a malformed vector store id and out-of-range thresholds', () => {
    expect(
      configProblems(loadWorkerConfig, {
        ...required,
        KNOWLEDGE_STORE: 'pinecone',
        KNOWLEDGE_VECTOR_STORE_ID: 'store-1',
        KNOWLEDGE_MIN_SCORE: '1.5',
        KNOWLEDGE_MAX_RESULTS: '0',
      }),
    ).toEqual([
      'KNOWLEDGE_STORE must be one of local, openai',
      'KNOWLEDGE_VECTOR_STORE_ID must be a vector store id like vs_abc123',
      'KNOWLEDGE_MAX_RESULTS must be >= 1',
      'KNOWLEDGE_MIN_SCORE must be <= 1',
    ]);
  });

  it('needs an OpenAI key for the openai store even when the model runs keyless', () => {
    const keyless = {
      ...required,
      OPENAI_API_KEY: '',
      OPENAI_SERVER_KIND: 'ollama',
      ASSISTANT_ENGINE: 'chat-completions',
    };
    expect(loadWorkerConfig(keyless).knowledge.store).toBe('local');
    expect(configProblems(loadWorkerConfig, { ...keyless, KNOWLEDGE_STORE: 'openai' })).toEqual([
      'OPENAI_API_KEY is required with KNOWLEDGE_STORE=openai',
    ]);
  });

  it('the knowledge command reads the same variables and needs neither HubSpot nor a model key for the local store', () => {
    const config = loadKnowledgeCliConfig({ REDIS_URL: 'redis://redis:6379', KNOWLEDGE_MAX_RESULTS: '6' });
    expect(config.knowledge).toMatchObject({ store: 'local', maxResults: 6 });
    expect(configProblems(loadKnowledgeCliConfig, { KNOWLEDGE_STORE: 'openai' })).toEqual([
      'REDIS_URL is required',
      'OPENAI_API_KEY is required with KNOWLEDGE_STORE=openai',
    ]);
    expect(
      configProblems(loadKnowledgeCliConfig, {
        REDIS_URL: 'redis://redis:6379',
        OPENAI_BASE_URL: 'http://openai.internal/v1',
      }),
    ).toEqual([expect.stringMatching(/^OPENAI_BASE_URL must use https:\/\//)]);
  });
});
