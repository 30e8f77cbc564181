import type { FakeItem, FakeToolCall, ModelTurn } from './openai.fake';
import { checkTools, hex, invalidType, isObject, OpenAIHttpError, tokens } from './openai.fake';

/**
 * `POST /v1/chat/completions` for FakeOpenAI (../shared/reference/openai.md §4): the same scriptable
 * model as the Responses endpoint sees the messages as items (user and assistant messages,
 * `function_call` for each tool call, `function_call_output` for each tool reply), so one script
 * drives both engines. The server's modes are the quirks of the servers the engine supports:
 * - `openai` (also what Azure's v1 route and LiteLLM answer): `max_completion_tokens` bounds the output,
 *   `parallel_tool_calls: false` gives at most one call, full usage details;
 * - `ollama`: only `max_tokens` bounds the output; `max_completion_tokens`, `parallel_tool_calls` and
 *   `tool_choice` are ignored; tool calls end with `finish_reason: "stop"`; usage has three counts;
 * - `vllm`: like openai, three usage counts, and `malformArgumentsNext` makes argument text invalid JSON.
 */
export type ChatServerMode = 'openai' | 'ollama' | 'vllm';

export interface ChatRequestView {
  history: FakeItem[];
  /** Items since the model last spoke (the new user message, or the tool replies). */
  input: FakeItem[];
  tools: Record<string, unknown>[];
  instructions: string | null;
}

const item = (type: string, fields: Record<string, unknown>): FakeItem => ({ id: `item_${hex(12)}`, type, ...fields });
const text = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((p: unknown) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('')
      : '';

/** Validates a chat request as OpenAI does (the tool-pairing rules included) and views it as items. */
export function viewChatRequest(body: Record<string, unknown>): ChatRequestView {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new OpenAIHttpError(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  }
  if (body.stream === true) throw new OpenAIHttpError(400, "FakeOpenAI does not support 'stream: true'.", 'stream');
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new OpenAIHttpError(400, "Invalid 'messages': empty array.", 'messages', 'empty_array');
  }
  const history: FakeItem[] = [];
  const instructions: string[] = [];
  let lastModelItem = -1;
  let awaiting: string[] = [];
  messages.forEach((raw: unknown, i) => {
    const at = `messages[${i}]`;
    if (!isObject(raw)) throw invalidType(at, 'an object', raw);
    if (raw.role !== 'tool' && awaiting.length > 0) throw unanswered(awaiting);
    switch (raw.role) {
      case 'system':
      case 'developer':
        instructions.push(text(raw.content));
        return;
      case 'user':
        history.push(item('message', { role: 'user', content: [{ type: 'input_text', text: text(raw.content) }] }));
        return;
      case 'assistant': {
        if (raw.content != null && text(raw.content) !== '') {
          history.push(
            item('message', { role: 'assistant', content: [{ type: 'output_text', text: text(raw.content) }] }),
          );
        }
        const calls = Array.isArray(raw.tool_calls) ? (raw.tool_calls as unknown[]) : [];
        for (const [j, call] of calls.entries()) {
          const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
          if (!isObject(call) || typeof call.id !== 'string' || !fn || typeof fn.name !== 'string') {
            throw invalidType(`${at}.tool_calls[${j}]`, 'a function tool call with id and name', call);
          }
          history.push(item('function_call', { call_id: call.id, name: fn.name, arguments: fn.arguments }));
        }
        awaiting = calls.map((c) => (c as { id: string }).id);
        lastModelItem = history.length - 1;
        return;
      }
      case 'tool': {
        if (typeof raw.tool_call_id !== 'string' || !awaiting.includes(raw.tool_call_id)) {
          throw new OpenAIHttpError(
            400,
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
            `${at}.role`,
          );
        }
        awaiting = awaiting.filter((id) => id !== raw.tool_call_id);
        history.push(item('function_call_output', { call_id: raw.tool_call_id, output: text(raw.content) }));
        return;
      }
      default:
        throw new OpenAIHttpError(400, `Invalid value: '${String(raw.role)}'.`, `${at}.role`, 'invalid_value');
    }
  });
  if (awaiting.length > 0) throw unanswered(awaiting);
  const tools = chatTools(body.tools);
  return { history, input: history.slice(lastModelItem + 1), tools, instructions: instructions.join('\n') || null };
}

