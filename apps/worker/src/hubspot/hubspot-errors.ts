import { UpstreamError, isRetryableStatus, retryAfterMs } from '../errors/upstream.error';

/**
 * HubSpot answered with an error status: the SDK's exception (`code`, parsed `body`, `headers`),
 * or the same built from a raw `apiRequest` response.
 */
export interface HubSpotFailure {
  code: number;
  body?: unknown;
  headers?: { get(name: string): string | null } | Record<string, unknown>;
  /** Said instead of the body's category/message when the body is not a JSON object. */
  statusText?: string;
}

export function isHubSpotFailure(err: unknown): err is HubSpotFailure {
  // Each codegen module has its own ApiException class: duck-type, never instanceof.
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number';
}

/** A raw `apiRequest` answer with an error status (the SDK does not throw for those), thrown like the SDK's own. */
export class HubSpotErrorAnswer extends Error implements HubSpotFailure {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Headers,
    readonly statusText: string,
  ) {
    super(`HubSpot answered ${code}`);
    this.name = 'HubSpotErrorAnswer';
  }

  static async of(res: Response): Promise<HubSpotErrorAnswer> {
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    return new HubSpotErrorAnswer(res.status, body, res.headers, res.statusText);
  }
}

/**
 * The one mapping of a failed HubSpot call (`what` names it, no PII) to UpstreamError:
 * 408/409/423/429/5xx are retryable unless the daily cap is hit, Retry-After is kept (429 without
 * one waits 10 s), anything else HubSpot answered is permanent, a network failure is retryable.
 */
export function toUpstreamError(what: string, err: unknown): UpstreamError {
  if (!isHubSpotFailure(err)) {
    // Network failure, or a non-JSON answer the SDK could not parse.
    const detail = String((err as Error)?.message ?? err)
      .replace(/[^\s@/]+@[^\s@/]+/g, '***')
      .slice(0, 200);
    return new UpstreamError('hubspot', `${what} failed: ${detail}`, true);
  }
  const isObject = typeof err.body === 'object' && err.body !== null;
  const body = (isObject ? err.body : {}) as { message?: unknown; category?: unknown; policyName?: unknown };
  const message = typeof body.message === 'string' ? body.message : '';
  const category = typeof body.category === 'string' ? body.category : '';
  // HubSpot's messages for these statuses carry no PII (auth, limits, server errors); bound anyway.
  const detail = isObject ? [category, message.slice(0, 200)].filter(Boolean).join(': ') : (err.statusText ?? '');
  // The daily cap will not lift within a retry window; the 10-second one will.
  const daily = body.policyName === 'DAILY' || /daily limit/i.test(message);
  const retryable = isRetryableStatus(err.code) && !daily;
  const wait = retryAfterMs(err.headers) ?? (err.code === 429 ? 10_000 : undefined);
  return new UpstreamError(
    'hubspot',
    `${what} → ${err.code} ${detail}`.trim(),
    retryable,
    err.code,
    wait,
    typeof body.policyName === 'string' ? body.policyName : daily ? 'DAILY' : undefined,
  );
}

/** HubSpot refused a call because the app lacks a scope (403): a setup problem no retry fixes. */
export class HubSpotScopeError extends Error {
  constructor(readonly scopes: string[]) {
    super(
      `the HubSpot app lacks the scope ${scopes.join(' or ')}: add it to the app (see the README, "Scopes") ` +
        'and reinstall; until then this action is unavailable',
    );
    this.name = 'HubSpotScopeError';
  }
}

/**
 * A 403 as HubSpot answers a missing scope (`category: MISSING_SCOPES`, the scopes under
 * `errors[].context.requiredGranularScopes`; shape unverified against a live portal), naming the
 * scopes HubSpot listed, else the one the call is known to need. undefined for anything else.
 */
export function missingScopeError(failure: HubSpotFailure, needed: string): HubSpotScopeError | undefined {
  if (failure.code !== 403) return undefined;
  const body = (typeof failure.body === 'object' && failure.body !== null ? failure.body : {}) as {
    errors?: Array<{ context?: Record<string, unknown> }>;
  };
  const listed = (Array.isArray(body.errors) ? body.errors : [])
    .flatMap((e) => Object.values(e?.context ?? {}))
    .flat()
    .filter((s): s is string => typeof s === 'string' && /^[a-z][a-z0-9._-]{2,80}$/.test(s));
  return new HubSpotScopeError(listed.length > 0 ? [...new Set(listed)] : [needed]);
}
