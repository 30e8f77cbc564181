import { configProblems } from '@app/config';
import { loadApiConfig } from './api-config';

const valid = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  HUBSPOT_CLIENT_SECRET: 'a-client-secret',
  HUBSPOT_WEBHOOK_URL: 'https://hooks.example.com/webhooks/hubspot',
  BULL_BOARD_USER: 'ops',
  BULL_BOARD_PASSWORD: 'a-long-password',
};

const problemsOf = (env: Record<string, string>) => configProblems(loadApiConfig, env);

describe('loadApiConfig', () => {
  it('maps a valid environment with defaults', () => {
    const config = loadApiConfig(valid);
    expect(config.http.port).toBe(3000);
    expect(config.logLevel).toBe('info');
    expect(config.hubspot.webhookUrl).toBe(valid.HUBSPOT_WEBHOOK_URL);
    expect(config.jobs.keepCompleted.ageSeconds).toBe(48 * 3600);
    expect(config.ingest.maxBatch).toBe(500);
  });

  it('names every missing variable at once', () => {
    expect(problemsOf({})).toEqual([
      'REDIS_URL is required',
      'HUBSPOT_CLIENT_SECRET is required',
      'HUBSPOT_WEBHOOK_URL is required',
      'BULL_BOARD_USER is required',
      'BULL_BOARD_PASSWORD is required',
    ]);
  });

  it('treats blank values as unset, so defaults apply', () => {
    expect(loadApiConfig({ ...valid, PORT: '', LOG_LEVEL: ' ' }).http.port).toBe(3000);
    expect(problemsOf({ ...valid, HUBSPOT_CLIENT_SECRET: '' })).toEqual(['HUBSPOT_CLIENT_SECRET is required']);
  });

  it.each([
    ['PORT', 'abc', 'PORT must be an integer'],
    ['PORT', '70000', 'PORT must be <= 65535'],
    ['REDIS_URL', 'http://redis:6379', 'REDIS_URL must be a URL starting with redis:// or rediss://'],
    ['HUBSPOT_WEBHOOK_URL', 'not a url', 'HUBSPOT_WEBHOOK_URL must be a URL starting with https:// or http://'],
    ['BULL_BOARD_PASSWORD', 'short', 'BULL_BOARD_PASSWORD must be at least 12 characters'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    ['JOB_ATTEMPTS', '0', 'JOB_ATTEMPTS must be >= 1'],
  ])('rejects %s=%s', (name, value, message) => {
    expect(problemsOf({ ...valid, [name]: value })).toEqual([message]);
  });

  it.each([
    'https://your-public-host.invalid/webhooks/hubspot',
    'https://your-domain.example/webhooks/hubspot',
    'https://BOT.INVALID/webhooks/hubspot',
  ])('refuses the placeholder HUBSPOT_WEBHOOK_URL %s (boots, then rejects every real webhook)', (url) => {
    expect(problemsOf({ ...valid, HUBSPOT_WEBHOOK_URL: url })).toEqual([
      "HUBSPOT_WEBHOOK_URL is a placeholder: set the public URL HubSpot calls (your app's webhook targetUrl, byte for byte)",
    ]);
  });

  it('accepts real hosts that merely contain the placeholder words', () => {
    for (const url of [
      'https://invalid.acme.ro/webhooks/hubspot',
      'https://chat.your-domain.example.com/webhooks/hubspot',
    ]) {
      expect(loadApiConfig({ ...valid, HUBSPOT_WEBHOOK_URL: url }).hubspot.webhookUrl).toBe(url);
    }
  });

  it('never echoes a value in its messages', () => {
    const secret = 'sup3r-s3cret-value-xyz';
    const err = (() => {
      try {
        loadApiConfig({ ...valid, BULL_BOARD_PASSWORD: 'short', REDIS_URL: secret });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain('REDIS_URL');
    expect(err?.message).not.toContain(secret);
    expect(err?.message).not.toContain('short');
  });

  it('accepts LOG_LEVEL in any case', () => {
    expect(loadApiConfig({ ...valid, LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
  });

  describe('security settings', () => {
    it('defaults: no trusted proxies, no admin port, 10 failures per 15 minutes, 100 events per request', () => {
      const config = loadApiConfig(valid);
      expect(config.http.trustedProxies).toEqual([]);
      expect(config.http.adminPort).toBeUndefined();
      expect(config.adminAuth).toEqual({ maxFailures: 10, windowSeconds: 900 });
      expect(config.ingest.maxEventsPerRequest).toBe(100);
    });

    it('reads TRUSTED_PROXIES as addresses and CIDR ranges', () => {
      const config = loadApiConfig({ ...valid, TRUSTED_PROXIES: ' 10.0.0.0/8, 172.18.0.2 ,::1,fd00::/8' });
      expect(config.http.trustedProxies).toEqual(['10.0.0.0/8', '172.18.0.2', '::1', 'fd00::/8']);
    });

    it.each(['loopback', '10.0.0.0/33', '10.0.0.1/8/1', '*', '::1/129', '10.0.0.0/x'])(
      'refuses TRUSTED_PROXIES=%s',
      (v) => {
        expect(problemsOf({ ...valid, TRUSTED_PROXIES: v })).toEqual([
          'TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges',
        ]);
      },
    );

    it('reads ADMIN_PORT and refuses it equal to PORT', () => {
      expect(loadApiConfig({ ...valid, ADMIN_PORT: '3100' }).http.adminPort).toBe(3100);
      expect(problemsOf({ ...valid, ADMIN_PORT: '3000' })).toEqual(['ADMIN_PORT must differ from PORT']);
    });

    it('bounds WEBHOOK_MAX_EVENTS to 1-1000 and the login limiter', () => {
      expect(problemsOf({ ...valid, WEBHOOK_MAX_EVENTS: '1001' })).toEqual(['WEBHOOK_MAX_EVENTS must be <= 1000']);
      expect(problemsOf({ ...valid, WEBHOOK_MAX_EVENTS: '0' })).toEqual(['WEBHOOK_MAX_EVENTS must be >= 1']);
      expect(problemsOf({ ...valid, ADMIN_AUTH_MAX_FAILURES: '0' })).toEqual(['ADMIN_AUTH_MAX_FAILURES must be >= 1']);
      expect(problemsOf({ ...valid, ADMIN_AUTH_WINDOW_SECONDS: '5' })).toEqual([
        'ADMIN_AUTH_WINDOW_SECONDS must be >= 10',
      ]);
    });
  });
});
