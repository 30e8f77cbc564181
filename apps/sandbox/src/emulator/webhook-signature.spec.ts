import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signedWebhookHeaders, signWebhookV3 } from './webhook-signature';

const FIXTURES = join(__dirname, '../../../../test/fixtures/hubspot');

interface Vector {
  secret: string;
  method: string;
  uri: string;
  body_file: string;
  timestamp: string;
  signature: string;
}

describe('the emulator signs webhooks as HubSpot does (v3)', () => {
  const vectors = (JSON.parse(readFileSync(join(FIXTURES, 'signature-vectors.json'), 'utf8')) as { v3: Vector[] }).v3;

  it.each(vectors.map((v) => [v.uri, v] as const))('reproduces the published vector for %s', (_uri, v) => {
    const body = readFileSync(join(FIXTURES, v.body_file), 'utf8');
    expect(signWebhookV3(v.secret, v.method, v.uri, body, v.timestamp)).toBe(v.signature);
  });

  it('sends the signature and the millisecond timestamp it covers', () => {
    const headers = signedWebhookHeaders('secret-1234', 'http://127.0.0.1:3000/webhooks/hubspot', '[]', 1700000000123);
    expect(headers).toEqual({
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': '1700000000123',
      'x-hubspot-signature-v3': signWebhookV3(
        'secret-1234',
        'POST',
        'http://127.0.0.1:3000/webhooks/hubspot',
        '[]',
        '1700000000123',
      ),
    });
  });
});
