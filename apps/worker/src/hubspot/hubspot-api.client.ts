import { Injectable } from '@nestjs/common';
import { Client } from '@hubspot/api-client';
import { UpstreamError } from '../errors/upstream.error';
import { RateBudget } from '../budgets/rate-budget.service';
import { HubSpotConfig } from '../config/config-sections';
import { WorkerMetrics } from '../metrics/worker-metrics.service';
import { HubSpotErrorAnswer, isHubSpotFailure, toUpstreamError, type HubSpotFailure } from './hubspot-errors';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The SDK client, as handed to `call()`'s callback (only there). */
export type HubSpotSdk = Client;

export interface HubSpotCallOptions<T> {
  /** Which shared rate budget the call spends: the portal's standard one (default) or search's. */
  budget?: 'standard' | 'search';
  /** Names the call in error messages (no ids or PII); default: the endpoint label. */
  what?: string;
  /** The success status for the metrics (the SDK's typed methods hide it); default 200. */
  okStatus?: number | ((result: T) => number);
  /** Maps the failures that mean something to the caller (e.g. 404); the rest become UpstreamError. */
  onFailure?: (failure: HubSpotFailure) => Error | undefined;
}

/**
 * The one HubSpot SDK client of the process (its retry/limiter settings are process-global), and
 * the one way to call it: `call()` takes the rate budget, times the call for the metrics, applies
 * the timeout and maps failures to UpstreamError. SDK retries are off: the queue owns retries.
 */
@Injectable()
export class HubSpotApiClient {
  private readonly sdk: Client;

  constructor(
    private readonly config: HubSpotConfig,
    private readonly budget: RateBudget,
    private readonly metrics: WorkerMetrics,
  ) {
    this.sdk = new Client({
      accessToken: config.accessToken,
      basePath: config.baseUrl,
      numberOfApiCallRetries: 0,
    });
  }

  /**
   * Runs one SDK call. `endpoint` is the metrics' endpoint label (low cardinality: never ids).
   * Timeouts, network failures and HubSpot's error answers are all thrown as UpstreamError, except
   * those `opts.onFailure` maps itself.
   */
  async call<T>(endpoint: string, fn: (sdk: HubSpotSdk) => Promise<T>, opts: HubSpotCallOptions<T> = {}): Promise<T> {
    await this.takeBudget(opts.budget ?? 'standard');
    const what = opts.what ?? endpoint;
    const end = this.metrics.startUpstreamCall('hubspot', endpoint);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UpstreamError('hubspot', `${what} timed out`, true)), this.config.timeoutMs);
    });
    try {
      const result = await Promise.race([fn(this.sdk), timeout]);
      end(typeof opts.okStatus === 'function' ? opts.okStatus(result) : (opts.okStatus ?? 200));
      return result;
    } catch (err) {
      // Only our timer rejects with an UpstreamError; the SDK throws its own exceptions.
      if (err instanceof UpstreamError) {
        end('timeout');
        throw err;
      }
      end(isHubSpotFailure(err) ? err.code : 'network');
      throw (isHubSpotFailure(err) && opts.onFailure?.(err)) || toUpstreamError(what, err);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A raw request (the Conversations API has no typed SDK module). `apiRequest` does not throw on
   * 4xx/5xx: a status outside `expected` is a failure like the SDK's own.
   */
  async request<T>(method: Method, path: string, body?: unknown, expected = [200]): Promise<T> {
    const res = await this.call(
      hubspotEndpoint(method, path),
      async (sdk) => {
        const answer = await sdk.apiRequest({ method, path, body });
        if (!expected.includes(answer.status)) throw await HubSpotErrorAnswer.of(answer);
        return answer;
      },
      { what: `${method} ${path}`, okStatus: (answer) => answer.status },
    );
    return (await res.json()) as T;
  }

  /** One unit of the portal's shared HubSpot budget (search has its own, per second). */
  private takeBudget(kind: 'standard' | 'search'): Promise<void> {
    const { requestsPer10s, searchPerSecond } = this.config;
    return this.budget.take(
      kind === 'search'
        ? { name: 'hubspot:search', limit: searchPerSecond, windowMs: 1000 }
        : { name: 'hubspot:standard', limit: requestsPer10s, windowMs: 10_000 },
    );
  }
}

// The paths request() is used for, as low-cardinality metric labels (ids never become labels).
const ENDPOINTS: [RegExp, string][] = [
  [/^GET \/conversations\/v3\/conversations\/threads\/[^/]+\/messages\/[^/]+$/, 'conversations.threads.messages.get'],
  [/^GET \/conversations\/v3\/conversations\/threads\/[^/]+\/messages$/, 'conversations.threads.messages.list'],
  [/^POST \/conversations\/v3\/conversations\/threads\/[^/]+\/messages$/, 'conversations.threads.messages.create'],
  [/^GET \/conversations\/v3\/conversations\/threads\/[^/]+$/, 'conversations.threads.get'],
  [/^PUT \/conversations\/conversations\/[^/]+\/threads\/[^/]+\/assignee$/, 'conversations.threads.assignee.put'],
];

export function hubspotEndpoint(method: string, path: string): string {
  const key = `${method} ${path.split('?', 1)[0]}`;
  return ENDPOINTS.find(([pattern]) => pattern.test(key))?.[1] ?? `${method.toLowerCase()}.other`;
}
