import { promptCacheKey, requestExtras, sendableArguments } from './server-quirks';

const ids = { safetyId: 'abc', cacheKey: 'thread-1' };

describe('request extras per server kind', () => {
  it('Ollama gets max_tokens (the only bound it reads) and nothing it ignores', () => {
    expect(requestExtras('ollama', 512, ids)).toEqual({ max_tokens: 512, max_completion_tokens: 512 });
  });

  it('OpenAI gets max_completion_tokens only, parallel calls, and its own abuse and cache ids', () => {
    expect(requestExtras('openai', 512, ids)).toEqual({
      max_completion_tokens: 512,
      parallel_tool_calls: true,
      tool_choice: 'auto',
      safety_identifier: 'abc',
      prompt_cache_key: 'thread-1',
    });
  });

  it.each(['azure', 'vllm', 'litellm'] as const)('%s gets the standard fields, no OpenAI-only ids', (kind) => {
    expect(requestExtras(kind, 512, ids)).toEqual({
      max_completion_tokens: 512,
      parallel_tool_calls: true,
      tool_choice: 'auto',
    });
  });

  it('sends arguments back as JSON, and a stable cache key per thread without its ids', () => {
    expect(sendableArguments('{"cui":"1"}')).toBe('{"cui":"1"}');
    expect(sendableArguments('{"cui": "1", "fields": [')).toBe('{}');
    expect(promptCacheKey('42', '7001')).toBe(promptCacheKey('42', '7001'));
    expect(promptCacheKey('42', '7001')).not.toContain('7001');
    expect(promptCacheKey('42', '7001')).not.toBe(promptCacheKey('42', '7002'));
  });
});
