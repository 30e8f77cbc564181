import OpenAI, { type APIError } from 'openai';
import { FakeOpenAI, realmSafeFetch } from './openai.fake';

const TOOLS: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      },
      strict: true,
    },
  },
];

async function rejectionOf(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (err) {
    return err as APIError;
  }
  throw new Error('expected the call to fail');
}

describe('FakeOpenAI /v1/chat/completions with the real openai SDK', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await new FakeOpenAI({ apiKey: 'sk-test' }).start();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0, fetch: realmSafeFetch });
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.stop());

  it('runs a tool loop: the scripted model sees tool calls and replies as items', async () => {
    fake.setModel((ctx) => {
      const output = ctx.input.find((i) => i.type === 'function_call_output');
      if (output) return { text: `It is ${String(output.output)}` };
      return { toolCalls: [{ name: 'get_weather', arguments: { city: 'Cluj' } }] };
    });
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Cluj?' },
    ];
    const first = await client.chat.completions.create({ model: 'gpt-test', messages, tools: TOOLS });
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    const call = first.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Cluj' });
    expect(first.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });

    messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny' });
    const second = await client.chat.completions.create({ model: 'gpt-test', messages, tools: TOOLS });
    expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'It is sunny' } });
    expect(fake.chatCompletions()).toHaveLength(2);
  });

  it('rejects a tool reply without its call, and a call without its reply', async () => {
    const orphan = await rejectionOf(
      client.chat.completions.create({
        model: 'gpt-test',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'tool', tool_call_id: 'call_1', content: '{}' },
        ],
      }),
    );
    expect(orphan.status).toBe(400);
    expect(orphan.message).toContain("must be a response to a preceeding message with 'tool_calls'");
    const unanswered = await rejectionOf(
      client.chat.completions.create({
        model: 'gpt-test',
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
          },
          { role: 'user', content: 'and?' },
        ],
      }),
    );
    expect(unanswered.status).toBe(400);
    expect(unanswered.message).toContain('did not have response messages: call_2');
  });

  it('bounds the output by max_completion_tokens (openai) but only by max_tokens (ollama)', async () => {
    fake.setModel(() => ({ text: 'word '.repeat(100) }));
    const ask = (extra: Record<string, number>) =>
      client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'talk' }], ...extra });
    expect((await ask({ max_completion_tokens: 16 })).choices[0].finish_reason).toBe('length');
    fake.setMode('ollama');
    expect((await ask({ max_completion_tokens: 16 })).choices[0].finish_reason).toBe('stop');
    const cut = await ask({ max_tokens: 16 });
    expect(cut.choices[0].finish_reason).toBe('length');
    expect(Object.keys(cut.usage!)).toEqual(['prompt_tokens', 'completion_tokens', 'total_tokens']);
  });

  it('vllm mode returns malformed arguments on demand; openai mode gives one call when parallel_tool_calls is false', async () => {
    const twoCalls = () => ({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Cluj' } },
        { name: 'get_weather', arguments: { city: 'Iasi' } },
      ],
    });
    fake.setModel(twoCalls);
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'weather?' }];
    const single = await client.chat.completions.create({
      model: 'gpt-test',
      messages,
      tools: TOOLS,
      parallel_tool_calls: false,
    });
    expect(single.choices[0].message.tool_calls).toHaveLength(1);
    fake.setMode('vllm').malformArgumentsNext(1);
    const bad = await client.chat.completions.create({ model: 'gpt-test', messages, tools: TOOLS });
    const args = bad.choices[0].message.tool_calls!.map(
      (c) => (c as OpenAI.Chat.ChatCompletionMessageFunctionToolCall).function.arguments,
    );
    expect(args).toHaveLength(2);
    for (const a of args) expect(() => JSON.parse(a) as unknown).toThrow();
  });
});
