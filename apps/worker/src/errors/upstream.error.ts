/**
 * Our typed view of any provider failure. The queue decides from `retryable`:
 * retryable → throw and let BullMQ back off (or delay by `retryAfterMs`);
 * permanent → UnrecoverableError, fail fast, fallback reply.
 */
export class UpstreamError extends Error {
  constructor(
    readonly provider: 'hubspot' | 'openai' | 'airtable' | 'listafirme' | 'anaf',
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** The provider asked us to wait this long (Retry-After), ms. */
    readonly retryAfterMs?: number,
    /** A provider error code, e.g. `conversation_locked`, `insufficient_quota`. */
    readonly code?: string,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'UpstreamError';
  }
}

/** HTTP statuses worth retrying for any provider: timeouts, conflicts, rate limits, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 423 || status === 429 || status >= 500;
}

/** Parses `Retry-After` (seconds or HTTP date) and `retry-after-ms`; undefined when absent. */
export function retryAfterMs(
  headers: { get(name: string): string | null } | Record<string, unknown> | undefined,
): number | undefined {
  if (!headers) return undefined;
  const get = (name: string): string | undefined => {
    if (typeof (headers as { get?: unknown }).get === 'function') {
      return (headers as { get(n: string): string | null }).get(name) ?? undefined;
    }
    const v = (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.toLowerCase()];
    return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : undefined;
  };
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
