import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@app/config';
import { loadApiConfig } from '../../api/src/config/api-config';
import { createApiApp } from '../../api/src/create-api-app';
import { runKnowledgeCli } from '../../knowledge/src/knowledge-cli';
import { loadWorkerConfig } from '../../worker/src/config/worker-config';
import { createWorkerApp } from '../../worker/src/create-worker-app';
import type { ModelChoice } from './config/sandbox-config';
import { DemoModelServer, DEMO_MODEL_NAME } from './demo-model/demo-model.server';
import { DEMO_LABEL } from './demo-model/demo-script';
import { HubSpotEmulator, type SandboxInbox } from './emulator/hubspot-emulator';
import { WebhookSender } from './emulator/webhook-sender';
import { freePort, RedisProcess } from './launcher/redis-process';
import { MailCatcher } from './mail/mail-catcher';
import { registerPageRoutes, type SandboxInfo } from './page/page-routes';
import { SampleRegister } from './register/sample-register';
import { SandboxClient } from './sandbox-client';

export const SANDBOX_INBOXES: SandboxInbox[] = [
  { id: '1001', name: 'Website chat (support)', profile: 'support', visitor: 'anonymous' },
  { id: '1002', name: 'Staff: contacts', profile: 'contacts', visitor: 'staff' },
];
export const SANDBOX_STAFF = { email: 'ana.staff@staff.example.com', firstname: 'Ana', lastname: 'Staff' };
const STAFF_DOMAIN = 'staff.example.com';
export const SANDBOX_BOT = { actorId: 'A-1000', name: 'Assistant', email: 'assistant@sandbox.example.com' };
export const SANDBOX_AGENT = { actorId: 'A-2001', name: 'Sam Agent', email: 'sam.agent@sandbox.example.com' };

export interface SandboxOptions {
  /** Address the page and the api listen on (default 127.0.0.1). */
  host?: string;
  /** The page's port; 0 (default) = any free port. */
  port?: number;
  /** The api's port; 0 (default) = any free port. */
  apiPort?: number;
  /** An existing Redis; else a throwaway redis-server with its data in `dataDir`. */
  redisUrl?: string;
  dataDir?: string;
  /** Default: the demo model. */
  model?: ModelChoice;
  /** The api's and worker's log level (default silent). */
  logLevel?: LogLevel;
  webhookRetryBaseMs?: number;
  admin?: { user: string; password?: string };
  /** Extra worker / api variables (evals: limits, profiles, …). */
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  /** Documents synced into the knowledge store at start (default `examples/knowledge` when present; false: none). */
  knowledgeDir?: string | false;
}

/** A running sandbox: its URLs, its parts for inspection, a client to drive chats, and stop(). */
export interface Sandbox {
  /** The chat page. */
  url: string;
  /** The api (webhooks, /admin, /admin/queues), on this machine. */
  apiUrl: string;
  redisUrl: string;
  info: SandboxInfo;
  emulator: HubSpotEmulator;
  sender: WebhookSender;
  mail: MailCatcher;
  register: SampleRegister;
  demoModel?: DemoModelServer;
  api: NestFastifyApplication;
  worker: NestFastifyApplication;
  /** The worker's full environment (to start more worker processes against the same sandbox). */
  workerEnv: Record<string, string>;
  client: SandboxClient;
  stop(): Promise<void>;
}

