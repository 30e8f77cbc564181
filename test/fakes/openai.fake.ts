import { randomBytes } from 'node:crypto';
import { type Fault, type FakeResponse, FakeHttpServer, type RecordedRequest } from './fake-http-server';
import { buildChatCompletion, type ChatServerMode, viewChatRequest } from './openai-chat.fake';
import { FakeVectorStores } from './openai-vector-stores.fake';

/**
 * In-process fake of the OpenAI Responses + Conversations APIs (see shared/reference/openai.md), spoken to by
 * the real `openai` SDK: `new OpenAI({ apiKey: 'test', baseURL: fake.url + '/v1', maxRetries: 0 })`.
 *
 * - Conversations: create / retrieve / update / delete, items create / list / retrieve / delete.
 * - Responses: create (non-streaming, foreground), retrieve, delete, input_tokens. The reply comes from a
 *   scriptable model (`setModel`, `queueTurns`); the default one echoes the user or summarises tool outputs.
 * - Server rules a client must respect: one response at a time per conversation (`conversation_locked`),
 *   every pending function call answered, no duplicate item ids, `conversation` xor `previous_response_id`,
 *   metadata limits, strict function schemas.
 * - Faults: inherited `inject`, plus `rateLimitNext`, `quotaExceededNext`, `serverErrorNext`, `hangNext`.
 *   Every answer (faults included) carries an `x-request-id` header.
 */

/** A conversation / response item as the fake stores it (always with an id). */
export interface FakeItem {
  id: string;
  type: string;
  [key: string]: unknown;
}

export interface FakeConversation {
  id: string;
  created_at: number;
  metadata: Record<string, string>;
  /** Items in creation order (oldest first). */
  items: FakeItem[];
  deleted: boolean;
}

export interface FakeToolCall {
  name: string;
  /** An object is JSON-stringified; a string is sent as is (malformed JSON included). */
  arguments: object | string;
  /** Defaults to a fresh `call_…`. */
  callId?: string;
}

export type ModelTurn =
  | { text: string; toolCalls?: FakeToolCall[] }
  | { toolCalls: FakeToolCall[]; text?: string }
  | { status: 'incomplete'; reason: 'max_output_tokens' | 'content_filter'; text?: string }
  | { status: 'failed'; error: { code: string; message: string } }
  | { status: 'cancelled' };

export interface ModelContext {
  /** The request body as sent. */
  request: Record<string, unknown>;
  conversationId: string | null;
  /** Every item the model sees: stored conversation (or previous response) items, then the new input. */
  history: readonly FakeItem[];
  /** The new input items of this request (ids assigned). */
  input: readonly FakeItem[];
  /** `tools` as sent (empty when none). */
  tools: readonly Record<string, unknown>[];
  instructions: string | null;
  /** 0-based count of model calls since start / reset. */
  callIndex: number;
}

export type FakeModel = (ctx: ModelContext) => ModelTurn | Promise<ModelTurn>;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface FakeResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: 'completed' | 'incomplete' | 'failed' | 'cancelled';
  [key: string]: unknown;
  output: FakeItem[];
  usage: ResponseUsage;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  conversation: { id: string } | null;
}

/** One `POST /v1/responses` that produced a response (4xx rejections are not listed; see `received`). */
export interface RecordedResponse {
  id: string;
  conversationId: string | null;
  body: Record<string, unknown>;
  response: FakeResponseObject;
}

export type RequestMatcher = (req: RecordedRequest) => boolean;

export interface FakeOpenAIOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get 401 invalid_api_key. */
  apiKey?: string;
  /** Which server's quirks `/v1/chat/completions` has (default `openai`); see openai-chat.fake.ts. */
  mode?: ChatServerMode;
}

/** One `POST /v1/chat/completions` that produced a completion; `conversationId` is its `prompt_cache_key`. */
export interface RecordedChatCompletion {
  id: string;
  conversationId: string | null;
  body: Record<string, unknown>;
  completion: Record<string, unknown>;
}

/** A model call of either API, as the engine-neutral tests count them. */
export interface RecordedModelCall {
  conversationId: string | null;
  body: Record<string, unknown>;
}

export const CONVERSATION_LOCKED_MESSAGE =
  'Another process is currently operating on this conversation. Please retry in a few seconds.';

export class OpenAIHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
  }
}

interface StoredResponse {
  object: FakeResponseObject;
  /** history + output, for `previous_response_id` chaining. */
  context: FakeItem[];
}

export const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const newId = (prefix: string): string => `${prefix}_${hex(24)}`;
const newRequestId = (): string => `req_${hex(16)}`;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
export const tokens = (value: unknown): number =>
  Math.ceil((typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).length / 4);
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function rateLimitHeaders(remainingRequests = 499): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': '500',
    'x-ratelimit-remaining-requests': String(remainingRequests),
    'x-ratelimit-reset-requests': remainingRequests > 0 ? '120ms' : '1s',
    'x-ratelimit-limit-tokens': '30000',
    'x-ratelimit-remaining-tokens': remainingRequests > 0 ? '29000' : '0',
    'x-ratelimit-reset-tokens': remainingRequests > 0 ? '2ms' : '1s',
  };
}

