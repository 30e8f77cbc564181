import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_TEST_ENV } from '../support/fixtures';
import { freePort, TestRedisServer } from '../support/redis-server';

// These run the bundles `npm run build` produced (npm test builds first), as `npm run start:*` does.
const ROOT = join(__dirname, '..', '..');
const API = join(ROOT, 'dist/apps/api/main.js');
const WORKER = join(ROOT, 'dist/apps/worker/main.js');

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(entry: string, env: Record<string, string>): Run {
  // Only what we pass: nothing from the developer's shell may satisfy the config.
  const child = spawn(process.execPath, [entry], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: ROOT });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exit };
}

async function waitForHttp(url: string, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('built apps (dist/apps/*/main.js)', () => {
  let redis: TestRedisServer;
  beforeAll(async () => {
    expect(existsSync(API) && existsSync(WORKER)).toBe(true);
    redis = await TestRedisServer.start();
  });
  afterAll(() => redis.destroy());

  it('api stops at boot with a message naming each bad variable, and never prints values', async () => {
    const r = run(API, { REDIS_URL: 'redis://x', HUBSPOT_CLIENT_SECRET: 'short', BULL_BOARD_PASSWORD: 'tiny-secret' });
    expect((await r.exit).code).toBe(1);
    expect(r.output()).toContain('Invalid configuration:');
    expect(r.output()).toContain('HUBSPOT_CLIENT_SECRET must be at least 8 characters');
    expect(r.output()).toContain('HUBSPOT_WEBHOOK_URL is required');
    expect(r.output()).toContain('BULL_BOARD_USER is required');
    expect(r.output()).toContain('BULL_BOARD_PASSWORD must be at least 12 characters');
    expect(r.output()).not.toContain('tiny-secret');
  });

  it('worker stops at boot naming its missing provider variables', async () => {
    const r = run(WORKER, { OPENAI_API_KEY: 'sk-never-printed' });
    expect((await r.exit).code).toBe(1);
    for (const name of ['REDIS_URL', 'HUBSPOT_ACCESS_TOKEN', 'HUBSPOT_BOT_ACTOR_ID']) {
      expect(r.output()).toContain(`${name} is required`);
    }
    expect(r.output()).not.toContain('sk-never-printed');
  });

  it('api serves, logs JSON without secrets, and shuts down on SIGTERM', async () => {
    const port = await freePort();
    const secret = 'process-test-secret-42';
    const r = run(API, {
      REDIS_URL: redis.url,
      PORT: String(port),
      HUBSPOT_CLIENT_SECRET: secret,
      HUBSPOT_WEBHOOK_URL: 'https://hooks.example.test/webhooks/hubspot',
      BULL_BOARD_USER: 'ops',
      BULL_BOARD_PASSWORD: 'process-board-password',
    });
    const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    const denied = await fetch(`http://127.0.0.1:${port}/admin/queues`, {
      headers: { authorization: `Basic ${Buffer.from('ops:wrong-password-1').toString('base64')}` },
    });
    expect(denied.status).toBe(401);

    r.child.kill('SIGTERM');
    const exit = await r.exit;
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    const lines = r.output().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(r.output()).not.toContain(secret);
    expect(r.output()).not.toContain('process-board-password');
    expect(r.output()).not.toContain(Buffer.from('ops:wrong-password-1').toString('base64'));
  });

  it('worker exposes health on WORKER_HTTP_PORT and shuts down on SIGTERM', async () => {
    const port = await freePort();
    const r = run(WORKER, {
      ...WORKER_TEST_ENV,
      LOG_LEVEL: 'info',
      REDIS_URL: redis.url,
      WORKER_HTTP_PORT: String(port),
    });
    const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { redis: { status: 'up' }, queue: { status: 'up' } } });
    r.child.kill('SIGTERM');
    const exit = await r.exit;
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
  });
});
