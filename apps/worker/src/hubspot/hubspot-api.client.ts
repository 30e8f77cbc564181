import { Injectable } from '@nestjs/common';
import { Client } from '@hubspot/api-client';
import { UpstreamError, isRetryableStatus, retryAfterMs } from '../errors/upstream.error';
import { RateBudget } from '../budgets/rate-budget.service';
import { HubSpotConfig } from '../config/config-sections';
import { WorkerMetrics, type UpstreamCallEnd } from '../metrics/worker-metrics.service';

type Method = 'GET' | 'POST' | 'PATCH';

/**
 * The one HubSpot SDK client of the process (its retry/limiter settings are process-global).
 * SDK retries are off: the queue owns retries. `apiRequest` neither throws on 4xx/5xx nor times
 * out, so both are handled here and mapped to UpstreamError.
 */
@Injectable()
export class HubSpotApiClient {
  readonly sdk: Client;

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

  /** One unit of the portal's shared HubSpot budget (search has its own, per second). */
  takeBudget(kind: 'standard' | 'search'): Promise<void> {
    const { requestsPer10s, searchPerSecond } = this.config;
    return this.budget.take(
      kind === 'search'
        ? { name: 'hubspot:search', limit: searchPerSecond, windowMs: 1000 }
        : { name: 'hubspot:standard', limit: requestsPer10s, windowMs: 10_000 },
    );
  }

  /** Times one HubSpot call for the metrics (for SDK calls made outside request()). */
  startCall(endpoint: string): UpstreamCallEnd {
    return this.metrics.startUpstreamCall('hubspot', endpoint);
  }

  async request<T>(method: Method, path: string, body?: unknown, expected = [200]): Promise<T> {
    await this.takeBudget('standard');
    const end = this.startCall(hubspotEndpoint(method, path));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new UpstreamError('hubspot', `${method} ${path} timed out`, true)),
        this.config.timeoutMs,
      );
    });
    let res: Response;
    try {
      res = await Promise.race([this.sdk.apiRequest({ method, path, body }), timeout]);
    } catch (err) {
      end(err instanceof UpstreamError ? 'timeout' : 'network');
      if (err instanceof UpstreamError) throw err;
      throw new UpstreamError('hubspot', `${method} ${path} failed: ${(err as Error).message}`, true);
    } finally {
      clearTimeout(timer);
    }
    end(res.status);
    if (expected.includes(res.status)) return (await res.json()) as T;
    throw await toUpstreamError(method, path, res);
  }
}

// The paths request() is used for, as low-cardinality metric labels (ids never become labels).
const ENDPOINTS: [RegExp, string][] = [
  [/^GET \/conversations\/v3\/conversations\/threads\/[^/]+\/messages\/[^/]+$/, 'conversations.threads.messages.get'],
  [/^GET \/conversations\/v3\/conversations\/threads\/[^/]+\/messages$/, 'conversations.threads.messages.list'],
  [/^POST \/conversations\/v3\/conversations\/threads\/[^/]+\/messages$/, 'conversations.threads.messages.create'],
  [/^GET \/conversations\/v3\/conversations\/threads\/[^/]+$/, 'conversations.threads.get'],
];

export function hubspotEndpoint(method: string, path: string): string {
  const key = `${method} ${path.split('?', 1)[0]}`;
  return ENDPOINTS.find(([pattern]) => pattern.test(key))?.[1] ?? `${method.toLowerCase()}.other`;
}

async function toUpstreamError(method: string, path: string, res: Response): Promise<UpstreamError> {
  let detail = '';
  let policy: string | undefined;
  try {
    const body = (await res.json()) as { message?: string; category?: string; policyName?: string };
    detail = [body.category, body.message].filter(Boolean).join(': ');
    policy = body.policyName;
  } catch {
    detail = res.statusText;
  }
  // The daily cap will not lift within a retry window; the 10-second one will.
  const retryable = isRetryableStatus(res.status) && policy !== 'DAILY';
  const wait = retryAfterMs(res.headers) ?? (res.status === 429 ? 10_000 : undefined);
  return new UpstreamError(
    'hubspot',
    `${method} ${path} → ${res.status} ${detail}`,
    retryable,
    res.status,
    wait,
    policy,
  );
}