function errorBody(message: string, type: string, param: string | null, code: string | null) {
  return { error: { message, type, param, code } };
}

/** Adds an `x-request-id` (fresh per answer) unless the response sets one. */
function withRequestId(r: FakeResponse): FakeResponse {
  const headers: Record<string, string> = { ...r.headers };
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'x-request-id')) {
    Object.defineProperty(headers, 'x-request-id', { enumerable: true, get: newRequestId });
  }
  return { ...r, headers };
}

/** Text of a message item's content (string or parts). */
export function itemText(item: FakeItem | undefined): string {
  const content = item?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

/**
 * `fetch` for SDK clients created inside Jest. Jest runs tests in a separate VM realm, so the `DOMException`
 * (AbortError) that Node's fetch throws on the SDK's timeout is not `instanceof Error` there; the SDK's
 * `castToError` then loses its name and reports `APIConnectionError` instead of `APIConnectionTimeoutError`.
 * This wrapper re-throws such errors as local `Error`s with name and cause kept. Plain Node needs no wrapper.
 * Usage: `new OpenAI({ apiKey, baseURL, maxRetries: 0, fetch: realmSafeFetch })`.
 */
export const realmSafeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  try {
    return await fetch(input, init);
  } catch (err) {
    if (err instanceof Error || typeof err !== 'object' || err === null) throw err;
    const foreign = err as { name?: unknown; message?: unknown; cause?: unknown };
    const local = new Error(typeof foreign.message === 'string' ? foreign.message : 'fetch failed', {
      cause: foreign.cause ?? err,
    });
    if (typeof foreign.name === 'string') local.name = foreign.name;
    throw local;
  }
};

/** The default model: echoes the last user message, or summarises the tool outputs it was given. */
export const defaultModel: FakeModel = (ctx) => {
  const outputs = ctx.input.filter((i) => i.type === 'function_call_output');
  if (outputs.length > 0) {
    const summary = outputs
      .map((o) => {
        const call = ctx.history.find((i) => i.type === 'function_call' && i.call_id === o.call_id);
        const output = typeof o.output === 'string' ? o.output : JSON.stringify(o.output);
        return `${typeof call?.name === 'string' ? call.name : String(o.call_id)}: ${output}`;
      })
      .join('; ');
    return { text: `Tool results: ${summary}` };
  }
  const last = ctx.input[ctx.input.length - 1];
  if (last?.type === 'message' && last.role === 'user') return { text: `You said: ${itemText(last)}` };
  return { text: 'OK' };
};

export class FakeOpenAI extends FakeHttpServer {
  /** Matches every request (the default target of the fault helpers). */
  static readonly anyRequest: RequestMatcher = () => true;
  /** Matches `POST /v1/responses`. */
  static readonly createResponse: RequestMatcher = (r) => r.method === 'POST' && r.path === '/v1/responses';
  /** Matches `POST /v1/chat/completions`. */
  static readonly createChatCompletion: RequestMatcher = (r) =>
    r.method === 'POST' && r.path === '/v1/chat/completions';
  /** Matches a model call of either engine (`/v1/responses` or `/v1/chat/completions`). */
  static readonly modelCall: RequestMatcher = (r) => FakeOpenAI.createResponse(r) || FakeOpenAI.createChatCompletion(r);
  /** Matches every `/v1/conversations…` request. */
  static readonly conversationsApi: RequestMatcher = (r) => r.path.startsWith('/v1/conversations');

  private readonly convs = new Map<string, FakeConversation>();
  private readonly stored = new Map<string, StoredResponse>();
  private readonly created: RecordedResponse[] = [];
  private readonly inFlight = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly turnQueue: ModelTurn[] = [];
  private model: FakeModel = defaultModel;
  private modelLatencyMs = 0;
  private modelCallCount = 0;
  private violations = 0;
  private readonly apiKey?: string;
  private readonly chatCreated: RecordedChatCompletion[] = [];
  private readonly defaultMode: ChatServerMode;
  private mode: ChatServerMode;
  private malformNext = 0;
  /** Files, vector stores, file batches and vector-store search (openai-vector-stores.fake.ts). */
  readonly vectorStores: FakeVectorStores;

