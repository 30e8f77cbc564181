import request from 'supertest';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER, newMessageEvent, signedHeaders } from '../support/api-harness';

describe('operator surfaces of the api', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(() => h.stop());

  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  describe('Bull Board at /admin/queues', () => {
    it.each([
      ['no credentials', undefined],
      ['a wrong password', basic(BOARD_USER, 'wrong-password-123')],
      ['a wrong user', basic('admin', BOARD_PASSWORD)],
      ['a malformed header', 'Basic !!!'],
      ['a bearer token', 'Bearer abc'],
    ])('401 with WWW-Authenticate for %s', async (_name, authorization) => {
      for (const path of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/static/x.js']) {
        const req = request(h.server).get(path);
        if (authorization) req.set('authorization', authorization);
        const res = await req.expect(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="admin", charset="UTF-8"');
      }
    });

    it('serves the board and its JSON API with the right credentials', async () => {
      const body = JSON.stringify([newMessageEvent()]);
      await request(h.server).post('/webhooks/hubspot').set(signedHeaders(body)).send(body).expect(200);

      const page = await request(h.server).get('/admin/queues').set('authorization', basic(BOARD_USER, BOARD_PASSWORD));
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);

      const api = await request(h.server)
        .get('/admin/queues/api/queues')
        .set('authorization', basic(BOARD_USER, BOARD_PASSWORD))
        .expect(200);
      const queue = (api.body.queues as { name: string; counts: { waiting: number } }[]).find(
        (q) => q.name === 'hubspot-events',
      );
      expect(queue?.counts.waiting).toBe(1);
    });

    it('does not leak configuration in the board', async () => {
      const page = await request(h.server).get('/admin/queues').set('authorization', basic(BOARD_USER, BOARD_PASSWORD));
      expect(page.text).not.toContain(BOARD_PASSWORD);
      expect(page.text).not.toContain(h.config.hubspot.clientSecret);
    });
  });

  describe('health', () => {
    it('GET /health/live', async () => {
      expect((await request(h.server).get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    });

    it('GET /health/ready checks Redis', async () => {
      expect((await request(h.server).get('/health/ready').expect(200)).body).toEqual({
        status: 'ok',
        checks: { redis: { status: 'up' } },
      });
    });

    it('needs no credentials', async () => {
      await request(h.server).get('/health/ready').expect(200);
    });
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const given = await request(h.server).get('/health/live').set('x-request-id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const unsafe = await request(h.server).get('/health/live').set('x-request-id', 'a b c <script>');
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
