import { loadSandboxConfig } from './sandbox-config';

describe('sandbox configuration', () => {
  it('defaults: page on 8080, api on 3000, loopback, the demo model, a throwaway Redis', () => {
    expect(loadSandboxConfig({})).toMatchObject({
      port: 8080,
      apiPort: 3000,
      host: '127.0.0.1',
      dataDir: '.sandbox',
      redisUrl: undefined,
      model: { kind: 'demo' },
    });
  });

  it('an OpenAI key selects OpenAI (the Responses engine unless told otherwise)', () => {
    expect(loadSandboxConfig({ OPENAI_API_KEY: 'sk-real-key-123', OPENAI_MODEL: 'gpt-5-mini' }).model).toEqual({
      kind: 'openai',
      label: 'gpt-5-mini (OpenAI)',
      workerEnv: { OPENAI_API_KEY: 'sk-real-key-123', OPENAI_MODEL: 'gpt-5-mini', ASSISTANT_ENGINE: 'responses' },
    });
  });

  it('a base URL without a key selects that server through Chat Completions (compose ollama: plain http)', () => {
    expect(loadSandboxConfig({ OPENAI_BASE_URL: 'http://ollama:11434/v1', OPENAI_MODEL: 'qwen3:4b' }).model).toEqual({
      kind: 'chat-completions',
      label: 'qwen3:4b (ollama:11434)',
      workerEnv: {
        OPENAI_BASE_URL: 'http://ollama:11434/v1',
        OPENAI_MODEL: 'qwen3:4b',
        OPENAI_SERVER_KIND: 'ollama',
        ASSISTANT_ENGINE: 'chat-completions',
        ALLOW_INSECURE_PROVIDER_URLS: 'true',
      },
    });
  });

  it('names a bad variable', () => {
    expect(() => loadSandboxConfig({ SANDBOX_PORT: 'eighty' })).toThrow(/SANDBOX_PORT/);
  });
});
