import { Redis } from 'ioredis';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import { isPublicRoute } from '../../apps/api/src/security/public-routes';
import { routeInventory } from '../../apps/api/src/security/route-inventory';
import { BODY_METHODS, concretePath, uniqueRoutes } from '../support/admin-routes';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER, newMessageEvent, signedHeaders } from '../support/api-harness';
import { basicAuth, inParallel, listenLocally, rawRequest, sendRaw } from '../support/raw-http';

const hex = (ch: string, upper: boolean) => {
  const h = ch.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? h.toUpperCase() : h}`;
};
const isLetter = (ch: string) => /[A-Za-z]/.test(ch);

/** Respellings of one canonical path (no query); each is sent byte-exact. */
export function spellings(path: string): [string, string][] {
  const segments = path.split('/').slice(1); // leading '' dropped
  const join = (segs: string[]) => `/${segs.join('/')}`;
  const out: [string, string][] = [['canonical', path]];
  segments.forEach((seg, i) => {
    const letters = [...seg].map((c, j) => (isLetter(c) ? j : -1)).filter((j) => j >= 0);
    if (letters.length === 0) return;
    const first = letters[0];
    const last = letters[letters.length - 1];
    const at = (j: number, enc: string) => seg.slice(0, j) + enc + seg.slice(j + 1);
    const with_ = (s: string) => join(segments.map((x, k) => (k === i ? s : x)));
    out.push([`seg${i} first letter %xx`, with_(at(first, hex(seg[first], false)))]);
    out.push([`seg${i} last letter %XX`, with_(at(last, hex(seg[last], true)))]);
    out.push([`seg${i} all letters %XX`, with_([...seg].map((c) => (isLetter(c) ? hex(c, true) : c)).join(''))]);
    out.push([`seg${i} double-encoded`, with_(at(first, `%25${hex(seg[first], false).slice(1)}`))]);
    out.push([`seg${i} upper-case letter`, with_(at(first, seg[first].toUpperCase()))]);
    out.push([`seg${i} ;param`, with_(`${seg};x=1`)]);
    out.push([`seg${i} %00`, with_(`${seg}%00`)]);
  });
  out.push(['every char %xx', [...path].map((c) => (c === '/' ? c : hex(c, false))).join('')]);
  out.push(['leading //', `/${path}`]);
  out.push(['inner //', path.replace(/\/(?=[^/]*$)/, '//')]);
  out.push(['trailing /', `${path}/`]);
  out.push(['trailing //', `${path}//`]);
  out.push(['/./ first', `/.${path}`]);
  out.push(['/x/../', `/x/..${path}`]);
  out.push(['%2e%2e', `/x/%2e%2e${path}`]);
  out.push(['%2E/', `/%2E${path}`]);
  out.push(['encoded slashes %2f', `/${segments.join('%2f')}`]);
  out.push(['encoded slashes %2F', `/${segments.join('%2F')}`]);
  out.push(['backslashes', `/${segments.join('\\')}`]);
  out.push(['query ?', `${path}?`]);
  out.push(['query ?x=1', `${path}?x=1`]);
  out.push(['query /admin', `${path}?/admin`]);
  out.push(['encoded ?', `${path}%3Fx=1`]);
  out.push(['fragment', `${path}#x`]);
  out.push(['overlong UTF-8 /', `/${segments.join('%c0%af')}`]);
  out.push(['absolute-form', `http://127.0.0.1${path}`]);
  out.push(['absolute-form other host', `http://evil.example${path}`]);
  return out;
}

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'];

