import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import { REFUSED_BOARD_ROUTES } from '../../apps/api/src/security/refused-routes';
import { routeInventory } from '../../apps/api/src/security/route-inventory';
import { concretePath } from '../support/admin-routes';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER } from '../support/api-harness';
import { parsePrometheusText } from '../support/prometheus-text';
import { basicAuth } from '../support/raw-http';

const RIGHT = basicAuth(BOARD_USER, BOARD_PASSWORD);
const WRONG = basicAuth(BOARD_USER, 'wrong-password-xyz');
const KEY = 'admin-auth:failures:';
const metricValue = (text: string, name: string) => parsePrometheusText(text).find((s) => s.name === name)?.value;

describe('failed admin logins are limited per client, counted and logged without the password', () => {
  let h: ApiHarness;
  let redis: Redis;
  const get = (auth?: string, xff?: string) => {
    const req = request(h.server).get('/admin/queues/api/queues');
    if (auth) req.set('authorization', auth);
    if (xff) req.set('x-forwarded-for', xff);
    return req;
  };
  const scrape = async () => (await request(h.server).get('/metrics').expect(200)).text;

  beforeAll(async () => {
    h = await ApiHarness.start({ ADMIN_AUTH_MAX_FAILURES: '3', ADMIN_AUTH_WINDOW_SECONDS: '900' });
    redis = new Redis(h.redis.url);
  });
  beforeEach(async () => {
    await redis.del(...(await redis.keys(`${KEY}*`)), 'none');
  });
  afterAll(async () => {
    redis.disconnect();
    await h.stop();
  });

  it('does not count requests without credentials (a browser asks before it sends them)', async () => {
    for (let i = 0; i < 20; i++) await get().expect(401);
    await get(RIGHT).expect(200);
  });

  it('refuses (429, Retry-After) past the limit, even the right password, until the window passes', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) await get(WRONG).expect(401);
    const refused = await get(WRONG).expect(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(890);
    expect(retryAfter).toBeLessThanOrEqual(900);
    await get(RIGHT).expect(429);
    // The window ends (shortened here): the operator is back.
    await redis.pexpire(`${KEY}::ffff:127.0.0.1`, 1);
    await redis.pexpire(`${KEY}127.0.0.1`, 1);
    await new Promise((r) => setTimeout(r, 20));
    await get(RIGHT).expect(200);

    const after = await scrape();
    const failures = (t: string) => metricValue(t, 'chat_assistant_admin_auth_failures_total') ?? 0;
    const refusals = (t: string) => metricValue(t, 'chat_assistant_admin_auth_refusals_total') ?? 0;
    expect(failures(after) - failures(before)).toBe(4);
    expect(refusals(after) - refusals(before)).toBe(2);
  });

  it('logs a failed login with address, method and route, never the password or the header', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      await get(WRONG).expect(401);
      const lines = warn.mock.calls.map((args) => JSON.stringify(args));
      const line = lines.find((l) => l.includes('admin login failed'));
      expect(line).toBeDefined();
      expect(JSON.parse(line!)[0]).toMatchObject({ method: 'GET', route: '/admin/queues/api/queues' });
      expect(JSON.parse(line!)[0].ip).toMatch(/127\.0\.0\.1/);
      for (const l of lines) {
        expect(l).not.toContain('wrong-password-xyz');
        expect(l).not.toContain(WRONG.slice(6));
      }
    } finally {
      warn.mockRestore();
    }
  });

  it('does not believe X-Forwarded-For from an untrusted peer: rotating it does not escape the limit', async () => {
    for (let i = 0; i < 3; i++) await get(WRONG, `203.0.113.${i}`).expect(401);
    await get(WRONG, '198.51.100.7').expect(429);
    await get(RIGHT, '198.51.100.8').expect(429);
  });

  it('still requires the credentials while Redis is down (closed on auth, open on the limiter)', async () => {
    await h.redis.stop();
    try {
      await get().expect(401);
      await get(WRONG).expect(401);
      await get(RIGHT).expect((res) => expect(res.status).not.toBe(429));
      await request(h.server).get('/admin/costs').set('authorization', WRONG).expect(401);
    } finally {
      await h.redis.restart();
      await new Promise((r) => setTimeout(r, 500));
    }
  });
});

describe('behind a trusted proxy (TRUSTED_PROXIES), the client address comes from X-Forwarded-For', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start({ ADMIN_AUTH_MAX_FAILURES: '2', TRUSTED_PROXIES: '127.0.0.1, ::1, ::ffff:127.0.0.1' });
  });
  afterAll(() => h.stop());
  const get = (auth: string, xff: string) =>
    request(h.server).get('/admin/costs').set('authorization', auth).set('x-forwarded-for', xff);

  it('limits each forwarded client separately', async () => {
    for (let i = 0; i < 2; i++) await get(WRONG, '203.0.113.9').expect(401);
    await get(WRONG, '203.0.113.9').expect(429);
    await get(RIGHT, '203.0.113.9').expect(429);
    // Another client behind the same proxy is not locked out.
    await get(RIGHT, '203.0.113.10').expect(200);
  });
});

describe('Bull Board actions that inject, rewrite or drop jobs are refused even with the credentials', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(() => h.stop());

  it('answers 403 with a clear message to every refused route that is registered', async () => {
    const registered = new Set(routeInventory(h.app.getHttpAdapter().getInstance()).map((r) => `${r.method} ${r.url}`));
    const present = REFUSED_BOARD_ROUTES.filter((r) => registered.has(`${r.method} ${r.url}`));
    expect(present.length).toBeGreaterThanOrEqual(11);
    for (const r of present) {
      const agent = request(h.server);
      const res = await agent[r.method.toLowerCase() as 'put'](concretePath(r.url))
        .set('authorization', RIGHT)
        .send({ name: 'message.received', data: { threadId: '../../x' } });
      expect([r.method, r.url, res.status]).toEqual([r.method, r.url, 403]);
      expect(res.body.message).toMatch(/disabled in this deployment/);
    }
    expect(await h.jobIds()).toEqual([]);
  });

  it('keeps pause/resume, retry, promote and clean for operators', async () => {
    const base = `/admin/queues/api/queues/${HUBSPOT_EVENTS_QUEUE}`;
    for (const path of ['pause', 'resume', 'retry/failed', 'promote', 'clean/failed']) {
      const res = await request(h.server).put(`${base}/${path}`).set('authorization', RIGHT);
      expect({ path, ok: res.status < 300 }).toEqual({ path, ok: true });
    }
    // Anonymous: never.
    await request(h.server).put(`${base}/pause`).expect(401);
    expect(await h.queue.isPaused()).toBe(false);
  });
});