function unanswered(ids: string[]): OpenAIHttpError {
  return new OpenAIHttpError(
    400,
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${ids.join(', ')}`,
    'messages',
  );
}

/** `[{type:'function', function:{…}}]` checked like the Responses tools, and returned flat. */
function chatTools(tools: unknown): Record<string, unknown>[] {
  if (tools == null) return [];
  if (!Array.isArray(tools)) throw invalidType('tools', 'an array', tools);
  const flat = tools.map((t: unknown, i) => {
    if (!isObject(t) || t.type !== 'function' || !isObject(t.function)) {
      throw invalidType(`tools[${i}]`, 'a function tool', t);
    }
    return { type: 'function', ...t.function };
  });
  checkTools(flat);
  return flat;
}

export interface ChatBuildOptions {
  mode: ChatServerMode;
  /** Make the arguments of this response's tool calls invalid JSON (vLLM's parser on a bad day). */
  malform: boolean;
}

/** The completion for a scripted turn, shaped as the mode's server answers. */
export function buildChatCompletion(
  body: Record<string, unknown>,
  turn: ModelTurn,
  view: ChatRequestView,
  options: ChatBuildOptions,
): Record<string, unknown> {
  const { mode } = options;
  if ('status' in turn && (turn.status === 'failed' || turn.status === 'cancelled')) {
    // Chat Completions has no failed or cancelled response: the server answers with an error.
    throw new OpenAIHttpError(
      500,
      'The server had an error while processing your request.',
      null,
      null,
      'server_error',
    );
  }
  const limit = mode === 'ollama' ? body.max_tokens : (body.max_completion_tokens ?? body.max_tokens);
  const maxTokens = typeof limit === 'number' ? limit : Infinity;
  let finish = 'stop';
  let content: string | null = null;
  let calls: FakeToolCall[] = [];
  if ('status' in turn) {
    finish = turn.reason === 'max_output_tokens' ? 'length' : 'content_filter';
    content = turn.text ?? null;
  } else {
    content = turn.text ?? null;
    calls =
      mode !== 'ollama' && body.parallel_tool_calls === false
        ? (turn.toolCalls ?? []).slice(0, 1)
        : (turn.toolCalls ?? []);
    if (content !== null && tokens(content) > maxTokens) {
      finish = 'length';
      content = content.slice(0, maxTokens * 4);
      calls = [];
    } else if (calls.length > 0) {
      finish = mode === 'ollama' ? 'stop' : 'tool_calls';
    }
  }
  const toolCalls = calls.map((c) => {
    const args = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
    return {
      id: c.callId ?? (mode === 'ollama' ? `call_${hex(4)}` : `call_${hex(12)}`),
      type: 'function',
      function: { name: c.name, arguments: options.malform ? args.slice(0, -1) : args },
    };
  });
  const promptTokens = tokens(view.instructions ?? '') + tokens(view.history) + tokens(view.tools);
  const completionTokens = tokens(content ?? '') + tokens(toolCalls);
  const counts = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  return {
    id: `chatcmpl-${hex(14)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}), refusal: null },
        finish_reason: finish,
        logprobs: null,
      },
    ],
    usage:
      mode === 'openai'
        ? {
            ...counts,
            prompt_tokens_details: { cached_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0 },
          }
        : counts,
    ...(mode === 'openai' ? { service_tier: 'default', system_fingerprint: `fp_${hex(5)}` } : {}),
  };
}

/** Chat messages (a request's, or a transcript's) as the items the scripted model and the tests read. */
export function chatItems(messages: readonly Record<string, unknown>[]): FakeItem[] {
  return messages.flatMap((m): FakeItem[] => {
    if (m.role === 'user')
      return [item('message', { role: 'user', content: [{ type: 'input_text', text: text(m.content) }] })];
    if (m.role === 'tool') return [item('function_call_output', { call_id: m.tool_call_id, output: text(m.content) })];
    if (m.role !== 'assistant') return [];
    const said =
      m.content != null && text(m.content) !== ''
        ? [item('message', { role: 'assistant', content: [{ type: 'output_text', text: text(m.content) }] })]
        : [];
    const calls = Array.isArray(m.tool_calls)
      ? (m.tool_calls as { id: string; function: Record<string, unknown> }[])
      : [];
    return [
      ...said,
      ...calls.map((c) =>
        item('function_call', { call_id: c.id, name: c.function.name, arguments: c.function.arguments }),
      ),
    ];
  });
}
