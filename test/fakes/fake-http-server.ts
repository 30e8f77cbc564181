import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  /** ms epoch when the request arrived. */
  at: number;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this text instead of JSON (e.g. to test a non-JSON error page). */
  text?: string;
}

export type RouteHandler = (
  req: RecordedRequest,
  params: Record<string, string>,
) => FakeResponse | Promise<FakeResponse>;

export interface Fault {
  /** Which requests it applies to. */
  match: (req: RecordedRequest) => boolean;
  /**
   * What to answer instead of the route: a response, or 'hang' (never answer until the fake stops), or 'reset'
   * (destroy the socket), or 'apply-and-hang' (run the route, keep its effect, never answer: the provider did the
   * work but the caller never learns it, e.g. because it crashes meanwhile; see `held`).
   */
  respond: FakeResponse | 'hang' | 'reset' | 'apply-and-hang';
  /** How many matching requests it applies to (default 1). Infinity for all. */
  times: number;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

/**
 * A small HTTP server for provider fakes: routes by method + path template (`/v1/items/:id`),
 * records every request, and injects faults and latency. Subclasses register the provider's
 * routes and speak its wire protocol (status codes, content types, error bodies).
 */
export class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests an 'apply-and-hang' fault applied and is holding unanswered, in order. */
  readonly held: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly faults: Fault[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  private latencyMs = 0;
  private latencyFor: (req: RecordedRequest) => number = () => this.latencyMs;

  constructor(readonly name: string) {}

  route(method: string, template: string, handler: RouteHandler): this {
    const keys: string[] = [];
    const source = template
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  /** Answer the next `times` matching requests with `respond` instead of the route. */
  inject(fault: Omit<Fault, 'times'> & { times?: number }): this {
    this.faults.push({ times: 1, ...fault });
    return this;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Delay every answer by `ms` (or by a function of the request). */
  setLatency(ms: number | ((req: RecordedRequest) => number)): void {
    if (typeof ms === 'number') {
      this.latencyMs = ms;
      this.latencyFor = () => this.latencyMs;
    } else {
      this.latencyFor = ms;
    }
  }

  /** Recorded requests matching method and a path prefix or regex. */
  received(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  reset(): void {
    this.requests.length = 0;
    this.held.length = 0;
    this.clearFaults();
    this.setLatency(0);
  }

  /** Listens on loopback by default; the sandbox's emulator passes 0.0.0.0 inside a container. */
  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    return this;
  }

  /** Origin, e.g. http://127.0.0.1:43123 */
  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Ends every request left hanging by a fault (its caller sees the connection reset), as a dead client's would. */
  dropHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  async stop(): Promise<void> {
    this.dropHanging();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body,
      at: Date.now(),
    };
    this.requests.push(recorded);

    const delay = this.latencyFor(recorded);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));

    const fault = this.faults.find((f) => f.times > 0 && f.match(recorded));
    if (fault) {
      fault.times -= 1;
      if (fault.respond === 'apply-and-hang') {
        await this.dispatch(recorded);
        this.held.push(recorded);
      }
      if (fault.respond === 'hang' || fault.respond === 'apply-and-hang') {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      if (fault.respond === 'reset') {
        req.socket.destroy();
        return;
      }
      return this.send(res, fault.respond);
    }

    this.send(res, await this.dispatch(recorded));
  }

  /** What the matching route answers (its effects applied), or the provider's 404. */
  private async dispatch(recorded: RecordedRequest): Promise<FakeResponse> {
    for (const route of this.routes) {
      if (route.method !== recorded.method) continue;
      const m = route.pattern.exec(recorded.path);
      if (!m) continue;
      const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
      try {
        return await route.handler(recorded, params);
      } catch (err) {
        return { status: 500, body: { error: `fake ${this.name} crashed: ${String(err)}` } };
      }
    }
    return this.notFound(recorded);
  }

  /** The provider's own 404 shape; subclasses override. */
  protected notFound(req: RecordedRequest): FakeResponse {
    return { status: 404, body: { error: `no route ${req.method} ${req.path} in fake ${this.name}` } };
  }

  private send(res: ServerResponse, r: FakeResponse): void {
    if (r.text !== undefined) {
      res.writeHead(r.status, { 'content-type': 'text/html; charset=utf-8', ...r.headers });
      res.end(r.text);
      return;
    }
    const payload = r.body === undefined ? '' : JSON.stringify(r.body);
    res.writeHead(r.status, {
      ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      ...r.headers,
    });
    res.end(payload);
  }
}
