import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { REDIS_CONNECTION } from '@app/redis';
import { loadWorkerConfig } from '../../apps/worker/src/config/worker-config';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { WORKER_TEST_ENV } from '../support/fixtures';
import { TestRedisServer } from '../support/redis-server';

describe('worker app', () => {
  let redis: TestRedisServer;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    app = await createWorkerApp(loadWorkerConfig({ ...WORKER_TEST_ENV, REDIS_URL: redis.url }));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => redis.destroy());

  it('is live and ready with Redis up, not ready with Redis down, ready again after', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200);
    await request(app.getHttpServer()).get('/health/ready').expect(200);
    await redis.stop();
    const down = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(down.body.checks.redis.status).toBe('down');
    await redis.restart();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await request(app.getHttpServer()).get('/health/ready')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('closes its Redis connection on shutdown', async () => {
    const connection = app.get<Redis>(REDIS_CONNECTION);
    const ended = new Promise<string>((resolve) => connection.once('end', () => resolve(connection.status)));
    await app.close();
    expect(await ended).toBe('end');
  });
});
