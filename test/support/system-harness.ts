import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Job, Queue } from 'bullmq';
import request from 'supertest';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import { loadApiConfig } from '../../apps/api/src/config/api-config';
import { createApiApp } from '../../apps/api/src/create-api-app';
import type { EngineKind } from '../../apps/worker/src/config/engine-config';
import { loadWorkerConfig, type WorkerConfig } from '../../apps/worker/src/config/worker-config';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { FakeAirtable } from '../fakes/airtable.fake';
import { FakeAnaf } from '../fakes/anaf.fake';
import { FakeHubSpot } from '../fakes/hubspot.fake';
import { FakeListaFirme } from '../fakes/listafirme.fake';
import type { ChatServerMode } from '../fakes/openai-chat.fake';
import { FakeOpenAI } from '../fakes/openai.fake';
import { FakeSmtp } from '../fakes/smtp.fake';
import { BOARD_PASSWORD, BOARD_USER, signedHeaders, TEST_SECRET, TEST_WEBHOOK_URL } from './api-harness';
import { TestRedisServer, type TestRedisOptions } from './redis-server';

export const BOT_ACTOR = 'A-777';
export const AIRTABLE_BASE = 'appHubSpotConversations';
const HUBSPOT_TOKEN = 'pat-test-hubspot';
const OPENAI_KEY = 'sk-test-openai';

export interface SystemOptions {
  /** The assistant engine of the worker (default `responses`); the suites that prove the guarantees run both. */
  engine?: EngineKind;
  /** OPENAI_SERVER_KIND, and the OpenAI fake's mode; ollama and vllm run keyless (no OPENAI_API_KEY). */
  serverKind?: ChatServerMode;
  /** Use Airtable as the mapping store (default true); false = the embedded Redis store. */
  airtable?: boolean;
  /** Configure ListaFirme (default true); false = ANAF only. */
  listaFirme?: boolean;
  /** Configure SMTP (default true); false = no e-mail verification. */
  smtp?: boolean;
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  /** Start the worker in this process (default true); false = the test runs worker processes itself. */
  inProcessWorker?: boolean;
  redis?: TestRedisOptions;
}

/**
 * The whole system in one process: a throwaway Redis, every provider as a local fake speaking its
 * wire protocol, the real api and the real worker wired to them through their base URLs.
 */
export class SystemHarness {
  readonly hubspot = new FakeHubSpot({ accessToken: HUBSPOT_TOKEN });
  openai = new FakeOpenAI({ apiKey: OPENAI_KEY });
  readonly airtable = new FakeAirtable({ penaltyMs: 500 });
  readonly listaFirme = new FakeListaFirme();
  readonly anaf = new FakeAnaf();
  /** A mail catcher for the verification codes (SMTP_URL points at it unless `smtp: false`). */
  readonly smtp = new FakeSmtp();
  redis!: TestRedisServer;
  api!: NestFastifyApplication;
  worker?: NestFastifyApplication;
  queue!: Queue;
  /** The worker's environment, pointing at the fakes and Redis (also for worker child processes). */
  workerEnv: Record<string, string> = {};
  engine: EngineKind = 'responses';

