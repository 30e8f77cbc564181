import { createHmac } from 'node:crypto';

/**
 * HubSpot's v3 signature as the sender computes it (reference/hubspot.md §2): base64 HMAC-SHA256
 * of METHOD + URI + raw body + timestamp, keyed with the app's client secret. Written apart from
 * the api's verifier on purpose, so a mistake in one is caught by the other (and by the vectors).
 */
export function signWebhookV3(secret: string, method: string, uri: string, body: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

/** The headers HubSpot sends with a v3-signed webhook POST. */
export function signedWebhookHeaders(secret: string, uri: string, body: string, now = Date.now()) {
  const timestamp = String(now);
  return {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': signWebhookV3(secret, 'POST', uri, body, timestamp),
    'x-hubspot-request-timestamp': timestamp,
  };
}
