import { UpstreamError, isRetryableStatus, retryAfterMs } from '../errors/upstream.error';

/** No contact with that id / e-mail. */
export class ContactNotFoundError extends Error {
  constructor() {
    super('contact not found');
    this.name = 'ContactNotFoundError';
  }
}

/** Another contact already has this e-mail. The id is kept off the message (not every caller may see it). */
export class ContactConflictError extends Error {
  constructor(readonly existingId: string | undefined) {
    super('another contact already uses this e-mail address');
    this.name = 'ContactConflictError';
  }
}

/** HubSpot rejected the values (400: unknown property, invalid e-mail or option…); safe to show the model. */
export class ContactValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContactValidationError';
  }
}

export interface SdkError {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function isSdkError(err: unknown): err is SdkError {
  // Each codegen module has its own ApiException class: duck-type, never instanceof.
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number';
}

/** The id in `Contact already exists. Existing ID: 123` (409 body), if any. */
export function parseExistingContactId(body: unknown): string | undefined {
  const raw = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
  const message = typeof raw === 'string' ? raw : '';
  return /Existing ID:\s*(\d+)/.exec(message)?.[1];
}

export function mapSdkError(op: string, err: SdkError): Error {
  const body = (typeof err.body === 'object' && err.body !== null ? err.body : {}) as {
    message?: unknown;
    category?: unknown;
    policyName?: unknown;
    errors?: unknown;
  };
  const message = typeof body.message === 'string' ? body.message : '';
  if (err.code === 400) return new ContactValidationError(readableValidation(message, body.errors));
  if (err.code === 404) return new ContactNotFoundError();
  if (err.code === 409) return new ContactConflictError(parseExistingContactId(body));
  // The daily cap will not lift within a retry window; the 10-second one will.
  const daily = body.policyName === 'DAILY' || /daily limit/i.test(message);
  const retryable = isRetryableStatus(err.code) && !daily;
  const wait = retryAfterMs(err.headers) ?? (err.code === 429 ? 10_000 : undefined);
  const category = typeof body.category === 'string' ? `${body.category}: ` : '';
  // HubSpot's messages for these statuses carry no PII (auth, limits, server errors); bound anyway.
  return new UpstreamError(
    'hubspot',
    `${op} → ${err.code} ${category}${message.slice(0, 200)}`.trim(),
    retryable,
    err.code,
    wait,
    typeof body.policyName === 'string' ? body.policyName : daily ? 'DAILY' : undefined,
  );
}

/**
 * "Property values were not valid: [{…"message":"Property \"x\" does not exist","error":"PROPERTY_DOESNT_EXIST"…}]"
 * → `HubSpot rejected the values: Property "x" does not exist (PROPERTY_DOESNT_EXIST)`.
 */
function readableValidation(message: string, errors: unknown): string {
  const details: string[] = [];
  const collect = (items: unknown): void => {
    if (!Array.isArray(items)) return;
    for (const item of items as Array<{ message?: unknown; error?: unknown; code?: unknown }>) {
      if (typeof item?.message !== 'string') continue;
      const code = typeof item.error === 'string' ? item.error : typeof item.code === 'string' ? item.code : '';
      details.push(code ? `${item.message} (${code})` : item.message);
    }
  };
  const json = /^[^[]*?(\[.*\])\s*$/s.exec(message)?.[1];
  if (json) {
    try {
      collect(JSON.parse(json));
    } catch {
      // not JSON after all: fall back to the message
    }
  }
  if (details.length === 0) collect(errors);
  const text = details.length > 0 ? details.join('; ') : message || 'invalid request';
  return `HubSpot rejected the values: ${text.slice(0, 300)}`;
}