describe('admin paths, however spelled, answer nothing 2xx/3xx without the right credentials', () => {
  let h: ApiHarness;
  let port: number;
  let adminPaths: string[];
  let limiterReset: Redis;

  beforeAll(async () => {
    h = await ApiHarness.start();
    port = await listenLocally(h.server);
    limiterReset = new Redis(h.redis.url);
    adminPaths = [
      ...new Set(
        uniqueRoutes(routeInventory(h.app.getHttpAdapter().getInstance()))
          .filter((r) => !isPublicRoute(r.method, r.url))
          .map((r) => concretePath(r.url)),
      ),
    ];
    // Jobs the anonymous probes would pause, clean or retry if any got through.
    const body = JSON.stringify([newMessageEvent(), newMessageEvent()]);
    const res = await rawRequest(port, {
      method: 'POST',
      target: '/webhooks/hubspot',
      headers: Object.fromEntries(Object.entries(signedHeaders(body)).filter(([k]) => k !== 'content-type')),
      body,
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    limiterReset.disconnect();
    await h.stop();
  });

  it('with the right credentials the canonical spellings work (so the table can fail)', async () => {
    const auth = { Authorization: basicAuth(BOARD_USER, BOARD_PASSWORD) };
    expect((await rawRequest(port, { method: 'GET', target: '/admin/queues', headers: auth })).status).toBe(200);
    expect((await rawRequest(port, { method: 'GET', target: '/admin/queues/api/queues', headers: auth })).status).toBe(
      200,
    );
    const pause = `/admin/queues/api/queues/${HUBSPOT_EVENTS_QUEUE}/pause`;
    expect((await rawRequest(port, { method: 'PUT', target: pause, headers: auth, body: '{}' })).status).toBe(200);
    expect(await h.queue.isPaused()).toBe(true);
    const resume = `/admin/queues/api/queues/${HUBSPOT_EVENTS_QUEUE}/resume`;
    expect((await rawRequest(port, { method: 'PUT', target: resume, headers: auth, body: '{}' })).status).toBe(200);
    expect(await h.queue.isPaused()).toBe(false);
    // The issue's own example, with credentials, reaches the board too (it is the same route).
    expect((await rawRequest(port, { method: 'GET', target: '/%61dmin/queues', headers: auth })).status).toBe(200);
  });

  it('the issue report: %61dmin no longer reaches the board, its API, pause or clean', async () => {
    for (const [method, target] of [
      ['GET', '/%61dmin/queues'],
      ['GET', '/%61dmin/queues/api/queues'],
      ['PUT', `/%61dmin/queues/api/queues/${HUBSPOT_EVENTS_QUEUE}/pause`],
      ['PUT', `/%61dmin/queues/api/queues/${HUBSPOT_EVENTS_QUEUE}/clean/failed`],
    ]) {
      const res = await rawRequest(port, { method, target, body: method === 'PUT' ? '{}' : undefined });
      expect([method, target, res.status]).toEqual([method, target, 401]);
    }
  });

  it('the full table: every admin route x method x spelling, anonymous and with a wrong password', async () => {
    const cases = adminPaths.flatMap((path) =>
      spellings(path).flatMap(([spelling, target]) => METHODS.map((method) => ({ path, spelling, target, method }))),
    );
    const wrong = { Authorization: basicAuth(BOARD_USER, 'wrong-password-123') };
    const before = await h.queue.getJobCounts();
    const statuses = new Map<number, number>();
    const leaks: string[] = [];
    await inParallel(cases, 16, async (c) => {
      for (const headers of [{}, wrong]) {
        const res = await rawRequest(port, {
          method: c.method,
          target: c.target,
          headers,
          body: BODY_METHODS.has(c.method) ? '{}' : undefined,
        });
        // Wrong passwords are counted per client; keep the limiter out of this table (its own test).
        if (headers === wrong) await limiterReset.del('admin-auth:failures:127.0.0.1');
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 200 && res.status < 400)
          leaks.push(`${c.method} ${c.target} (${c.spelling}) → ${res.status}`);
      }
    });
    expect(leaks).toEqual([]);
    // Only denials: 401 (auth), 404 (nothing there), 400 (malformed request line).
    process.stdout.write(
      `path-spelling table: ${cases.length * 2} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect([...statuses.keys()].filter((s) => ![400, 401, 404].includes(s))).toEqual([]);
    expect(cases.length).toBeGreaterThan(10_000);
    expect(await h.queue.isPaused()).toBe(false);
    expect(await h.queue.getJobCounts()).toEqual(before);
  }, 240_000);

  describe('probes beyond the table', () => {
    const probe = (bytes: string) => sendRaw(port, bytes);

    it.each([
      [
        'X-HTTP-Method-Override',
        'GET /admin/queues/api/queues HTTP/1.1\r\nHost: x\r\nX-HTTP-Method-Override: GET\r\nConnection: close\r\n\r\n',
      ],
      [
        'Host: localhost games',
        'GET /admin/queues HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Host: localhost\r\nConnection: close\r\n\r\n',
      ],
      [
        'X-Original-URL rewrite',
        'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Original-URL: /admin/queues\r\nX-Rewrite-URL: /admin/queues\r\nConnection: close\r\n\r\n',
      ],
      [
        'two Authorization headers (one right)',
        `GET /admin/queues HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Zm9vOmJhcg==\r\nAuthorization: ${basicAuth(BOARD_USER, BOARD_PASSWORD)}\r\nConnection: close\r\n\r\n`,
      ],
      [
        'Authorization of 15,000 characters',
        `GET /admin/queues HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${'A'.repeat(15_000)}\r\nConnection: close\r\n\r\n`,
      ],
      [
        'non-UTF-8 base64',
        `GET /admin/queues HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0xc0, 0xaf]).toString('base64')}\r\nConnection: close\r\n\r\n`,
      ],
      [
        'user only, no colon',
        `GET /admin/queues HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${Buffer.from(BOARD_USER).toString('base64')}\r\nConnection: close\r\n\r\n`,
      ],
      [
        'password with the user in a second colon',
        `GET /admin/queues HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth(`${BOARD_USER}:`, BOARD_PASSWORD)}\r\nConnection: close\r\n\r\n`,
      ],
      [
        'lower-case scheme, wrong password',
        `GET /admin/queues HTTP/1.1\r\nHost: x\r\nAuthorization: basic ${Buffer.from(`${BOARD_USER}:nope`).toString('base64')}\r\nConnection: close\r\n\r\n`,
      ],
      ['HTTP/1.0 without Host', 'GET /admin/queues HTTP/1.0\r\n\r\n'],
      ['raw NUL in the path', 'GET /admin\u0000/queues HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      ['raw UTF-8 in the path', 'GET /ädmin/queues HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      ['asterisk-form OPTIONS', 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      ['CONNECT', 'CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      ['TRACE', 'TRACE /admin/queues HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      ['unknown method', 'PROPFIND /admin/queues HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      [
        'pipelined: public then admin',
        'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\nGET /admin/queues/api/queues HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ],
      [
        'smuggling: CL and TE',
        'POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin/queues/api/queues HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
    ])('%s: no 2xx/3xx for an admin resource', async (name, bytes) => {
      const res = await probe(bytes);
      const adminAnswered = [...`${res.head}\r\n\r\n${res.body}`.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) =>
        Number(m[1]),
      );
      if (name.startsWith('X-Original-URL')) {
        // The health route answers itself; the headers rewrite nothing.
        expect(res.body).toContain('"status":"ok"');
      } else if (name.startsWith('pipelined')) {
        // The public one answers 200; the admin one must not.
        expect(adminAnswered).toEqual([200, 401]);
      } else {
        expect(adminAnswered.filter((s) => s >= 200 && s < 400)).toEqual([]);
      }
      expect(res.body).not.toContain('"queues"');
    });

    it('Bull Board static files and the 404 handler need credentials too', async () => {
      for (const target of [
        '/admin/queues/static/favicon-32x32.png',
        '/admin/queues/static/../index.ejs',
        '/nope',
        '/',
      ]) {
        expect((await rawRequest(port, { method: 'GET', target })).status).toBe(401);
      }
      // A public path with another method is the one 404 anonymous callers get.
      expect((await rawRequest(port, { method: 'GET', target: '/webhooks/hubspot' })).status).toBe(404);
    });
  });
});