/**
 * Starts the whole product against local stand-ins: Redis (given or throwaway), the HubSpot
 * emulator with the chat page, the sample company register, the mail catcher, the demo model
 * (unless a real one is configured), and the real api and worker in this process, wired through
 * their ordinary environment variables. The emulator sends signed webhooks to the api's real port.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const host = options.host ?? '127.0.0.1';
    const model = options.model ?? { kind: 'demo' };
    const logLevel = options.logLevel ?? 'silent';
    let redisUrl = options.redisUrl;
    if (!redisUrl) {
      const redis = await RedisProcess.start(join(options.dataDir ?? '.sandbox', 'redis'));
      stops.push(() => redis.stop());
      redisUrl = redis.url;
    }
    const secret = randomBytes(24).toString('hex');
    const token = `pat-sandbox-${randomBytes(12).toString('hex')}`;
    const apiPort = options.apiPort || (await freePort());
    const webhookUrl = `http://127.0.0.1:${apiPort}/webhooks/hubspot`;

    const emulator = new HubSpotEmulator({
      accessToken: token,
      inboxes: SANDBOX_INBOXES,
      bot: SANDBOX_BOT,
      agent: SANDBOX_AGENT,
      staff: SANDBOX_STAFF,
    });
    const mail = new MailCatcher();
    const register = new SampleRegister();
    const demoModel = model.kind === 'demo' ? new DemoModelServer() : undefined;
    const sender = new WebhookSender({
      targetUrl: webhookUrl,
      clientSecret: secret,
      retryBaseMs: options.webhookRetryBaseMs ?? 1000,
    });
    emulator.connect(sender);
    stops.push(() => sender.stop());
    await Promise.all([mail.start(), register.start(), demoModel?.start()]);
    stops.push(
      () => mail.stop(),
      () => register.stop(),
      async () => demoModel?.stop(),
    );

    const admin = { user: options.admin?.user ?? 'sandbox', password: options.admin?.password ?? randomPassword() };
    const info: SandboxInfo = {
      model:
        model.kind === 'demo'
          ? { kind: 'demo', label: DEMO_LABEL, name: DEMO_MODEL_NAME }
          : { kind: model.kind, label: model.label, name: model.label },
      apiPort,
      admin,
    };
    registerPageRoutes({ emulator, sender, mail, info });
    await emulator.start(options.port ?? 0, host);
    stops.push(() => emulator.stop());

    const api = await createApiApp(
      loadApiConfig({
        REDIS_URL: redisUrl,
        PORT: String(apiPort),
        HUBSPOT_CLIENT_SECRET: secret,
        HUBSPOT_WEBHOOK_URL: webhookUrl,
        BULL_BOARD_USER: admin.user,
        BULL_BOARD_PASSWORD: admin.password,
        LOG_LEVEL: logLevel,
        JOB_BACKOFF_MS: '1000',
        ...options.apiEnv,
      }),
    );
    stops.push(() => api.close());
    await api.listen({ port: apiPort, host });

    const workerEnv: Record<string, string> = {
      REDIS_URL: redisUrl,
      LOG_LEVEL: logLevel,
      HUBSPOT_ACCESS_TOKEN: token,
      HUBSPOT_BASE_URL: emulator.url,
      HUBSPOT_BOT_ACTOR_ID: SANDBOX_BOT.actorId,
      INBOX_PROFILES: SANDBOX_INBOXES.map((i) => `${i.id}=${i.profile}`).join(','),
      STAFF_EMAIL_DOMAINS: STAFF_DOMAIN,
      // One staff contact serves every staff chat of a session (a code each): the production limits
      // per address would stop a demo or an eval run after a few chats. Evals of the limits override these.
      VERIFICATION_CODES_PER_ADDRESS_PER_HOUR: '100',
      VISITOR_MAX_THREADS_PER_DAY: '1000',
      ...register.workerEnv(),
      ...mail.workerEnv(),
      ...(demoModel ? demoModel.workerEnv() : model.kind === 'demo' ? {} : model.workerEnv),
      // The documents live in Redis with the rest of the sandbox: no outside store.
      KNOWLEDGE_STORE: 'local',
      ...options.workerEnv,
    };
    const knowledgeDir = options.knowledgeDir ?? resolve('examples', 'knowledge');
    if (knowledgeDir && existsSync(knowledgeDir)) await syncKnowledge(knowledgeDir, workerEnv);
    const worker = await createWorkerApp(loadWorkerConfig(workerEnv));
    stops.push(() => worker.close());
    await worker.init();

    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${new URL(emulator.url).port}`;
    return {
      url,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      redisUrl,
      info,
      emulator,
      sender,
      mail,
      register,
      demoModel,
      api,
      worker,
      workerEnv,
      client: new SandboxClient(url),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** `knowledge sync <dir>` against the sandbox's store, so search_knowledge has the example documents. */
async function syncKnowledge(dir: string, env: Record<string, string>): Promise<void> {
  const errors: string[] = [];
  const code = await runKnowledgeCli(['sync', dir], { out: () => undefined, err: (l) => errors.push(l) }, env);
  if (code !== 0) throw new Error(`knowledge sync ${dir} failed: ${errors.join(' ').slice(0, 500)}`);
}

function randomPassword(): string {
  return randomBytes(9).toString('base64url');
}
