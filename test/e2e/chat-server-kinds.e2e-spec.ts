import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_ANSWER_TEXT } from '../../apps/worker/src/engines/answer-texts';
import type { FakeItem } from '../fakes/openai.fake';
import { SystemHarness } from '../support/system-harness';
import { repliesIn, visitorSays } from '../support/visitor-turns';

const outputs = (items: readonly FakeItem[]) => items.filter((i) => i.type === 'function_call_output');
type ChatBody = { messages: { role: string; tool_calls?: { function: { arguments: string } }[] }[] };

// The Chat Completions engine against the fake's server modes: each quirk named in
// ../shared/reference/openai.md §4 changes what the worker must send or accept.
describe('Chat Completions engine: Ollama quirks (keyless, max_tokens only, tool calls ending in stop)', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({
      engine: 'chat-completions',
      serverKind: 'ollama',
      listaFirme: false,
      workerEnv: { OPENAI_MAX_OUTPUT_TOKENS: '64' },
    });
    h.anaf.seed({ cui: 14837428, denumire: 'BORG DESIGN SRL', stare_inregistrare: 'INREGISTRAT' });
  });
  afterAll(() => h.stop());

  it('bounds the output with max_tokens, leaves out what Ollama ignores, and runs a tool call ended by stop', async () => {
    h.openai.setModel((ctx) =>
      outputs(ctx.input).length > 0
        ? { text: `Found: ${String(outputs(ctx.input)[0].output)}` }
        : { toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: ['Name'] } }] },
    );
    const turn = await visitorSays(h, 'Who is 14837428?');
    expect(turn.job.returnvalue).toMatchObject({ status: 'answered', fallback: false });
    expect(repliesIn(h, turn.threadId)).toEqual([expect.stringContaining('BORG DESIGN SRL')]);
    const [first, second] = h.openai.chatCompletions();
    expect(first.completion.choices).toEqual([expect.objectContaining({ finish_reason: 'stop' })]);
    expect(first.body).toMatchObject({ max_tokens: 64 });
    for (const field of ['parallel_tool_calls', 'tool_choice', 'prompt_cache_key', 'safety_identifier']) {
      expect(first.body).not.toHaveProperty(field);
    }
    expect((second.body as ChatBody).messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
  });

  it('a malformed tool argument is answered with a tool error, and the turn completes', async () => {
    h.openai.malformArgumentsNext(1);
    h.openai.setModel((ctx) =>
      outputs(ctx.input).length > 0
        ? { text: `The lookup said: ${String(outputs(ctx.input)[0].output)}` }
        : { toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: ['Name'] } }] },
    );
    const turn = await visitorSays(h, 'And 14837428 again?');
    expect(turn.job.returnvalue).toMatchObject({ status: 'answered', fallback: false });
    expect(repliesIn(h, turn.threadId)).toEqual(['The lookup said: {"error":"arguments are not valid JSON"}']);
  });

  it('a long answer is cut at max_tokens (finish_reason length): the visitor gets the short fallback', async () => {
    h.openai.setModel(() => ({ text: 'word '.repeat(200) }));
    const turn = await visitorSays(h, 'Tell me everything');
    expect(turn.job.returnvalue).toMatchObject({ status: 'answered', fallback: true });
    expect(repliesIn(h, turn.threadId)).toEqual([NO_ANSWER_TEXT]);
  });
});

describe('Chat Completions engine: vLLM quirks (malformed tool arguments)', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({ engine: 'chat-completions', serverKind: 'vllm', listaFirme: false });
  });
  afterAll(() => h.stop());

  it('a malformed argument is answered with a tool error the model reads, and the turn completes', async () => {
    h.openai.malformArgumentsNext(1);
    h.openai.setModel((ctx) =>
      outputs(ctx.input).length > 0
        ? { text: `The lookup said: ${String(outputs(ctx.input)[0].output)}` }
        : { toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: ['Name'] } }] },
    );
    const turn = await visitorSays(h, 'Who is 14837428?');
    expect(repliesIn(h, turn.threadId)).toEqual(['The lookup said: {"error":"arguments are not valid JSON"}']);
    expect(h.anaf.requests).toHaveLength(0); // nothing ran on garbage
    // The call goes back with JSON arguments, so the server can render it in the next request.
    const [, second] = h.openai.chatCompletions();
    const assistant = (second.body as ChatBody).messages.find((m) => m.tool_calls);
    expect(assistant!.tool_calls![0].function.arguments).toBe('{}');
    expect(second.body).toMatchObject({ max_completion_tokens: 1024, parallel_tool_calls: true });
    expect(second.body).not.toHaveProperty('max_tokens');
  });
});

describe('Chat Completions engine: the history bound of the profile', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'profiles-')), 'profiles.json');
    writeFileSync(file, JSON.stringify({ support: { history: { messages: 3, tokens: 800 } } }));
    h = await SystemHarness.start({ engine: 'chat-completions', workerEnv: { PROFILES_FILE: file } });
  });
  afterAll(() => h.stop());

  it('sends the instructions, the newest earlier messages within the bound, and the whole current turn', async () => {
    h.openai.setModel((ctx) => ({ text: `re ${ctx.callIndex}` }));
    const first = await visitorSays(h, 'one');
    await visitorSays(h, 'two', { threadId: first.threadId });
    await visitorSays(h, 'three', { threadId: first.threadId });
    const last = h.openai.chatCompletions().at(-1)!.body as { messages: { role: string; content: string }[] };
    // The bound is 3 earlier messages: the newest three go; 'one' would be a fourth.
    expect(last.messages.map((m) => `${m.role}:${m.content.slice(0, 5)}`)).toEqual([
      expect.stringMatching(/^system:/),
      'assistant:re 0',
      'user:two',
      'assistant:re 1',
      'user:three',
    ]);
  });
});