  constructor(options: FakeOpenAIOptions = {}) {
    super('openai');
    this.apiKey = options.apiKey;
    this.defaultMode = options.mode ?? 'openai';
    this.mode = this.defaultMode;

    this.api('POST', '/v1/conversations', (req) => this.createConversation(req));
    this.api('GET', '/v1/conversations/:id', (_req, p) => this.publicConversation(this.mustConversation(p.id)));
    this.api('POST', '/v1/conversations/:id', (req, p) => this.updateConversation(req, p.id));
    this.api('DELETE', '/v1/conversations/:id', (_req, p) => {
      this.mustConversation(p.id).deleted = true;
      return { id: p.id, object: 'conversation.deleted', deleted: true };
    });
    this.api('POST', '/v1/conversations/:id/items', (req, p) => this.addItems(req, p.id));
    this.api('GET', '/v1/conversations/:id/items', (req, p) => this.listItems(req, p.id));
    this.api('GET', '/v1/conversations/:id/items/:item', (_req, p) => this.mustItem(p.id, p.item));
    this.api('DELETE', '/v1/conversations/:id/items/:item', (_req, p) => {
      const conv = this.mustConversation(p.id);
      const item = this.mustItem(p.id, p.item);
      conv.items.splice(conv.items.indexOf(item), 1);
      return this.publicConversation(conv);
    });

    this.api('POST', '/v1/chat/completions', (req) => this.createChatCompletion(req));
    this.api('POST', '/v1/responses/input_tokens', (req) => this.countInputTokens(req));
    this.api('POST', '/v1/responses', (req) => this.createResponse(req));
    this.api('GET', '/v1/responses/:id', (_req, p) => this.mustResponse(p.id).object);
    this.api('DELETE', '/v1/responses/:id', (_req, p) => {
      this.mustResponse(p.id);
      this.stored.delete(p.id);
      return { id: p.id, object: 'response', deleted: true };
    });
    this.vectorStores = new FakeVectorStores((method, template, handler) => this.api(method, template, handler));
  }

  // ---------------------------------------------------------------- scripting

  /** Decide every following reply (until `reset`). Queued turns (`queueTurns`) take precedence. */
  setModel(model: FakeModel): this {
    this.model = model;
    return this;
  }

  /** Replies for the next model calls, in order; after they run out, the model set by `setModel` answers. */
  queueTurns(...turns: ModelTurn[]): this {
    this.turnQueue.push(...turns);
    return this;
  }

  /** The chat endpoint answers as this server kind does (until `reset`, which restores the constructor's). */
  setMode(mode: ChatServerMode): this {
    this.mode = mode;
    return this;
  }

  /** The next `times` chat completions with tool calls carry arguments that are not valid JSON (vLLM). */
  malformArgumentsNext(times = 1): this {
    this.malformNext += times;
    return this;
  }

  /** Delay only `POST /v1/responses`, while the conversation is locked (on top of `setLatency`). */
  setModelLatency(ms: number): this {
    this.modelLatencyMs = ms;
    return this;
  }

  // ---------------------------------------------------------------- faults

  /** Adds a fresh `x-request-id` to injected answers that do not set one. */
  override inject(fault: Omit<Fault, 'times'> & { times?: number }): this {
    return super.inject({
      ...fault,
      respond: typeof fault.respond === 'string' ? fault.respond : withRequestId(fault.respond),
    });
  }

  /** 429 `rate_limit_exceeded` with `retry-after`, `retry-after-ms` and exhausted `x-ratelimit-*` headers. */
  rateLimitNext(times = 1, retryAfterSeconds = 1, match: RequestMatcher = FakeOpenAI.anyRequest): this {
    const seconds = Math.max(0, retryAfterSeconds);
    return this.inject({
      match,
      times,
      respond: {
        status: 429,
        headers: {
          ...rateLimitHeaders(0),
          'retry-after': String(Math.ceil(seconds)),
          'retry-after-ms': String(Math.round(seconds * 1000)),
        },
        body: errorBody(
          `Rate limit reached for requests in organization org-fake on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${seconds}s.`,
          'requests',
          null,
          'rate_limit_exceeded',
        ),
      },
    });
  }

  /** 429 `insufficient_quota` (not worth retrying: a person must act). */
  quotaExceededNext(times = 1, match: RequestMatcher = FakeOpenAI.anyRequest): this {
    return this.inject({
      match,
      times,
      respond: {
        status: 429,
        body: errorBody(
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
          'insufficient_quota',
          null,
          'insufficient_quota',
        ),
      },
    });
  }

  /** 5xx with OpenAI's server_error body. */
  serverErrorNext(status = 500, times = 1, match: RequestMatcher = FakeOpenAI.anyRequest): this {
    const message =
      status === 503
        ? 'The engine is currently overloaded, please try again later.'
        : 'The server had an error while processing your request. Sorry about that!';
    return this.inject({ match, times, respond: { status, body: errorBody(message, 'server_error', null, null) } });
  }

  /** Never answer (until `stop`): for client timeouts. */
  hangNext(times = 1, match: RequestMatcher = FakeOpenAI.anyRequest): this {
    return this.inject({ match, times, respond: 'hang' });
  }

  // ---------------------------------------------------------------- inspection

  /** Stored state of a conversation (items oldest first), or undefined. */
  conversation(id: string): FakeConversation | undefined {
    return this.convs.get(id);
  }

  conversations(): FakeConversation[] {
    return [...this.convs.values()];
  }

