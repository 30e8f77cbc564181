import type { Server } from 'node:http';
import request from 'supertest';
import { adminListenerOf } from '../../apps/api/src/security/admin-listener';
import { isPublicRoute } from '../../apps/api/src/security/public-routes';
import { routeInventory } from '../../apps/api/src/security/route-inventory';
import { BODY_METHODS, concretePath, uniqueRoutes } from '../support/admin-routes';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER, newMessageEvent, signedHeaders } from '../support/api-harness';
import { basicAuth, inParallel, listenLocally, rawRequest } from '../support/raw-http';

const RIGHT = basicAuth(BOARD_USER, BOARD_PASSWORD);

describe('ADMIN_PORT: Bull Board and every admin route only on the second listener', () => {
  let h: ApiHarness;
  let admin: Server;
  beforeAll(async () => {
    h = await ApiHarness.start({ ADMIN_PORT: '3999' });
    admin = adminListenerOf(h.app.getHttpAdapter().getInstance())!;
    expect(admin).toBeDefined();
  });
  afterAll(() => h?.stop().catch(() => undefined));

  it('the public port serves the webhook, health and metrics, and nothing else (404, even with credentials)', async () => {
    const body = JSON.stringify([newMessageEvent()]);
    await request(h.server).post('/webhooks/hubspot').set(signedHeaders(body)).send(body).expect(200);
    await request(h.server).get('/health/ready').expect(200);
    await request(h.server).get('/metrics').expect(200);
    await request(h.server).get('/admin/queues').set('authorization', RIGHT).expect(404);
    await request(h.server).get('/admin/queues/api/queues').expect(404);
    await request(h.server).get('/%61dmin/queues').set('authorization', RIGHT).expect(404);
    await request(h.server)
      .put('/admin/queues/api/queues/hubspot-events/pause')
      .set('authorization', RIGHT)
      .expect(404);
    expect(await h.queue.isPaused()).toBe(false);
  });

  it('every non-public route of the inventory answers 404 on the public port, with credentials', async () => {
    const port = await listenLocally(h.server);
    const guarded = uniqueRoutes(routeInventory(h.app.getHttpAdapter().getInstance())).filter(
      (r) => !isPublicRoute(r.method, r.url),
    );
    const answers = await inParallel(guarded, 8, async (r) => ({
      route: `${r.method} ${r.url}`,
      status: (
        await rawRequest(port, {
          method: r.method,
          target: concretePath(r.url),
          headers: { Authorization: RIGHT },
          body: BODY_METHODS.has(r.method) ? '{}' : undefined,
        })
      ).status,
    }));
    expect(answers.filter((a) => a.status !== 404)).toEqual([]);
  });

  it('the admin listener serves the board with the same auth rules', async () => {
    await request(admin).get('/admin/queues').expect(401);
    await request(admin).get('/admin/queues').set('authorization', basicAuth(BOARD_USER, 'nope-nope-nope')).expect(401);
    const page = await request(admin).get('/admin/queues').set('authorization', RIGHT).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    await request(admin).get('/admin/queues/api/queues').set('authorization', RIGHT).expect(200);
    await request(admin).get('/health/live').expect(200);
    const port = await listenLocally(admin);
    expect((await rawRequest(port, { method: 'GET', target: '/%61dmin/queues' })).status).toBe(401);
  });

  it('closes the admin listener with the app', async () => {
    await listenLocally(admin);
    expect(admin.listening).toBe(true);
    const closed = new Promise((resolve) => admin.once('close', resolve));
    await h.app.close();
    await closed;
    expect(admin.listening).toBe(false);
  });
});
