import { ConfigValidationError } from '@app/config';
import { loadWorkerConfig } from './worker-config';

describe('loadWorkerConfig', () => {
  it('needs only REDIS_URL and defaults the health port to 3001', () => {
    const config = loadWorkerConfig({ REDIS_URL: 'redis://redis:6379' });
    expect(config).toEqual({ logLevel: 'info', http: { port: 3001 }, redis: { url: 'redis://redis:6379' } });
  });

  it('fails with the variable name', () => {
    expect(() => loadWorkerConfig({ REDIS_URL: 'redis://r', WORKER_HTTP_PORT: 'x' })).toThrow(ConfigValidationError);
    expect(() => loadWorkerConfig({})).toThrow(/REDIS_URL is required/);
  });
});
