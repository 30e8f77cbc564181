import OpenAI, { type APIError, type RateLimitError } from 'openai';
import { CONVERSATION_LOCKED_MESSAGE, FakeOpenAI, type ModelContext, realmSafeFetch } from './openai.fake';

const MODEL = 'gpt-test';
const INSTRUCTIONS = 'You answer HubSpot chat visitors.';
const TOOLS: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
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
  {
    type: 'function',
    name: 'get_time',
    description: 'Local time in a timezone',
    parameters: {
      type: 'object',
      properties: { tz: { type: ['string', 'null'] } },
      required: ['tz'],
      additionalProperties: false,
    },
    strict: true,
  },
];

/** Rejection of `promise`, or a failure if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

function functionCalls(response: OpenAI.Responses.Response): OpenAI.Responses.ResponseFunctionToolCall[] {
  return response.output.filter((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === 'function_call');
}

describe('FakeOpenAI with the real openai SDK', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await new FakeOpenAI({ apiKey: 'sk-test' }).start();
    // realmSafeFetch: see its doc; without it Jest turns the SDK's timeout into a plain APIConnectionError.
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0, fetch: realmSafeFetch });
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.stop());

  it('creates, retrieves and updates a conversation with metadata; rejects bad metadata and unknown ids', async () => {
    const conv = await client.conversations.create({
      metadata: { hubspot_thread_id: '7781', hubspot_portal_id: '42' },
      items: [{ type: 'message', role: 'user', content: 'Hello there' }],
    });
    expect(conv).toMatchObject({
      id: expect.stringMatching(/^conv_/),
      object: 'conversation',
      created_at: expect.any(Number),
      metadata: { hubspot_thread_id: '7781', hubspot_portal_id: '42' },
    });
    expect(await client.conversations.retrieve(conv.id)).toEqual(conv);
    expect(fake.conversation(conv.id)?.items).toEqual([
      expect.objectContaining({
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'Hello there' }],
      }),
    ]);

    const updated = await client.conversations.update(conv.id, { metadata: { hubspot_thread_id: '7782' } });
    expect(updated.metadata).toEqual({ hubspot_thread_id: '7782' });

    const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    for (const metadata of [tooMany, { ['k'.repeat(65)]: 'v' }, { k: 'v'.repeat(513) }, { k: 1 }]) {
      const err = await rejectionOf(client.conversations.create({ metadata: metadata as Record<string, string> }));
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as APIError).type).toBe('invalid_request_error');
    }
    expect(fake.conversations()).toHaveLength(1);

    const missing = await rejectionOf(client.conversations.retrieve('conv_nope'));
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as APIError).error).toEqual({
      message: "Conversation with id 'conv_nope' not found.",
      type: 'invalid_request_error',
      param: null,
      code: null,
    });

    const unauthorised = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${fake.url}/v1`, maxRetries: 0 });
    const authErr = await rejectionOf(unauthorised.conversations.retrieve(conv.id));
    expect(authErr).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((authErr as APIError).code).toBe('invalid_api_key');
  });

  it('runs a two-round tool loop with parallel function calls and keeps every item in the conversation', async () => {
    const contexts: ModelContext[] = [];
    fake.setModel((ctx) => {
      contexts.push(ctx);
      if (ctx.callIndex === 0) {
        return {
          toolCalls: [
            { name: 'get_weather', arguments: { city: 'Paris' } },
            { name: 'get_time', arguments: { tz: 'Europe/Paris' } },
          ],
        };
      }
      return { text: `Sunny, ${ctx.input.length} results` };
    });
    const conv = await client.conversations.create({ metadata: { hubspot_thread_id: 't1' } });

    const first = await client.responses.create({
      model: MODEL,
      instructions: INSTRUCTIONS,
      conversation: conv.id,
      tools: TOOLS,
      input: [{ role: 'user', content: 'Weather and time in Paris?' }],
    });
    expect(first).toMatchObject({ status: 'completed', conversation: { id: conv.id }, object: 'response' });
    expect(first.id).toMatch(/^resp_/);
    const calls = functionCalls(first);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', { tz: 'Europe/Paris' }],
    ]);
    for (const call of calls) {
      expect(call.id).toMatch(/^fc_/);
      expect(call.call_id).toMatch(/^call_/);
    }
    expect(first.output_text).toBe('');
    expect(first.usage!.total_tokens).toBe(first.usage!.input_tokens + first.usage!.output_tokens);

    const outputs: OpenAI.Responses.ResponseInputItem.FunctionCallOutput[] = calls.map((c) => ({
      type: 'function_call_output',
      call_id: c.call_id,
      output: JSON.stringify({ ok: c.name }),
    }));
    const second = await client.responses.create({
      model: MODEL,
      instructions: INSTRUCTIONS,
      conversation: { id: conv.id },
      tools: TOOLS,
      input: outputs,
    });
    expect(second.status).toBe('completed');
    expect(second.output_text).toBe('Sunny, 2 results');

    // What the model saw: the stored items, then the new input.
    expect(contexts[1].history.map((i) => i.type)).toEqual([
      'message',
      'function_call',
      'function_call',
      'function_call_output',
      'function_call_output',
    ]);
    expect(contexts[1].tools.map((t) => t.name)).toEqual(['get_weather', 'get_time']);
    expect(contexts[1].instructions).toBe(INSTRUCTIONS);

    // The exact bodies the SDK sent.
    const sent = fake.received('POST', '/v1/responses').map((r) => r.body);
    expect(sent).toEqual([
      {
        model: MODEL,
        instructions: INSTRUCTIONS,
        conversation: conv.id,
        tools: TOOLS,
        input: [{ role: 'user', content: 'Weather and time in Paris?' }],
      },
      { model: MODEL, instructions: INSTRUCTIONS, conversation: { id: conv.id }, tools: TOOLS, input: outputs },
    ]);
    expect(fake.responses().map((r) => r.id)).toEqual([first.id, second.id]);

    // Conversation items through the SDK: default order is desc; auto-pagination follows `after`.
    const stored = fake.conversation(conv.id)!.items;
    expect(stored.map((i) => i.type)).toEqual([
      'message',
      'function_call',
      'function_call',
      'function_call_output',
      'function_call_output',
      'message',
    ]);
    const newestFirst = await client.conversations.items.list(conv.id);
    expect(newestFirst.data.map((i) => i.id)).toEqual(stored.map((i) => i.id).reverse());
    expect(newestFirst.has_more).toBe(false);
    const asc: string[] = [];
    for await (const item of client.conversations.items.list(conv.id, { order: 'asc', limit: 4 })) asc.push(item.id!);
    expect(asc).toEqual(stored.map((i) => i.id));
    expect(fake.received('GET', `/v1/conversations/${conv.id}/items`).map((r) => r.query.get('after'))).toEqual([
      null,
      null,
      stored[3].id,
    ]);

    const added = await client.conversations.items.create(conv.id, {
      items: [{ type: 'message', role: 'assistant', content: 'Human agent joined.' }],
    });
    expect(added).toMatchObject({ object: 'list', has_more: false, first_id: added.data[0].id });
    const third = await client.responses.create({ model: MODEL, conversation: conv.id, input: 'thanks' });
    expect(third.output_text).toBe('Sunny, 1 results');
    expect(fake.lockViolations).toBe(0);
  });

  it('rejects a second concurrent response on one conversation with conversation_locked', async () => {
    fake.setModelLatency(150);
    const [a, b] = await Promise.all([client.conversations.create(), client.conversations.create()]);
    const started = Date.now();
    const first = client.responses.create({ model: MODEL, conversation: a.id, input: 'one' });
    // Let 'one' reach the fake first so the outcome does not depend on connection order.
    while (fake.received('POST', '/v1/responses').length === 0) await new Promise((r) => setTimeout(r, 5));
    const results = await Promise.allSettled([
      first,
      client.responses.create({ model: MODEL, conversation: a.id, input: 'two' }),
      client.responses.create({ model: MODEL, conversation: b.id, input: 'other conversation' }),
    ]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const err = (results[1] as PromiseRejectedResult).reason as APIError;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe('conversation_locked');
    expect(err.param).toBe('conversation');
    expect(err.error).toEqual({
      message: CONVERSATION_LOCKED_MESSAGE,
      type: 'invalid_request_error',
      param: 'conversation',
      code: 'conversation_locked',
    });
    expect(fake.lockViolations).toBe(1);
    // The rejected input was not appended.
    expect(fake.conversation(a.id)!.items.map((i) => i.content)).toEqual([
      [{ type: 'input_text', text: 'one' }],
      [expect.objectContaining({ type: 'output_text', text: 'You said: one' })],
    ]);

    // Serialized turns are fine.
    fake.setModelLatency(0);
    await client.responses.create({ model: MODEL, conversation: a.id, input: 'two' });
    await client.responses.create({ model: MODEL, conversation: a.id, input: 'three' });
    expect(fake.lockViolations).toBe(1);
  });

  it('enforces tool-output pairing, duplicate items and conversation xor previous_response_id', async () => {
    fake.queueTurns({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Oslo' } },
        { name: 'get_time', arguments: { tz: null } },
      ],
    });
    const conv = await client.conversations.create();
    const first = await client.responses.create({ model: MODEL, conversation: conv.id, tools: TOOLS, input: 'hi' });
    const [weather, time] = functionCalls(first);
    const itemsBefore = fake.conversation(conv.id)!.items.length;

    const bad = async (input: OpenAI.Responses.ResponseInput): Promise<APIError> => {
      const err = await rejectionOf(client.responses.create({ model: MODEL, conversation: conv.id, input }));
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      return err as APIError;
    };
    const missing = await bad([{ type: 'function_call_output', call_id: weather.call_id, output: '{}' }]);
    expect(missing.message).toBe(`400 No tool output found for function call ${time.call_id}.`);
    expect((await bad([{ role: 'user', content: 'ignore the tools' }])).message).toContain(
      'No tool output found for function call call_',
    );
    const unknown = await bad([
      { type: 'function_call_output', call_id: weather.call_id, output: '{}' },
      { type: 'function_call_output', call_id: time.call_id, output: '{}' },
      { type: 'function_call_output', call_id: 'call_unknown', output: '{}' },
    ]);
    expect(unknown.message).toBe('400 No tool call found for function call output with call_id call_unknown.');
    const duplicate = await bad([
      weather,
      { type: 'function_call_output', call_id: weather.call_id, output: '{}' },
      { type: 'function_call_output', call_id: time.call_id, output: '{}' },
    ]);
    expect(duplicate.message).toContain(`Duplicate item found with id ${weather.id}`);
    expect(fake.conversation(conv.id)!.items).toHaveLength(itemsBefore);

    const exclusive = await rejectionOf(
      client.responses.create({ model: MODEL, conversation: conv.id, previous_response_id: first.id, input: 'x' }),
    );
    expect(exclusive).toBeInstanceOf(OpenAI.BadRequestError);
    const unknownConv = await rejectionOf(
      client.responses.create({ model: MODEL, conversation: 'conv_x', input: 'x' }),
    );
    expect(unknownConv).toBeInstanceOf(OpenAI.NotFoundError);
    const looseSchema = await rejectionOf(
      client.responses.create({
        model: MODEL,
        input: 'x',
        tools: [{ ...TOOLS[0], parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      }),
    );
    expect((looseSchema as APIError).code).toBe('invalid_function_parameters');
    expect(fake.responses()).toHaveLength(1);
  });

  it('maps injected faults to the SDK error classes', async () => {
    fake.rateLimitNext(1, 2);
    const limited = await rejectionOf(client.responses.create({ model: MODEL, input: 'hi' }));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    const rl = limited as RateLimitError;
    expect(rl.code).toBe('rate_limit_exceeded');
    expect(rl.headers.get('retry-after')).toBe('2');
    expect(rl.headers.get('retry-after-ms')).toBe('2000');
    expect(rl.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(rl.requestID).toMatch(/^req_/);

    fake.quotaExceededNext();
    const quota = await rejectionOf(client.responses.create({ model: MODEL, input: 'hi' }));
    expect(quota).toBeInstanceOf(OpenAI.RateLimitError);
    expect((quota as APIError).code).toBe('insufficient_quota');
    expect((quota as APIError).type).toBe('insufficient_quota');

    fake.serverErrorNext(503);
    const overloaded = await rejectionOf(client.responses.create({ model: MODEL, input: 'hi' }));
    expect(overloaded).toBeInstanceOf(OpenAI.InternalServerError);
    expect((overloaded as APIError).status).toBe(503);

    fake.hangNext();
    const hung = await rejectionOf(client.responses.create({ model: MODEL, input: 'hi' }, { timeout: 100 }));
    expect(hung).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);

    const ok = await client.responses.create({ model: MODEL, input: 'hi' });
    expect(ok.output_text).toBe('You said: hi');
    expect(fake.received('POST', '/v1/responses')).toHaveLength(5);
  });

  it('scripts incomplete, failed and cancelled turns and malformed tool arguments', async () => {
    const conv = await client.conversations.create();
    fake.queueTurns(
      { status: 'incomplete', reason: 'max_output_tokens', text: 'Partial ans' },
      { status: 'failed', error: { code: 'server_error', message: 'boom' } },
      { status: 'cancelled' },
      { toolCalls: [{ name: 'get_weather', arguments: '{"city": ' }] },
    );
    const incomplete = await client.responses.create({ model: MODEL, conversation: conv.id, input: 'a' });
    expect(incomplete).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(incomplete.output_text).toBe('Partial ans');
    expect(fake.conversation(conv.id)!.items).toHaveLength(2);

    const failed = await client.responses.create({ model: MODEL, conversation: conv.id, input: 'b' });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'boom' }, output: [] });
    const cancelled = await client.responses.create({ model: MODEL, conversation: conv.id, input: 'c' });
    expect(cancelled.status).toBe('cancelled');
    expect(fake.conversation(conv.id)!.items).toHaveLength(2);

    const malformed = await client.responses.create({ model: MODEL, conversation: conv.id, tools: TOOLS, input: 'd' });
    expect(functionCalls(malformed)[0].arguments).toBe('{"city": ');

    // Text longer than max_output_tokens is cut off like the real model.
    fake.queueTurns({ text: 'x'.repeat(200) });
    const cut = await client.responses.create({ model: MODEL, input: 'e', max_output_tokens: 16 });
    expect(cut.status).toBe('incomplete');
    expect(cut.output_text).toHaveLength(64);
  });

  it('stores responses for retrieval and tags every answer with x-request-id', async () => {
    const { data, request_id } = await client.responses
      .create({ model: MODEL, input: 'hello', metadata: { hubspot_thread_id: 't9' }, safety_identifier: 'v-hash' })
      .withResponse();
    expect(request_id).toMatch(/^req_/);
    expect(data.output_text).toBe('You said: hello');
    expect(data.conversation).toBeNull();
    const again = await client.responses.retrieve(data.id);
    expect(again).toMatchObject({ id: data.id, status: 'completed', metadata: { hubspot_thread_id: 't9' } });

    const chained = await client.responses.create({ model: MODEL, previous_response_id: data.id, input: 'again' });
    expect(chained.output_text).toBe('You said: again');

    const notFound = await rejectionOf(client.responses.retrieve('resp_missing'));
    expect(notFound).toBeInstanceOf(OpenAI.NotFoundError);
    expect((notFound as APIError).requestID).toMatch(/^req_/);

    const count = await client.responses.inputTokens.count({ model: MODEL, input: 'hello' });
    expect(count.input_tokens).toBeGreaterThan(0);
  });
});
