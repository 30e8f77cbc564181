import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_TEST_ENV } from '../support/fixtures';
import { freePort, TestRedisServer } from '../support/redis-server';

// These run the bundles `npm run build` produced (npm test builds first), as `npm run start:*` does.
const ROOT = join(__dirname, '..', '..');
const API = join(ROOT, 'dist/apps/api/main.js');
const WORKER = join(ROOT, 'dist/apps/worker/main.js');
const KNOWLEDGE = join(ROOT, 'dist/apps/knowledge/main.js');

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(entry: string, env: Record<string, string>, args: string[] = []): Run {
  // Only what we pass: nothing from the developer's shell may satisfy the config.
  const child = spawn(process.execPath, [entry, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: ROOT });
  return observe(child);
}

function observe(child: ChildProcess): Run {
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
    expect(existsSync(API) && existsSync(WORKER) && existsSync(KNOWLEDGE)).toBe(true);
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

  describe('--check-config (docker-compose.yml runs it before either app starts)', () => {
    /** `.env.example` as compose's env_file hands it over: KEY=VALUE lines, blanks included. */
    const envExample = Object.fromEntries(
      readFileSync(join(ROOT, '.env.example'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    // What docker-compose.yml sets over .env for the apps.
    const composeEnv = { REDIS_URL: 'redis://redis:6379', PORT: '3000', ADMIN_PORT: '3100', WORKER_HTTP_PORT: '3001' };
    const composeCheck = /config-check:[\s\S]*?- -c\n\s*- (.+)\n/.exec(
      readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'),
    );

    it('.env.example leaves HUBSPOT_WEBHOOK_URL empty (a plausible URL would boot and reject every webhook)', () => {
      expect(envExample.HUBSPOT_WEBHOOK_URL).toBe('');
      expect(envExample.HUBSPOT_CLIENT_SECRET).toBe('');
    });

    it("compose's config-check, on a fresh .env.example, names every required blank of both apps and fails", async () => {
      expect(composeCheck).not.toBeNull();
      // Compose turns `$$` into `$` before the shell sees the command.
      const command = composeCheck![1].replace(/\$\$/g, '$');
      const child = spawn('sh', ['-c', command], {
        env: { PATH: process.env.PATH ?? '', ...envExample, ...composeEnv },
        cwd: ROOT,
      });
      const r = observe(child);
      expect((await r.exit).code).toBe(1);
      expect(r.output()).toContain('api: Invalid configuration:');
      expect(r.output()).toContain('worker: Invalid configuration:');
      for (const name of [
        'HUBSPOT_CLIENT_SECRET',
        'HUBSPOT_WEBHOOK_URL',
        'BULL_BOARD_PASSWORD',
        'HUBSPOT_ACCESS_TOKEN',
        'HUBSPOT_BOT_ACTOR_ID',
        'OPENAI_API_KEY',
      ]) {
        expect(r.output()).toContain(`${name} is required`);
      }
      expect(r.output()).toContain('Set these in .env');
    });

    it('with a valid environment both say "configuration OK", exit 0 and start nothing', async () => {
      // Port 9 (discard) has no Redis: an app that tried to connect would never exit.
      const unreachable = { REDIS_URL: 'redis://127.0.0.1:9', LOG_LEVEL: 'info' };
      const api = run(
        API,
        {
          ...unreachable,
          HUBSPOT_CLIENT_SECRET: 'process-test-secret-42',
          HUBSPOT_WEBHOOK_URL: 'https://hooks.example.test/webhooks/hubspot',
          BULL_BOARD_USER: 'ops',
          BULL_BOARD_PASSWORD: 'process-board-password',
        },
        ['--check-config'],
      );
      const worker = run(WORKER, { ...WORKER_TEST_ENV, ...unreachable }, ['--check-config']);
      expect((await api.exit).code).toBe(0);
      expect((await worker.exit).code).toBe(0);
      expect(api.output()).toBe('api: configuration OK\n');
      expect(worker.output()).toBe('worker: configuration OK\n');
    });

    it('the api refuses the placeholder URLs that older .env copies and the hubspot/ project carry', async () => {
      const r = run(
        API,
        {
          REDIS_URL: 'redis://127.0.0.1:9',
          HUBSPOT_CLIENT_SECRET: 'process-test-secret-42',
          HUBSPOT_WEBHOOK_URL: 'https://your-domain.example/webhooks/hubspot',
          BULL_BOARD_USER: 'ops',
          BULL_BOARD_PASSWORD: 'process-board-password',
        },
        ['--check-config'],
      );
      expect((await r.exit).code).toBe(1);
      expect(r.output()).toContain('HUBSPOT_WEBHOOK_URL is a placeholder');
    });
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

  it('the knowledge command syncs the example folder (PDF included) and searches it, as in the image', async () => {
    const env = { REDIS_URL: redis.url, LOG_LEVEL: 'warn' };
    const bare = run(KNOWLEDGE, env);
    expect((await bare.exit).code).toBe(64);
    expect(bare.output()).toContain('usage: knowledge <command>');
    const first = spawnSync(process.execPath, [KNOWLEDGE, 'sync', join(ROOT, 'examples/knowledge')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('  added     en/kettle-manual.pdf');
    expect(first.stdout).toMatch(/7 added, 0 replaced, 0 unchanged, 0 removed, 0 failed/);
    const search = spawnSync(process.execPath, [KNOWLEDGE, 'search', 'how do I descale the kettle'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    expect(search.stdout).toContain(
      '1. AquaBoil kettle: descaling (https://help.lumora.example/en/manuals/aquaboil.pdf)',
    );
    const misconfigured = spawnSync(process.execPath, [KNOWLEDGE, 'list'], {
      env: { PATH: process.env.PATH ?? '', KNOWLEDGE_STORE: 'openai' },
      encoding: 'utf8',
    });
    expect(misconfigured.status).toBe(1);
    expect(misconfigured.stderr).toContain('REDIS_URL is required');
    expect(misconfigured.stderr).toContain('OPENAI_API_KEY is required with KNOWLEDGE_STORE=openai');
  });
});
