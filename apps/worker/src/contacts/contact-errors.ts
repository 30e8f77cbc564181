import type { HubSpotFailure } from '../hubspot/hubspot-errors';

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

/** The id in `Contact already exists. Existing ID: 123` (409 body), if any. */
export function parseExistingContactId(body: unknown): string | undefined {
  const raw = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
  const message = typeof raw === 'string' ? raw : '';
  return /Existing ID:\s*(\d+)/.exec(message)?.[1];
}

/**
 * What a failed contacts call means to its caller: 400 → ContactValidationError (readable),
 * 404 → ContactNotFoundError, 409 → ContactConflictError; undefined for the rest, which
 * HubSpotApiClient maps to UpstreamError.
 */
export function contactError(failure: HubSpotFailure): Error | undefined {
  const body = (typeof failure.body === 'object' && failure.body !== null ? failure.body : {}) as {
    message?: unknown;
    errors?: unknown;
  };
  const message = typeof body.message === 'string' ? body.message : '';
  if (failure.code === 400) return new ContactValidationError(readableValidation(message, body.errors));
  if (failure.code === 404) return new ContactNotFoundError();
  if (failure.code === 409) return new ContactConflictError(parseExistingContactId(failure.body));
  return undefined;
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
