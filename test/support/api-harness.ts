import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import { loadApiConfig, type ApiConfig } from '../../apps/api/src/config/api-config';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { signV3 } from '../../apps/api/src/webhooks/hubspot-signature';
import { TestRedisServer } from './redis-server';

export const TEST_SECRET = 'test-client-secret-0123';
export const TEST_WEBHOOK_URL = 'https://hooks.example.test/webhooks/hubspot';
export const BOARD_USER = 'ops';
export const BOARD_PASSWORD = 'board-password-123';

/** The real api (same factory as main.ts) against its own throwaway Redis. */
export class ApiHarness {
  private constructor(
    readonly redis: TestRedisServer,
    readonly app: NestFastifyApplication,
    readonly config: ApiConfig,
    /** An independent queue handle for assertions (not the app's). */
    readonly queue: Queue,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<ApiHarness> {
    const redis = await TestRedisServer.start();
    const config = loadApiConfig({
      REDIS_URL: redis.url,
      HUBSPOT_CLIENT_SECRET: TEST_SECRET,
      HUBSPOT_WEBHOOK_URL: TEST_WEBHOOK_URL,
      BULL_BOARD_USER: BOARD_USER,
      BULL_BOARD_PASSWORD: BOARD_PASSWORD,
      LOG_LEVEL: 'silent',
      // Suites send many wrong credentials on purpose; the limiter's own tests set the production value.
      ADMIN_AUTH_MAX_FAILURES: '1000',
      ...env,
    });
    const app = await createApiApp(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const queue = new Queue(HUBSPOT_EVENTS_QUEUE, { connection: { url: redis.url, maxRetriesPerRequest: 1 } });
    queue.on('error', () => undefined); // tests stop Redis on purpose
    return new ApiHarness(redis, app, config, queue);
  }

  get server() {
    return this.app.getHttpServer();
  }

  async jobIds(): Promise<string[]> {
    const jobs = await this.queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    return jobs.map((j) => j.id!).sort();
  }

  async stop(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.app.close();
    await this.redis.destroy();
  }
}

export type SignedHeaders = Record<'content-type' | 'x-hubspot-signature-v3' | 'x-hubspot-request-timestamp', string> &
  Record<string, string>;

/** Headers HubSpot would send for these exact body bytes. */
export function signedHeaders(body: string | Buffer, timestamp = Date.now(), secret = TEST_SECRET): SignedHeaders {
  const ts = String(timestamp);
  return {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': signV3(secret, 'POST', TEST_WEBHOOK_URL, Buffer.from(body), ts),
    'x-hubspot-request-timestamp': ts,
  };
}

let counter = 0;
/** A conversation.newMessage event like the captured one, with a fresh message id. */
export function newMessageEvent(patch: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    eventId: 3814323381,
    subscriptionId: 1870311,
    portalId: 22761544,
    appId: 1098266,
    occurredAt: 1670383777358,
    subscriptionType: 'conversation.newMessage',
    attemptNumber: 0,
    objectId: 3624100517,
    messageId: `msg${Date.now()}x${counter}`,
    messageType: 'MESSAGE',
    changeFlag: 'NEW_MESSAGE',
    ...patch,
  };
}
