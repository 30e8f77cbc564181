import { randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeResponse, type RecordedRequest } from '../../../../test/fakes/fake-http-server';
import { DEMO_LABEL, decide, textOf, type ChatMessage, type ToolSpec } from './demo-script';

export const DEMO_MODEL_NAME = 'sandbox-demo-scripted';

const error = (status: number, message: string, param: string | null = null): FakeResponse => ({
  status,
  body: { error: { message, type: 'invalid_request_error', param, code: null } },
});

/** Roughly 4 characters a token: the demo reports plausible usage so budgets and costs show numbers. */
const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

/**
 * The sandbox's built-in model: `POST /v1/chat/completions` (OpenAI's wire format, reference/openai.md
 * §4) answered by a script (demo-script.ts), no network, no weights. `GET /v1/models` lists it.
 * Every completion says what it is: `model` is `sandbox-demo-scripted`, and `system_fingerprint`
 * carries the label the chat page shows.
 */
export class DemoModelServer extends FakeHttpServer {
  constructor() {
    super('demo-model');
    this.route('POST', '/v1/chat/completions', (req) => this.complete(req));
    this.route('GET', '/v1/models', () => ({
      status: 200,
      body: { object: 'list', data: [{ id: DEMO_MODEL_NAME, object: 'model', owned_by: 'sandbox' }] },
    }));
  }

  /** The worker's OPENAI_* variables for this server. */
  workerEnv(): Record<string, string> {
    return {
      ASSISTANT_ENGINE: 'chat-completions',
      // A keyless OpenAI-compatible server, as a gateway would be.
      OPENAI_SERVER_KIND: 'litellm',
      OPENAI_BASE_URL: `${this.url}/v1`,
      OPENAI_MODEL: DEMO_MODEL_NAME,
    };
  }

  private complete(req: RecordedRequest): FakeResponse {
    const body = req.body as { messages?: unknown; tools?: unknown; stream?: unknown } | undefined;
    if (!body || !Array.isArray(body.messages) || body.messages.length === 0) {
      return error(400, "Invalid 'messages': expected a non-empty array.", 'messages');
    }
    if (body.stream === true) return error(400, 'The demo model does not stream.', 'stream');
    const messages = body.messages as ChatMessage[];
    const tools: ToolSpec[] = (Array.isArray(body.tools) ? body.tools : [])
      .map((t: { function?: ToolSpec }) => t.function)
      .filter((f): f is ToolSpec => typeof f?.name === 'string');
    const decision = decide(messages, tools);
    const prompt = tokens(messages.map(textOf).join('\n')) + tokens(JSON.stringify(tools));
    const message =
      'text' in decision
        ? { role: 'assistant', content: decision.text, refusal: null }
        : {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: decision.calls.map((c) => ({
              id: `call_${randomBytes(8).toString('hex')}`,
              type: 'function',
              function: { name: c.name, arguments: JSON.stringify(c.args) },
            })),
          };
    const completion = tokens(JSON.stringify(message));
    return {
      status: 200,
      body: {
        id: `chatcmpl-${randomBytes(12).toString('hex')}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: DEMO_MODEL_NAME,
        system_fingerprint: DEMO_LABEL,
        choices: [{ index: 0, message, finish_reason: 'text' in decision ? 'stop' : 'tool_calls', logprobs: null }],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      },
    };
  }
}
