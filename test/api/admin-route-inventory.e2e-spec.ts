import { isPublicRoute, PUBLIC_ROUTES } from '../../apps/api/src/security/public-routes';
import { routeInventory, type InventoryRoute } from '../../apps/api/src/security/route-inventory';
import { BODY_METHODS, concretePath, uniqueRoutes } from '../support/admin-routes';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER } from '../support/api-harness';
import { basicAuth, inParallel, listenLocally, rawRequest } from '../support/raw-http';

describe('route inventory: every route the api serves is public by name or needs the admin credentials', () => {
  let h: ApiHarness;
  let port: number;
  let routes: InventoryRoute[];
  beforeAll(async () => {
    h = await ApiHarness.start();
    port = await listenLocally(h.server);
    routes = uniqueRoutes(routeInventory(h.app.getHttpAdapter().getInstance()));
  });
  afterAll(() => h.stop());

  it("records Fastify's own route list: Nest controllers, Bull Board's plugin and its static files", () => {
    const fastify = h.app.getHttpAdapter().getInstance();
    const urls = new Set(routes.map((r) => r.url));
    for (const url of [
      '/webhooks/hubspot',
      '/health/live',
      '/metrics',
      '/admin/conversations/:threadId',
      '/admin/audit/export',
      '/admin/knowledge/gaps',
      '/admin/outcomes',
      '/admin',
      '/admin/console/conversations/:threadId',
      '/admin/console/console.css',
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/queues/api/queues/:queueName/pause',
      '/admin/queues/static/*',
    ]) {
      expect(urls).toContain(url);
    }
    // Every recorded route is one Fastify really routes.
    for (const r of routes) expect(fastify.hasRoute({ method: r.method, url: r.url })).toBe(true);
    expect(routes.length).toBeGreaterThan(60);
  });

  it('has every allow-listed public route registered (the list cannot rot)', () => {
    for (const p of PUBLIC_ROUTES) expect(routes).toContainEqual({ method: p.method, url: p.url });
    const publicOnes = routes.filter((r) => isPublicRoute(r.method, r.url));
    expect(publicOnes).toHaveLength(PUBLIC_ROUTES.length);
  });

  it.each([
    ['anonymous', undefined],
    ['a wrong password', basicAuth(BOARD_USER, 'wrong-password-123')],
    ['a wrong user', basicAuth('root', BOARD_PASSWORD)],
  ])('every non-public (method, route) answers 401 to %s', async (_who, authorization) => {
    const guarded = routes.filter((r) => !isPublicRoute(r.method, r.url));
    expect(guarded.length).toBeGreaterThan(50);
    const answers = await inParallel(guarded, 8, async (r) => {
      const res = await rawRequest(port, {
        method: r.method,
        target: concretePath(r.url),
        headers: authorization ? { Authorization: authorization } : {},
        body: BODY_METHODS.has(r.method) ? '{}' : undefined,
      });
      return {
        route: `${r.method} ${r.url}`,
        status: res.status,
        challenge: /www-authenticate: Basic/i.test(res.head),
      };
    });
    expect(answers.filter((a) => a.status !== 401 || !a.challenge)).toEqual([]);
  });
});