  static async start(options: SystemOptions = {}): Promise<SystemHarness> {
    const h = new SystemHarness();
    h.engine = options.engine ?? 'responses';
    const serverKind = options.serverKind ?? 'openai';
    const keyless = serverKind !== 'openai';
    if (keyless) h.openai = new FakeOpenAI({ mode: serverKind });
    await Promise.all([
      h.hubspot.start(),
      h.openai.start(),
      h.airtable.start(),
      h.listaFirme.start(),
      h.anaf.start(),
      h.smtp.start(),
    ]);
    h.airtable.createBase(AIRTABLE_BASE, { Conversations: ['Hubspot Thread ID', 'OpenAI Thread ID'] });
    h.redis = await TestRedisServer.start(options.redis);
    const api = loadApiConfig({
      REDIS_URL: h.redis.url,
      HUBSPOT_CLIENT_SECRET: TEST_SECRET,
      HUBSPOT_WEBHOOK_URL: TEST_WEBHOOK_URL,
      BULL_BOARD_USER: BOARD_USER,
      BULL_BOARD_PASSWORD: BOARD_PASSWORD,
      LOG_LEVEL: 'silent',
      JOB_ATTEMPTS: '4',
      JOB_BACKOFF_MS: '100',
      ...options.apiEnv,
    });
    h.api = await createApiApp(api);
    await h.api.init();
    await h.api.getHttpAdapter().getInstance().ready();
    h.workerEnv = {
      REDIS_URL: h.redis.url,
      LOG_LEVEL: 'silent',
      HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
      HUBSPOT_BASE_URL: h.hubspot.url,
      HUBSPOT_BOT_ACTOR_ID: BOT_ACTOR,
      ...(keyless ? {} : { OPENAI_API_KEY: OPENAI_KEY }),
      OPENAI_SERVER_KIND: serverKind,
      OPENAI_BASE_URL: `${h.openai.url}/v1`,
      OPENAI_MODEL: 'gpt-test',
      ASSISTANT_ENGINE: h.engine,
      ...(options.airtable === false
        ? {}
        : {
            AIRTABLE_API_KEY: h.airtable.tokenFor([AIRTABLE_BASE]),
            AIRTABLE_BASE_ID: AIRTABLE_BASE,
            AIRTABLE_ENDPOINT_URL: h.airtable.url,
          }),
      ...(options.listaFirme === false
        ? {}
        : { LISTAFIRME_API_KEY: h.listaFirme.key, LISTAFIRME_BASE_URL: `${h.listaFirme.url}/api` }),
      ANAF_BASE_URL: `${h.anaf.url}/api/PlatitorTvaRest/v9`,
      ...(options.smtp === false ? {} : { SMTP_URL: h.smtp.url, MAIL_FROM: 'Assistant <assistant@example.test>' }),
      ...options.workerEnv,
    };
    h.queue = new Queue(HUBSPOT_EVENTS_QUEUE, { connection: { url: h.redis.url, maxRetriesPerRequest: 1 } });
    h.queue.on('error', () => undefined);
    if (options.inProcessWorker !== false) await h.startWorker();
    return h;
  }

  /** `configure` adjusts the validated config before boot (e.g. freezes the handoff clock). */
  async startWorker(
    env: Record<string, string> = {},
    configure?: (config: WorkerConfig) => void,
  ): Promise<NestFastifyApplication> {
    const config = loadWorkerConfig({ ...this.workerEnv, ...env });
    configure?.(config);
    const worker = await createWorkerApp(config);
    await worker.init();
    // Its HTTP routes (/health, /metrics) answer supertest only once Fastify is ready.
    await worker.getHttpAdapter().getInstance().ready();
    this.worker = worker;
    return worker;
  }

  async stopWorker(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }

  /** Delivers events as HubSpot would: one signed POST. */
  async deliver(...events: object[]): Promise<request.Response> {
    const body = JSON.stringify(events);
    return request(this.api.getHttpServer()).post('/webhooks/hubspot').set(signedHeaders(body)).send(body);
  }

  async waitForJob(jobId: string, state: 'completed' | 'failed' = 'completed', timeoutMs = 10_000): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.queue.getJob(jobId);
      const current = job ? await job.getState() : 'missing';
      // Re-read: the snapshot above may predate the state change (return value, failed reason).
      if (job && current === state) return (await this.queue.getJob(jobId))!;
      if (Date.now() > deadline) {
        const why = job?.failedReason ? ` (last error: ${job.failedReason})` : '';
        throw new Error(`job ${jobId} is ${current}, expected ${state}${why}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    // Tolerates a half-started harness (a failed beforeAll still runs afterAll).
    await this.stopWorker();
    await this.queue?.close().catch(() => undefined);
    await this.api?.close();
    await this.redis?.destroy();
    await Promise.all([
      this.hubspot.stop(),
      this.openai.stop(),
      this.airtable.stop(),
      this.listaFirme.stop(),
      this.anaf.stop(),
      this.smtp.stop(),
    ]);
  }
}
