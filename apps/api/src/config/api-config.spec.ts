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
});