  /** Every response the fake produced, in order, with the request body that asked for it. */
  responses(): RecordedResponse[] {
    return [...this.created];
  }

  /** Every chat completion the fake produced, in order, with the request body that asked for it. */
  chatCompletions(): RecordedChatCompletion[] {
    return [...this.chatCreated];
  }

  /** Every model call of either API (responses first, then chat completions; a test uses one engine). */
  modelCalls(): RecordedModelCall[] {
    return [...this.created, ...this.chatCreated];
  }

  /**
   * How many times a response was requested while another one was in flight on the same conversation
   * (chat completions: the same `prompt_cache_key`, i.e. the same thread).
   */
  get lockViolations(): number {
    return this.violations;
  }

  /** Clears recorded requests, faults, latency, state, the model and its queue. */
  override reset(): void {
    super.reset();
    this.convs.clear();
    this.stored.clear();
    this.created.length = 0;
    this.inFlight.clear();
    this.turnQueue.length = 0;
    this.model = defaultModel;
    this.modelLatencyMs = 0;
    this.modelCallCount = 0;
    this.violations = 0;
    this.chatCreated.length = 0;
    this.mode = this.defaultMode;
    this.malformNext = 0;
    this.vectorStores.reset();
  }

  override async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await super.stop();
  }

  protected override notFound(req: RecordedRequest): FakeResponse {
    return withRequestId({
      status: 404,
      body: errorBody(`Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null, null),
    });
  }

  // ---------------------------------------------------------------- plumbing

  private api(
    method: string,
    template: string,
    handler: (req: RecordedRequest, params: Record<string, string>) => unknown,
  ): void {
    this.route(method, template, async (req, params) => {
      try {
        this.checkAuth(req);
        const multipart = String(req.headers['content-type'] ?? '').startsWith('multipart/form-data');
        if (req.rawBody && req.body === undefined && !multipart) {
          throw new OpenAIHttpError(
            400,
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
          );
        }
        const body = await handler(req, params);
        const modelCall = method === 'POST' && (template === '/v1/responses' || template === '/v1/chat/completions');
        const extra = modelCall ? rateLimitHeaders() : {};
        // A poller (file batches) asks again this soon instead of its default 5 s.
        const poll: Record<string, string> = template.includes('file_batches') ? { 'openai-poll-after-ms': '10' } : {};
        return withRequestId({ status: 200, body, headers: { 'openai-processing-ms': '1', ...extra, ...poll } });
      } catch (err) {
        if (err instanceof OpenAIHttpError) {
          return withRequestId({ status: err.status, body: errorBody(err.message, err.type, err.param, err.code) });
        }
        return withRequestId({
          status: 500,
          body: errorBody(`FakeOpenAI crashed: ${String(err)}`, 'server_error', null, null),
        });
      }
    });
  }

  private checkAuth(req: RecordedRequest): void {
    if (this.apiKey === undefined) return;
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) {
      throw new OpenAIHttpError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }
    const key = auth.slice('Bearer '.length);
    if (key !== this.apiKey) {
      throw new OpenAIHttpError(
        401,
        `Incorrect API key provided: ${key.slice(0, 3)}****${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        null,
        'invalid_api_key',
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private bodyOf(req: RecordedRequest): Record<string, unknown> {
    if (req.body === undefined) return {};
    if (!isObject(req.body)) {
      throw new OpenAIHttpError(400, `Invalid body: expected an object, but got ${typeName(req.body)} instead.`);
    }
    return req.body;
  }

  private mustConversation(id: string): FakeConversation {
    const conv = this.convs.get(id);
    if (!conv || conv.deleted) throw new OpenAIHttpError(404, `Conversation with id '${id}' not found.`);
    return conv;
  }

  private mustItem(convId: string, itemId: string): FakeItem {
    const item = this.mustConversation(convId).items.find((i) => i.id === itemId);
    if (!item) throw new OpenAIHttpError(404, `Item with id '${itemId}' not found.`);
    return item;
  }

  private mustResponse(id: string): StoredResponse {
    const stored = this.stored.get(id);
    if (!stored) throw new OpenAIHttpError(404, `Response with id '${id}' not found.`);
    return stored;
  }

  private publicConversation(conv: FakeConversation) {
    return { id: conv.id, object: 'conversation', created_at: conv.created_at, metadata: conv.metadata };
  }

  // ---------------------------------------------------------------- conversations

  private createConversation(req: RecordedRequest) {
    const body = this.bodyOf(req);
    const metadata = checkMetadata(body.metadata) ?? {};
    const items = body.items == null ? [] : normalizeItems(body.items, 'items');
    checkMaxItems(items, 'items');
    checkDuplicates([], items);
    const conv: FakeConversation = { id: newId('conv'), created_at: nowSeconds(), metadata, items, deleted: false };
    this.convs.set(conv.id, conv);
    return this.publicConversation(conv);
  }

  private updateConversation(req: RecordedRequest, id: string) {
    const conv = this.mustConversation(id);
    const body = this.bodyOf(req);
    if (!('metadata' in body)) {
      throw new OpenAIHttpError(
        400,
        "Missing required parameter: 'metadata'.",
        'metadata',
        'missing_required_parameter',
      );
    }
    conv.metadata = checkMetadata(body.metadata) ?? {};
    return this.publicConversation(conv);
  }

  private addItems(req: RecordedRequest, id: string) {
    const conv = this.mustConversation(id);
    const body = this.bodyOf(req);
    if (body.items === undefined) {
      throw new OpenAIHttpError(400, "Missing required parameter: 'items'.", 'items', 'missing_required_parameter');
    }
    const items = normalizeItems(body.items, 'items');
    checkMaxItems(items, 'items');
    checkDuplicates(conv.items, items);
    conv.items.push(...items);
    return itemList(items, false);
  }

  private listItems(req: RecordedRequest, id: string) {
    const conv = this.mustConversation(id);
    const limitRaw = req.query.get('limit');
    const limit = limitRaw === null ? 20 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new OpenAIHttpError(
        400,
        `Invalid 'limit': expected an integer between 1 and 100, but got ${limitRaw} instead.`,
        'limit',
        'invalid_value',
      );
    }
    const order = req.query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') {
      throw new OpenAIHttpError(
        400,
        `Invalid value: '${order}'. Supported values are: 'asc' and 'desc'.`,
        'order',
        'invalid_value',
      );
    }
    let items = order === 'asc' ? [...conv.items] : [...conv.items].reverse();
    const after = req.query.get('after');
    if (after) {
      const index = items.findIndex((i) => i.id === after);
      if (index < 0) throw new OpenAIHttpError(404, `Item with id '${after}' not found.`, 'after');
      items = items.slice(index + 1);
    }
    return itemList(items.slice(0, limit), items.length > limit);
  }

  // ---------------------------------------------------------------- responses

  private countInputTokens(req: RecordedRequest) {
    const body = this.bodyOf(req);
    let history: FakeItem[] = [];
    const conversationId = conversationParam(body.conversation);
    if (conversationId) history = this.mustConversation(conversationId).items;
    const input = normalizeItems(body.input ?? [], 'input');
    return {
      object: 'response.input_tokens',
      input_tokens: tokens(body.instructions ?? '') + tokens([...history, ...input]) + tokens(body.tools ?? []),
    };
  }

  private async createChatCompletion(req: RecordedRequest): Promise<Record<string, unknown>> {
    const body = this.bodyOf(req);
    const view = viewChatRequest(body);
    const key = typeof body.prompt_cache_key === 'string' ? body.prompt_cache_key : null;
    const lock = key ? `chat:${key}` : undefined;
    // No server lock here (the API is stateless); two calls of one thread at once are still counted.
    if (lock && this.inFlight.has(lock)) this.violations += 1;
    if (lock) this.inFlight.add(lock);
    try {
      await this.sleep(this.modelLatencyMs);
      const ctx: ModelContext = {
        request: body,
        conversationId: key,
        history: view.history,
        input: view.input,
        tools: view.tools,
        instructions: view.instructions,
        callIndex: this.modelCallCount++,
      };
      const turn = this.turnQueue.shift() ?? (await this.model(ctx));
      const hasCalls = !('status' in turn) && (turn.toolCalls?.length ?? 0) > 0;
      const malform = hasCalls && this.malformNext > 0;
      if (malform) this.malformNext -= 1;
      const completion = buildChatCompletion(body, turn, view, { mode: this.mode, malform });
      this.chatCreated.push({ id: String(completion.id), conversationId: key, body, completion });
      return completion;
    } finally {
      if (lock) this.inFlight.delete(lock);
    }
  }

  private async createResponse(req: RecordedRequest): Promise<FakeResponseObject> {
    const body = this.bodyOf(req);
    validateResponseBody(body);

    const conversationId = conversationParam(body.conversation);
    const previousId = body.previous_response_id;
    if (conversationId && previousId != null) {
      throw new OpenAIHttpError(
        400,
        "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
        null,
        'mutually_exclusive_parameters',
      );
    }
    let history: FakeItem[] = [];
    const conv = conversationId ? this.mustConversation(conversationId) : undefined;
    if (conv) history = conv.items;
    if (previousId != null) {
      if (typeof previousId !== 'string') throw invalidType('previous_response_id', 'a string', previousId);
      const previous = this.stored.get(previousId);
      if (!previous) {
        throw new OpenAIHttpError(404, `Previous response with id '${previousId}' not found.`, 'previous_response_id');
      }
      history = previous.context;
    }

    if (conv && this.inFlight.has(conv.id)) {
      this.violations += 1;
      throw new OpenAIHttpError(400, CONVERSATION_LOCKED_MESSAGE, 'conversation', 'conversation_locked');
    }

    const input = normalizeItems(body.input ?? [], 'input');
    checkDuplicates(history, input);
    checkToolPairing(history, input);

    if (conv) this.inFlight.add(conv.id);
    try {
      await this.sleep(this.modelLatencyMs);
      const fullHistory = [...history, ...input];
      const tools = Array.isArray(body.tools) ? (body.tools as Record<string, unknown>[]) : [];
      const ctx: ModelContext = {
        request: body,
        conversationId: conv?.id ?? null,
        history: fullHistory,
        input,
        tools,
        instructions: typeof body.instructions === 'string' ? body.instructions : null,
        callIndex: this.modelCallCount++,
      };
      const queued = this.turnQueue.shift();
      const turn = queued ?? (await this.model(ctx));
      const response = buildResponse(body, conv?.id ?? null, turn, fullHistory);

      if (response.status === 'completed' || response.status === 'incomplete') {
        if (conv) conv.items.push(...input, ...response.output);
      }
      if (body.store !== false) {
        this.stored.set(response.id, { object: response, context: [...fullHistory, ...response.output] });
      }
      this.created.push({ id: response.id, conversationId: conv?.id ?? null, body, response });
      return response;
    } finally {
      if (conv) this.inFlight.delete(conv.id);
    }
  }
}

// ------------------------------------------------------------------ helpers

export function invalidType(param: string, expected: string, got: unknown): OpenAIHttpError {
  return new OpenAIHttpError(
    400,
    `Invalid type for '${param}': expected ${expected}, but got ${typeName(got)} instead.`,
    param,
    'invalid_type',
  );
}

function itemList(items: FakeItem[], hasMore: boolean) {
  return {
    object: 'list',
    data: items,
    first_id: items[0]?.id ?? null,
    last_id: items[items.length - 1]?.id ?? null,
    has_more: hasMore,
  };
}

function checkMaxItems(items: FakeItem[], param: string): void {
  if (items.length > 20) {
    throw new OpenAIHttpError(
      400,
      `Invalid '${param}': array too long. Expected an array with maximum length 20, but got an array with length ${items.length} instead.`,
      param,
      'array_above_max_length',
    );
  }
}

function checkMetadata(value: unknown, param = 'metadata'): Record<string, string> | null {
  if (value == null) return null;
  if (!isObject(value)) throw invalidType(param, 'an object', value);
  const entries = Object.entries(value);
  if (entries.length > 16) {
    throw new OpenAIHttpError(
      400,
      `Invalid '${param}': too many properties. Expected an object with at most 16 properties, but got an object with ${entries.length} properties instead.`,
      param,
      'object_above_max_properties',
    );
  }
  for (const [key, v] of entries) {
    if (key.length > 64) {
      throw new OpenAIHttpError(
        400,
        `Invalid '${param}': string too long. Expected a string with maximum length 64, but got a string with length ${key.length} instead.`,
        param,
        'string_above_max_length',
      );
    }
    if (typeof v !== 'string') throw invalidType(`${param}.${key}`, 'a string', v);
    if (v.length > 512) {
      throw new OpenAIHttpError(
        400,
        `Invalid '${param}.${key}': string too long. Expected a string with maximum length 512, but got a string with length ${v.length} instead.`,
        `${param}.${key}`,
        'string_above_max_length',
      );
    }
  }
  return { ...(value as Record<string, string>) };
}

function conversationParam(value: unknown): string | null {
  if (value == null) return null;
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.id === 'string') return value.id;
  throw invalidType('conversation', 'a string or an object with an id', value);
}

function validateResponseBody(body: Record<string, unknown>): void {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new OpenAIHttpError(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  }
  if (body.stream === true || body.background === true) {
    const param = body.stream === true ? 'stream' : 'background';
    throw new OpenAIHttpError(400, `FakeOpenAI does not support '${param}: true'.`, param, 'unsupported_parameter');
  }
  if (body.instructions != null && typeof body.instructions !== 'string') {
    throw invalidType('instructions', 'a string', body.instructions);
  }
  const max = body.max_output_tokens;
  if (max != null) {
    if (typeof max !== 'number' || !Number.isInteger(max)) throw invalidType('max_output_tokens', 'an integer', max);
    if (max < 16) {
      throw new OpenAIHttpError(
        400,
        `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${max} instead.`,
        'max_output_tokens',
        'integer_below_min_value',
      );
    }
  }
  checkMetadata(body.metadata);
  const sid = body.safety_identifier;
  if (sid != null) {
    if (typeof sid !== 'string') throw invalidType('safety_identifier', 'a string', sid);
    if (sid.length > 64) {
      throw new OpenAIHttpError(
        400,
        `Invalid 'safety_identifier': string too long. Expected a string with maximum length 64, but got a string with length ${sid.length} instead.`,
        'safety_identifier',
        'string_above_max_length',
      );
    }
  }
  if (body.parallel_tool_calls != null && typeof body.parallel_tool_calls !== 'boolean') {
    throw invalidType('parallel_tool_calls', 'a boolean', body.parallel_tool_calls);
  }
  if (body.store != null && typeof body.store !== 'boolean') throw invalidType('store', 'a boolean', body.store);
  const cm = body.context_management;
  if (cm != null) {
    if (!Array.isArray(cm)) throw invalidType('context_management', 'an array', cm);
    cm.forEach((entry: unknown, i) => {
      const param = `context_management[${i}]`;
      if (!isObject(entry) || entry.type !== 'compaction') {
        throw new OpenAIHttpError(400, `Invalid value for '${param}.type'.`, `${param}.type`, 'invalid_value');
      }
      const threshold = entry.compact_threshold;
      if (threshold != null && (typeof threshold !== 'number' || threshold < 1000)) {
        throw new OpenAIHttpError(
          400,
          `Invalid '${param}.compact_threshold': integer below minimum value. Expected a value >= 1000, but got ${JSON.stringify(threshold)} instead.`,
          `${param}.compact_threshold`,
          'integer_below_min_value',
        );
      }
    });
  }
  checkTools(body.tools);
}

export function checkTools(tools: unknown): void {
  if (tools == null) return;
  if (!Array.isArray(tools)) throw invalidType('tools', 'an array', tools);
  tools.forEach((tool: unknown, i) => {
    const param = `tools[${i}]`;
    if (!isObject(tool)) throw invalidType(param, 'an object', tool);
    if (tool.type !== 'function') return;
    if (typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) {
      throw new OpenAIHttpError(
        400,
        `Invalid '${param}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `${param}.name`,
        'invalid_value',
      );
    }
    if (tool.strict === true && tool.parameters != null) {
      const problem = strictSchemaProblem(tool.parameters, []);
      if (problem) {
        throw new OpenAIHttpError(
          400,
          `Invalid schema for function '${tool.name}': ${problem}`,
          `${param}.parameters`,
          'invalid_function_parameters',
        );
      }
    }
  });
}

/** The first violation of strict-mode rules (every object closed, every property required), or null. */
function strictSchemaProblem(schema: unknown, path: string[]): string | null {
  if (!isObject(schema)) return null;
  const context = `In context=(${path.map((p) => `'${p}'`).join(', ')})`;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('object') || isObject(schema.properties)) {
    if (schema.additionalProperties !== false) {
      return `${context}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = Object.keys(properties).find((key) => !required.includes(key));
    if (missing !== undefined) {
      return `${context}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    }
    for (const [key, sub] of Object.entries(properties)) {
      const problem = strictSchemaProblem(sub, [...path, 'properties', key]);
      if (problem) return problem;
    }
  }
  if (schema.items !== undefined) {
    const problem = strictSchemaProblem(schema.items, [...path, 'items']);
    if (problem) return problem;
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const variants = schema[key];
    if (Array.isArray(variants)) {
      for (const [i, sub] of variants.entries()) {
        const problem = strictSchemaProblem(sub, [...path, key, String(i)]);
        if (problem) return problem;
      }
    }
  }
  for (const defsKey of ['$defs', 'definitions'] as const) {
    const defs = schema[defsKey];
    if (isObject(defs)) {
      for (const [name, sub] of Object.entries(defs)) {
        const problem = strictSchemaProblem(sub, [...path, defsKey, name]);
        if (problem) return problem;
      }
    }
  }
  return null;
}

/** Input (string or items) → stored items with ids; 400 on malformed items. */
function normalizeItems(input: unknown, param: string): FakeItem[] {
  if (typeof input === 'string') return [message('user', input)];
  if (!Array.isArray(input)) throw invalidType(param, 'a string or an array of items', input);
  return input.map((raw: unknown, i) => {
    const at = `${param}[${i}]`;
    if (!isObject(raw)) throw invalidType(at, 'an object', raw);
    if (raw.id != null && typeof raw.id !== 'string') throw invalidType(`${at}.id`, 'a string', raw.id);
    const type: unknown = raw.type ?? 'message';
    if (typeof type !== 'string') throw invalidType(`${at}.type`, 'a string', type);
    switch (type) {
      case 'message': {
        const role = raw.role;
        if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') {
          throw new OpenAIHttpError(
            400,
            `Invalid value: '${String(role)}'. Supported values are: 'assistant', 'system', 'developer', and 'user'.`,
            `${at}.role`,
            'invalid_value',
          );
        }
        if (typeof raw.content !== 'string' && !Array.isArray(raw.content)) {
          throw invalidType(`${at}.content`, 'a string or an array', raw.content);
        }
        return { ...message(role, raw.content), ...(typeof raw.id === 'string' ? { id: raw.id } : {}) };
      }
      case 'function_call_output': {
        if (typeof raw.call_id !== 'string') {
          throw new OpenAIHttpError(
            400,
            `Missing required parameter: '${at}.call_id'.`,
            `${at}.call_id`,
            'missing_required_parameter',
          );
        }
        if (typeof raw.output !== 'string' && !Array.isArray(raw.output)) {
          throw invalidType(`${at}.output`, 'a string or an array', raw.output);
        }
        return {
          id: typeof raw.id === 'string' ? raw.id : newId('fco'),
          type: 'function_call_output',
          call_id: raw.call_id,
          output: raw.output,
          status: 'completed',
        };
      }
      case 'function_call': {
        for (const key of ['call_id', 'name', 'arguments'] as const) {
          if (typeof raw[key] !== 'string') {
            throw new OpenAIHttpError(
              400,
              `Missing required parameter: '${at}.${key}'.`,
              `${at}.${key}`,
              'missing_required_parameter',
            );
          }
        }
        return { status: 'completed', ...raw, id: typeof raw.id === 'string' ? raw.id : newId('fc'), type };
      }
      default:
        return { ...raw, id: typeof raw.id === 'string' ? raw.id : newId('item'), type };
    }
  });
}

function message(role: string, content: unknown): FakeItem {
  const parts =
    typeof content === 'string'
      ? [
          role === 'assistant'
            ? { type: 'output_text', text: content, annotations: [], logprobs: [] }
            : { type: 'input_text', text: content },
        ]
      : content;
  return { id: newId('msg'), type: 'message', status: 'completed', role, content: parts };
}

function checkDuplicates(history: readonly FakeItem[], input: readonly FakeItem[]): void {
  const seen = new Set(history.map((i) => i.id));
  for (const item of input) {
    if (seen.has(item.id)) {
      throw new OpenAIHttpError(
        400,
        `Duplicate item found with id ${item.id}. Remove the duplicate item from your input and try again.`,
        'input',
      );
    }
    seen.add(item.id);
  }
}

/** Every function_call_output must answer a pending call; every pending call must be answered. */
function checkToolPairing(history: readonly FakeItem[], input: readonly FakeItem[]): void {
  const calls = new Set<unknown>();
  const answered = new Set<unknown>();
  for (const item of history) {
    if (item.type === 'function_call') calls.add(item.call_id);
    if (item.type === 'function_call_output') answered.add(item.call_id);
  }
  for (const item of input) {
    if (item.type === 'function_call') calls.add(item.call_id);
    if (item.type !== 'function_call_output') continue;
    if (!calls.has(item.call_id) || answered.has(item.call_id)) {
      throw new OpenAIHttpError(
        400,
        `No tool call found for function call output with call_id ${String(item.call_id)}.`,
        'input',
      );
    }
    answered.add(item.call_id);
  }
  for (const callId of calls) {
    if (!answered.has(callId)) {
      throw new OpenAIHttpError(400, `No tool output found for function call ${String(callId)}.`, 'input');
    }
  }
}

function buildResponse(
  body: Record<string, unknown>,
  conversationId: string | null,
  turn: ModelTurn,
  history: readonly FakeItem[],
): FakeResponseObject {
  let status: FakeResponseObject['status'] = 'completed';
  let output: FakeItem[] = [];
  let error: FakeResponseObject['error'] = null;
  let incomplete: FakeResponseObject['incomplete_details'] = null;
  const maxTokens = typeof body.max_output_tokens === 'number' ? body.max_output_tokens : Infinity;
  const assistant = (text: string, itemStatus = 'completed'): FakeItem => ({
    ...message('assistant', text),
    status: itemStatus,
  });

  if ('status' in turn) {
    status = turn.status;
    if (turn.status === 'failed') error = { ...turn.error };
    if (turn.status === 'incomplete') {
      incomplete = { reason: turn.reason };
      if (turn.text !== undefined) output = [assistant(turn.text, 'incomplete')];
    }
  } else {
    if (turn.text !== undefined) {
      if (tokens(turn.text) > maxTokens) {
        status = 'incomplete';
        incomplete = { reason: 'max_output_tokens' };
        output.push(assistant(turn.text.slice(0, maxTokens * 4), 'incomplete'));
      } else {
        output.push(assistant(turn.text));
      }
    }
    // The real API never returns more than one call when parallel_tool_calls is false.
    const calls = body.parallel_tool_calls === false ? (turn.toolCalls ?? []).slice(0, 1) : (turn.toolCalls ?? []);
    if (status === 'completed') {
      for (const call of calls) {
        output.push({
          id: newId('fc'),
          type: 'function_call',
          status: 'completed',
          call_id: call.callId ?? `call_${hex(12)}`,
          name: call.name,
          arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
        });
      }
    }
  }

  const inputTokens = tokens(body.instructions ?? '') + tokens(history) + tokens(body.tools ?? []);
  const outputTokens = output.length ? tokens(output) : 0;
  const createdAt = nowSeconds();
  return {
    id: newId('resp'),
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    completed_at: status === 'completed' ? createdAt : null,
    error,
    incomplete_details: incomplete,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    conversation: conversationId ? { id: conversationId } : null,
    context_management: body.context_management ?? null,
    safety_identifier: body.safety_identifier ?? null,
    store: body.store ?? true,
    temperature: 1,
    top_p: 1,
    text: { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    truncation: 'disabled',
    metadata: body.metadata ?? {},
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
  };
}
