import { Signature } from '@hubspot/api-client';
import { readFixture, signatureVectors } from '../../../../test/support/fixtures';
import { decodeSignedUri, signV3, verifyV3, type SignedRequest } from './hubspot-signature';

const vectors = signatureVectors();
const FIVE_MIN = 5 * 60 * 1000;

function requestFor(v: (typeof vectors)[number]): SignedRequest {
  return {
    method: v.method,
    uri: v.uri,
    rawBody: readFixture(v.body_file),
    signature: v.signature,
    timestamp: v.timestamp,
  };
}

describe('HubSpot signature v3', () => {
  it('ships all three reference vectors', () => {
    expect(vectors).toHaveLength(3);
  });

  describe.each(vectors.map((v, i) => [i, v] as const))('vector %i', (_i, v) => {
    const now = Number(v.timestamp) + 1000;

    it('signs to the published signature', () => {
      expect(signV3(v.secret, v.method, v.uri, readFixture(v.body_file), v.timestamp)).toBe(v.signature);
    });

    it('agrees with the official SDK', () => {
      const sdk = Signature.getSignature(v.method, 'v3', {
        clientSecret: v.secret,
        requestBody: readFixture(v.body_file).toString('utf8'),
        url: v.uri,
        timestamp: Number(v.timestamp),
        signature: '',
      });
      expect(sdk).toBe(v.signature);
    });

    it('verifies', () => {
      expect(verifyV3(requestFor(v), v.secret, now)).toEqual({ valid: true });
    });

    it('rejects a tampered body (one byte changed)', () => {
      const body = Buffer.from(readFixture(v.body_file));
      body[10] = body[10] ^ 1;
      expect(verifyV3({ ...requestFor(v), rawBody: body }, v.secret, now)).toEqual({
        valid: false,
        reason: 'bad-signature',
      });
    });

    it('rejects a body re-serialized as JSON (whitespace added)', () => {
      const reserialized = Buffer.from(JSON.stringify(JSON.parse(readFixture(v.body_file).toString()), null, 1));
      expect(verifyV3({ ...requestFor(v), rawBody: reserialized }, v.secret, now).valid).toBe(false);
    });

    it('rejects a tampered timestamp', () => {
      const ts = String(Number(v.timestamp) + 1);
      expect(verifyV3({ ...requestFor(v), timestamp: ts }, v.secret, now)).toEqual({
        valid: false,
        reason: 'bad-signature',
      });
    });

    it('rejects the wrong secret', () => {
      expect(verifyV3(requestFor(v), `${v.secret}x`, now)).toEqual({ valid: false, reason: 'bad-signature' });
    });

    it('rejects another URI', () => {
      expect(verifyV3({ ...requestFor(v), uri: `${v.uri}?x=1` }, v.secret, now).valid).toBe(false);
    });

    it('rejects another method', () => {
      expect(verifyV3({ ...requestFor(v), method: 'PUT' }, v.secret, now).valid).toBe(false);
    });

    it('accepts the edges of the 5 minute window and rejects beyond', () => {
      const ts = Number(v.timestamp);
      expect(verifyV3(requestFor(v), v.secret, ts + FIVE_MIN).valid).toBe(true);
      expect(verifyV3(requestFor(v), v.secret, ts - FIVE_MIN).valid).toBe(true);
      expect(verifyV3(requestFor(v), v.secret, ts + FIVE_MIN + 1)).toEqual({
        valid: false,
        reason: 'stale-timestamp',
      });
      expect(verifyV3(requestFor(v), v.secret, ts - FIVE_MIN - 1)).toEqual({
        valid: false,
        reason: 'future-timestamp',
      });
    });
  });

  it('distinguishes a trailing slash in the URI (vectors 2 and 3)', () => {
    const [, withoutSlash, withSlash] = vectors;
    expect(withoutSlash.signature).not.toBe(withSlash.signature);
    const crossed = { ...requestFor(withoutSlash), uri: withSlash.uri };
    expect(verifyV3(crossed, withoutSlash.secret, Number(withoutSlash.timestamp)).valid).toBe(false);
  });

  describe('headers', () => {
    const v = vectors[0];
    const now = Number(v.timestamp);

    it.each([
      ['missing signature', { signature: undefined }, 'missing-signature'],
      ['empty signature', { signature: '' }, 'missing-signature'],
      ['missing timestamp', { timestamp: undefined }, 'missing-timestamp'],
      ['non-numeric timestamp', { timestamp: '17526139x2216' }, 'malformed-timestamp'],
      ['timestamp in seconds', { timestamp: '1752613922' }, 'stale-timestamp'],
      ['signature of the wrong length', { signature: 'AAAA' }, 'bad-signature'],
      ['signature that is not base64', { signature: '%%%%' }, 'bad-signature'],
    ])('%s', (_name, patch, reason) => {
      expect(verifyV3({ ...requestFor(v), ...patch }, v.secret, now)).toEqual({ valid: false, reason });
    });
  });

  it('decodes only the escapes HubSpot decodes', () => {
    expect(decodeSignedUri('https://x.test/a%3Ab%2fc%3Fd%40e%21%24%27%28%29%2A%2C%3B')).toBe(
      "https://x.test/a:b/c?d@e!$'()*,;",
    );
    expect(decodeSignedUri('https://x.test/a%20b%25c')).toBe('https://x.test/a%20b%25c');
  });

  it('signs the decoded URI', () => {
    const body = Buffer.from('[]');
    expect(signV3('s', 'POST', 'https://x.test/hook%3Fa', body, '1')).toBe(
      signV3('s', 'POST', 'https://x.test/hook?a', body, '1'),
    );
  });
});
