import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

export type SignatureRejection =
  | 'missing-signature'
  | 'missing-timestamp'
  | 'malformed-timestamp'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'bad-signature';

export type SignatureVerdict = { valid: true } | { valid: false; reason: SignatureRejection };

export interface SignedRequest {
  method: string;
  /** The public URL HubSpot called, exactly as configured in HubSpot. */
  uri: string;
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
}

// HubSpot decodes exactly these escapes before signing (reference/hubspot.md §2).
const DECODED_ESCAPES: Record<string, string> = {
  '3A': ':',
  '2F': '/',
  '3F': '?',
  '40': '@',
  '21': '!',
  '24': '$',
  '27': "'",
  '28': '(',
  '29': ')',
  '2A': '*',
  '2C': ',',
  '3B': ';',
};

export function decodeSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (_, hex: string) => DECODED_ESCAPES[hex.toUpperCase()],
  );
}

/** base64(HMAC-SHA256(secret, method + uri + rawBody + timestamp)), over the body's bytes as received. */
export function signV3(secret: string, method: string, uri: string, rawBody: Buffer, timestamp: string): string {
  return createHmac('sha256', secret)
    .update(method.toUpperCase() + decodeSignedUri(uri), 'utf8')
    .update(rawBody)
    .update(timestamp, 'utf8')
    .digest('base64');
}

/** Verifies HubSpot signature v3: timestamp within ±maxSkewMs, then a constant-time HMAC comparison. */
export function verifyV3(
  req: SignedRequest,
  secret: string,
  now: number,
  maxSkewMs = DEFAULT_MAX_SKEW_MS,
): SignatureVerdict {
  if (!req.signature) return { valid: false, reason: 'missing-signature' };
  if (!req.timestamp) return { valid: false, reason: 'missing-timestamp' };
  if (!/^\d{1,15}$/.test(req.timestamp)) return { valid: false, reason: 'malformed-timestamp' };
  const age = now - Number(req.timestamp);
  if (age > maxSkewMs) return { valid: false, reason: 'stale-timestamp' };
  if (age < -maxSkewMs) return { valid: false, reason: 'future-timestamp' };

  const expected = Buffer.from(signV3(secret, req.method, req.uri, req.rawBody, req.timestamp), 'base64');
  const given = Buffer.from(req.signature, 'base64');
  // Length is public (always 32 bytes); only the content comparison must be constant-time.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: 'bad-signature' };
  }
  return { valid: true };
}
