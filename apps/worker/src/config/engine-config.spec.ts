import { configProblems } from '@app/config';
import { loadWorkerConfig } from './worker-config';

const base = { REDIS_URL: 'redis://r:6379', HUBSPOT_ACCESS_TOKEN: 'pat-00000000', HUBSPOT_BOT_ACTOR_ID: 'A-1' };

describe('engine configuration', () => {
  it('defaults to the Responses engine on OpenAI', () => {
    const config = loadWorkerConfig({ ...base, OPENAI_API_KEY: 'sk-00000000' });
    expect(config.engine).toEqual({ kind: 'responses', serverKind: 'openai' });
    expect(config.chatCompletions.transcriptRetentionSeconds).toBe(30 * 86_400);
  });

  it('needs no key for a local server or a gateway, and still needs one for OpenAI and Azure', () => {
    for (const kind of ['ollama', 'vllm', 'litellm']) {
      const config = loadWorkerConfig({ ...base, ASSISTANT_ENGINE: 'chat-completions', OPENAI_SERVER_KIND: kind });
      expect(config.engine.serverKind).toBe(kind);
      expect(config.openai.apiKey).toBe('no-key-needed');
    }
    for (const kind of ['openai', 'azure']) {
      expect(configProblems(loadWorkerConfig, { ...base, OPENAI_SERVER_KIND: kind })).toEqual([
        'OPENAI_API_KEY is required',
      ]);
    }
  });

  it('refuses the Responses engine on servers without the Conversations API, and unknown kinds', () => {
    expect(configProblems(loadWorkerConfig, { ...base, OPENAI_SERVER_KIND: 'ollama' })).toEqual([
      'ASSISTANT_ENGINE must be chat-completions with OPENAI_SERVER_KIND=ollama (it has no Conversations API)',
    ]);
    expect(
      configProblems(loadWorkerConfig, { ...base, OPENAI_API_KEY: 'sk-00000000', ASSISTANT_ENGINE: 'assistants' }),
    ).toEqual(['ASSISTANT_ENGINE must be one of responses, chat-completions']);
  });
});
